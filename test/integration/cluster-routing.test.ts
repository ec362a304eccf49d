// Cluster routing on a real 3x1 cluster: slot routing, hash tags, cross-slot errors, and
// pipelines split by shard where each part follows its own shard's breaker.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ClusterRouter } from '../../src/core/client/cluster-router.js';
import {
  ErrorCodes,
  createResilientRedis,
  isCircuitOpenError,
  isCrossSlotError,
  type ResilientRedis,
  silentLogger,
} from '../../src/index.js';
import { type ClusterLab, createLab, slotOfKey } from '../support/lab.js';

describe('cluster routing', { timeout: 60_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());
  let cluster: ClusterLab;
  let redis: ResilientRedis;
  /** One key per shard, in slot order. */
  let keys: string[];

  before(async () => {
    cluster = await lab.cluster({ primaries: 3, replicasPerPrimary: 1 });
    redis = createResilientRedis({
      name: 'routing',
      mode: 'cluster',
      nodes: cluster.seeds().slice(0, 1),
      logger: silentLogger,
      metrics: { enabled: false },
    });
    lab.defer(() => redis.close());
    await redis.connect();
    keys = await Promise.all((await cluster.primaries()).map((p) => cluster.keyForNode(p, 'route')));
  });

  test('finds every shard from one seed and routes each key to the primary that owns its slot', { timeout: 10_000 }, async () => {
    const snapshot = (redis.router as ClusterRouter).snapshot();
    assert.equal(snapshot?.shards.length, 3);
    assert.equal(snapshot?.uncovered, 0);
    for (const [i, key] of keys.entries()) {
      assert.equal(await redis.set(key, `v${i}`), 'OK');
      const owner = await cluster.slotOwner(slotOfKey(key));
      // Written on the owner itself: no MOVED was needed to get there.
      assert.equal(await owner.command('GET', key), `v${i}`);
    }
    assert.deepEqual(await Promise.all(keys.map((k) => redis.get(k))), ['v0', 'v1', 'v2']);
  });

  test('a pipeline or MULTI as the very first call waits for the first topology instead of failing', { timeout: 10_000 }, async () => {
    for (const transaction of [false, true]) {
      const fresh = createResilientRedis({
        name: `first-${transaction}`,
        mode: 'cluster',
        nodes: cluster.seeds().slice(0, 1),
        logger: silentLogger,
        metrics: { enabled: false },
      });
      lab.defer(() => fresh.close());
      // No connect() and no call before: the slot map is not known yet. It used to fail at
      // once with "no cluster node is known yet" against a healthy cluster.
      const batch = transaction
        ? fresh.multi().set('{first}:a', '1').incr('{first}:a')
        : fresh.pipeline().set(keys[0]!, 'p0').get(keys[1]!).get(keys[2]!);
      const results = await batch.exec();
      assert.ok(results, 'not aborted');
      assert.deepEqual(
        results.map(([e]) => e),
        results.map(() => null),
        `every reply of the ${transaction ? 'MULTI' : 'pipeline'} succeeded`,
      );
      if (transaction)
        assert.deepEqual(
          results.map(([, v]) => v),
          ['OK', 2],
        );
    }
  });

  test('multi-key commands work when the keys share a hash tag', { timeout: 10_000 }, async () => {
    assert.equal(await redis.mset('{user:42}:name', 'ada', '{user:42}:email', 'ada@example.test'), 'OK');
    assert.deepEqual(await redis.mget('{user:42}:name', '{user:42}:email'), ['ada', 'ada@example.test']);
    assert.equal(await redis.del('{user:42}:name', '{user:42}:email'), 2);
  });

  test('cross-slot multi-key commands fail with CrossSlotError naming hash tags, before any I/O', { timeout: 10_000 }, async () => {
    const [a, b] = keys as [string, string];
    const error = await redis.mget(a, b).then(
      () => assert.fail('MGET across slots must fail'),
      (e: unknown) => e,
    );
    assert.ok(isCrossSlotError(error));
    assert.equal((error as { code: string }).code, ErrorCodes.crossSlot);
    assert.match((error as Error).message, /hash tag/i);
    assert.match((error as Error).message, /MGET/);
    await assert.rejects(redis.multi().set(a, '1').set(b, '2').exec(), (e: unknown) => isCrossSlotError(e));
  });

  test('a pipeline is split by shard and merged back in order', { timeout: 10_000 }, async () => {
    const p = redis.pipeline();
    keys.forEach((k, i) => p.set(k, `p${i}`));
    keys.forEach((k) => p.get(k));
    const results = await p.exec();
    assert.deepEqual(results, [
      [null, 'OK'],
      [null, 'OK'],
      [null, 'OK'],
      [null, 'p0'],
      [null, 'p1'],
      [null, 'p2'],
    ]);
  });

  test("each pipeline part follows its own shard's breaker", { timeout: 10_000 }, async () => {
    const owner = await cluster.slotOwner(slotOfKey(keys[1]!));
    const endpoint = redis.router.endpoints().find((e) => e.id === owner.address)!;
    endpoint.breaker.forceOpen();
    try {
      const p = redis.pipeline();
      for (const k of keys) p.get(k);
      const results = (await p.exec())!;
      assert.deepEqual(results[0], [null, 'p0']);
      assert.deepEqual(results[2], [null, 'p2']);
      assert.ok(isCircuitOpenError(results[1]![0]), `shard 2 part: ${String(results[1]![0])}`);
      // A single command to that shard fails fast too; the others are untouched.
      await assert.rejects(redis.get(keys[1]!), (e: unknown) => isCircuitOpenError(e));
      assert.equal(await redis.get(keys[0]!), 'p0');
    } finally {
      endpoint.breaker.forceClose();
    }
    assert.equal(await redis.get(keys[1]!), 'p1');
  });

  test('a transaction on one hash tag runs on its shard', { timeout: 10_000 }, async () => {
    const results = await redis.multi().set('{tx}:a', '1').incr('{tx}:a').get('{tx}:a').exec();
    assert.deepEqual(results, [
      [null, 'OK'],
      [null, 2],
      [null, '2'],
    ]);
  });
});
