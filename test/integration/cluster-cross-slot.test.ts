// Cross-slot multi-key commands on a real 3-primary cluster with the opt-in `crossSlot.split`:
// split per slot, sent in parallel through each shard's own breaker, merged in the caller's
// order; a failing shard fails only its part, and the caller gets one error naming it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ErrorCodes,
  createResilientRedis,
  isCircuitOpenError,
  isCrossSlotError,
  isInvalidOptionsError,
  isPartialFailureError,
  type PartialFailureError,
  type ResilientRedis,
  silentLogger,
} from '../../src/index.js';
import { type ClusterLab, type RedisNode, createLab, slotOfKey } from '../support/lab.js';

/** MOVED replies the nodes have sent so far (INFO errorstats). */
async function movedReplies(nodes: readonly RedisNode[]): Promise<number> {
  const stats = await Promise.all(nodes.map((p) => p.info('errorstats')));
  return stats.reduce((n, s) => n + Number(/count=(\d+)/.exec(s.errorstat_MOVED ?? '')?.[1] ?? 0), 0);
}

describe('cluster cross-slot split', { timeout: 60_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());
  let cluster: ClusterLab;
  let primaries: RedisNode[];
  let redis: ResilientRedis;
  /** Two keys per shard: shard i owns keys[i] and keys[i + 3]. */
  let keys: string[];

  const client = (name: string, crossSlot: { split?: boolean; splitMset?: boolean } | undefined, extra: object = {}): ResilientRedis => {
    const c = createResilientRedis({
      name,
      mode: 'cluster',
      nodes: cluster.seeds(),
      logger: silentLogger,
      metrics: { enabled: false },
      crossSlot,
      ...extra,
    });
    lab.defer(() => c.close());
    return c;
  };

  before(async () => {
    // No replicas and a long node timeout: a paused primary stays a primary, and the healthy
    // shards keep serving (no FAIL flag, so no CLUSTERDOWN from full coverage) for the test.
    cluster = await lab.cluster({ primaries: 3, replicasPerPrimary: 0, nodeTimeoutMs: 20_000 });
    primaries = await cluster.primaries();
    const perShard = await Promise.all(primaries.map((p) => cluster.keysForShard(p, 2, 'xs')));
    keys = [...perShard.map((k) => k[0]!), ...perShard.map((k) => k[1]!)];
    redis = client('xs', { split: true, splitMset: true });
    await redis.connect();
  });

  test('options: off by default (CrossSlotError), MSET needs its own opt-in, bad values are rejected', { timeout: 10_000 }, async () => {
    const plain = client('xs-default', undefined);
    await assert.rejects(plain.mget(keys[0]!, keys[1]!), (e: unknown) => isCrossSlotError(e));
    const noMset = client('xs-no-mset', { split: true });
    await assert.rejects(noMset.mset(keys[0]!, 'a', keys[1]!, 'b'), (e: unknown) => isCrossSlotError(e));
    assert.deepEqual(await noMset.mget(keys[0]!, keys[1]!), [null, null]);
    for (const crossSlot of [{ split: 'yes' }, { splitMset: true }, { split: true, atomic: true }, 5]) {
      assert.throws(
        () => createResilientRedis({ mode: 'cluster', nodes: cluster.seeds(), crossSlot } as never),
        (e: unknown) => isInvalidOptionsError(e) && /crossSlot/.test((e as Error).message),
      );
    }
    assert.throws(
      () => createResilientRedis({ mode: 'standalone', node: cluster.seeds()[0]!, crossSlot: { split: true } } as never),
      (e: unknown) => isInvalidOptionsError(e) && /crossSlot/.test((e as Error).message),
    );
  });

  test(
    "MSET, MGET, EXISTS, TOUCH, DEL and UNLINK across every shard: one call each, replies in the caller's order",
    { timeout: 10_000 },
    async () => {
      // Interleave shards so that the merge, not the grouping, restores the order.
      const order = [keys[0]!, keys[4]!, keys[2]!, keys[3]!, keys[1]!, keys[5]!];
      assert.equal(await redis.mset(...order.flatMap((k, i) => [k, `v${i}`])), 'OK');
      // Each value sits on the primary that owns its slot (no MOVED, no second copy elsewhere).
      for (const [i, k] of order.entries()) assert.equal(await (await cluster.slotOwner(slotOfKey(k))).command('GET', k), `v${i}`);
      assert.deepEqual(await redis.mget(order[5]!, 'missing-{zz}', order[0]!, order[3]!, order[1]!), ['v5', null, 'v0', 'v3', 'v1']);
      assert.deepEqual(await redis.mgetBuffer(order[2]!, order[4]!), [Buffer.from('v2'), Buffer.from('v4')]);
      assert.equal(
        await redis.exists(order[0]!, order[1]!, 'missing-{zz}', order[0]!),
        3,
        'EXISTS counts a repeated key twice, as Redis does',
      );
      assert.equal(await redis.touch(...order), 6);
      assert.equal(await redis.del(order[0]!, order[1]!, order[2]!), 3);
      assert.equal(await redis.unlink(order[3]!, order[4]!, order[5]!, order[0]!), 3);
      assert.equal(await redis.exists(...order), 0);
      // Keys in one slot are not split at all: Redis's own multi-key command runs.
      assert.equal(await redis.mset('{one}:a', '1', '{one}:b', '2'), 'OK');
      assert.deepEqual(await redis.mget('{one}:a', '{one}:b'), ['1', '2']);
    },
  );

  test('keys with an empty hash tag go straight to the shard Redis hashes them to (no MOVED)', { timeout: 10_000 }, async () => {
    // Redis hashes the whole key after an empty tag; cluster-key-slot (ioredis's) hashes a
    // later tag instead, a MOVED on every such call: 'foo{}{bar}' is 8363 vs 4015, '{}}' 14790 vs 0.
    const tricky = ['foo{}{bar}', '{}}', 'a{}b{c}d'];
    for (const k of tricky) {
      const slot = Number(await primaries[0]!.command('CLUSTER', 'KEYSLOT', k));
      assert.equal(slotOfKey(k) === slot, false, `${k}: the lab's slotOfKey (cluster-key-slot) disagrees with Redis, which is the point`);
    }
    const movedBefore = await movedReplies(primaries);
    for (const k of tricky) assert.equal(await redis.set(k, 'v'), 'OK');
    assert.deepEqual(await redis.mget(...tricky), ['v', 'v', 'v']);
    assert.equal(await redis.del(...tricky), 3);
    assert.equal((await movedReplies(primaries)) - movedBefore, 0, 'no node answered MOVED');
  });

  test('a key prefix is applied once, before the split', { timeout: 10_000 }, async () => {
    const prefixed = client('xs-prefix', { split: true, splitMset: true }, { keyPrefix: 'p:' });
    assert.equal(await prefixed.mset(keys[0]!, 'a', keys[1]!, 'b', keys[2]!, 'c'), 'OK');
    assert.equal(await (await cluster.slotOwner(slotOfKey(`p:${keys[1]!}`))).command('GET', `p:${keys[1]!}`), 'b');
    assert.deepEqual(await prefixed.mget(keys[2]!, keys[0]!, keys[1]!), ['c', 'a', 'b']);
    assert.equal(await prefixed.del(keys[0]!, keys[1]!, keys[2]!), 3);
  });

  test(
    "with one shard's breaker open, the healthy parts complete and one PartialFailureError names the failing part",
    { timeout: 10_000 },
    async () => {
      const victim = primaries[1]!;
      assert.equal(await redis.mset(keys[0]!, 'a', keys[1]!, 'b', keys[2]!, 'c', keys[3]!, 'd'), 'OK');
      assert.ok(redis.controlBreaker(victim.address, 'open'));
      try {
        const error = await redis.mget(keys[3]!, keys[1]!, keys[2]!, keys[0]!).then(
          () => assert.fail('MGET with a shard behind an open breaker must reject'),
          (e: unknown) => e as PartialFailureError,
        );
        assert.ok(isPartialFailureError(error), String(error));
        assert.equal(error.code, ErrorCodes.partialFailure);
        assert.equal(error.failed.length, 1);
        const failed = error.failed[0]!;
        assert.equal(failed.node, victim.address);
        assert.deepEqual(failed.keyIndexes, [1], 'the failing part is the second key the caller passed');
        assert.ok(isCircuitOpenError(failed.error), String(failed.error));
        assert.match(
          error.message,
          new RegExp(`slot ${slotOfKey(keys[1]!)} on node ${victim.address.replace(/\./g, '\\.')} \\(ERR_CIRCUIT_OPEN\\)`),
        );
        // No key value leaks into the message.
        for (const k of keys) assert.ok(!error.message.includes(k), 'the message names slots and nodes, never keys');
        const healthy = error.parts
          .filter((p) => p.error === undefined)
          .flatMap((p) => p.keyIndexes.map((at, j) => [at, (p.value as unknown[])[j]]));
        assert.deepEqual(healthy.sort(), [
          [0, 'd'],
          [2, 'c'],
          [3, 'a'],
        ]);
        // Writes on the healthy shards took effect; the victim's key was never touched.
        const del = await redis.del(keys[0]!, keys[1]!, keys[2]!).catch((e: unknown) => e as PartialFailureError);
        assert.ok(isPartialFailureError(del));
        assert.equal(await primaries[0]!.command('EXISTS', keys[0]!), 0);
        assert.equal(await primaries[2]!.command('EXISTS', keys[2]!), 0);
        assert.equal(await victim.command('GET', keys[1]!), 'b');
      } finally {
        redis.controlBreaker(victim.address, 'close');
      }
      assert.deepEqual(await redis.mget(keys[1]!, keys[3]!), ['b', 'd']);
    },
  );

  test(
    'with one primary hung (SIGSTOP), the other parts answer at once and the call fails within its deadline naming that node',
    { timeout: 15_000 },
    async () => {
      const fast = client('xs-hung', { split: true }, { policy: { attemptTimeoutMs: 150, totalTimeoutMs: 400 } });
      await fast.connect();
      const victim = primaries[2]!;
      await redis.mset(keys[0]!, 'a', keys[3]!, 'd');
      await victim.pause();
      try {
        const started = performance.now();
        const healthyPart = fast.mget(keys[0]!, keys[3]!);
        const error = await fast.mget(keys[0]!, keys[2]!, keys[3]!).catch((e: unknown) => e as PartialFailureError);
        const elapsed = performance.now() - started;
        assert.ok(isPartialFailureError(error), String(error));
        assert.deepEqual(
          error.failed.map((p) => [p.node, p.keyIndexes]),
          [[victim.address, [1]]],
        );
        assert.deepEqual(
          error.parts.filter((p) => !p.error).map((p) => p.value),
          [['a'], ['d']],
        );
        assert.ok(elapsed < 400 + 600, `settled after ${elapsed.toFixed(0)} ms (deadline 400 ms)`);
        assert.deepEqual(await healthyPart, ['a', 'd'], 'the same keys without the hung shard are served normally');
      } finally {
        await victim.resume();
      }
    },
  );
});
