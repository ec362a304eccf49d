// Issue 12, defects 3, 5 and 10, against real redis-server processes: the commands that take a
// connection over (SUBSCRIBE in any casing, SSUBSCRIBE, MONITOR) get connections of their own
// and never poison the shared one; SUBSCRIBE has a deadline and the library's error family.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { isClientClosedError, isCommandTimeoutError, type ResilientRedis } from '../../src/index.js';
import { type ClusterLab, type RedisNode, createLab, faults, waitFor } from '../support/lab.js';
import { recordedClient, recordedStandalone } from '../support/recorded-client.js';

describe('pub/sub and MONITOR on dedicated connections', { timeout: 90_000 }, () => {
  const lab = createLab();
  let node: RedisNode;
  let redis: ResilientRedis;

  const standalone = (name: string, policy = {}) => recordedStandalone(lab, node, name, { policy }).client;

  before(async () => {
    node = await lab.standalone();
    redis = standalone('pubsub-dedicated');
    await redis.connect();
  });
  after(() => lab.teardown());

  test(
    "call('SUBSCRIBE') in upper or mixed case takes the subscriber connection; the shared one keeps working",
    { timeout: 10_000 },
    async () => {
      assert.equal(await redis.call('SUBSCRIBE', 'pd:upper'), 1);
      assert.equal(await redis.call('PSubscribe', 'pd:up*'), 2);
      const got = once(redis, 'message');
      const pgot = once(redis, 'pmessage');
      assert.equal(await node.command('PUBLISH', 'pd:upper', 'hello'), 2, 'the channel and the pattern subscriber');
      assert.deepEqual(await got, ['pd:upper', 'hello']);
      assert.deepEqual(await pgot, ['pd:up*', 'pd:upper', 'hello']);
      assert.equal(await redis.set('pd:k', 'v'), 'OK');
      assert.equal(await redis.get('pd:k'), 'v');
      assert.equal(await redis.call('UNSUBSCRIBE', 'pd:upper'), 1);
      assert.equal(await redis.call('PUNSUBSCRIBE', 'pd:up*'), 0);
      assert.equal(await node.command('PUBLISH', 'pd:upper', 'nobody'), 0);
    },
  );

  test('MONITOR gets its own connection: it streams commands, and every other call keeps working', { timeout: 10_000 }, async () => {
    const monitor: Redis = await redis.monitor();
    try {
      const seen = new Promise<unknown[]>((resolve) => {
        monitor.on('monitor', (_time: string, args: unknown[]) => {
          if (args[1] === 'pd:monitored') resolve(args);
        });
      });
      assert.equal(await redis.set('pd:monitored', '1'), 'OK');
      assert.deepEqual(
        (await seen).slice(0, 2).map((a) => String(a).toLowerCase()),
        ['set', 'pd:monitored'],
      );
      assert.equal(await redis.get('pd:monitored'), '1');
      assert.equal(await redis.ping(), 'PONG');
    } finally {
      monitor.disconnect();
    }
  });

  test('SSUBSCRIBE works outside a cluster too: on the primary, beside SUBSCRIBE', { timeout: 10_000 }, async () => {
    assert.equal(await redis.ssubscribe('pd:sharded'), 1);
    assert.equal(await redis.subscribe('pd:classic'), 1);
    const got = once(redis, 'smessage');
    const classic = once(redis, 'message');
    assert.equal(await redis.spublish('pd:sharded', 'hi'), 1);
    assert.equal(await redis.publish('pd:classic', 'there'), 1);
    assert.deepEqual(await got, ['pd:sharded', 'hi']);
    assert.deepEqual(await classic, ['pd:classic', 'there']);
    assert.equal(await redis.sunsubscribe('pd:sharded'), 0);
    assert.equal(await redis.unsubscribe('pd:classic'), 0);
    assert.equal(await redis.get('pd:k'), 'v');
  });

  test('SUBSCRIBE to a node that stopped answering fails with CommandTimeoutError within its deadline', { timeout: 15_000 }, async () => {
    const client = standalone('pubsub-deadline', { attemptTimeoutMs: 300, totalTimeoutMs: 600 });
    await client.connect();
    assert.equal(await client.subscribe('pd:a'), 1);
    await faults.pause(node);
    try {
      const started = performance.now();
      const error = await client.subscribe('pd:b').then(
        () => assert.fail('resolved'),
        (e: unknown) => e,
      );
      const took = performance.now() - started;
      assert.ok(isCommandTimeoutError(error), `a CommandTimeoutError, got ${String(error)}`);
      assert.ok(took >= 550 && took < 1100, `settled at its 600 ms deadline, took ${Math.round(took)} ms`);
      // close() settles a SUBSCRIBE still in flight with ClientClosedError, at once.
      const pending = client.subscribe('pd:c').then(
        () => assert.fail('resolved'),
        (e: unknown) => e,
      );
      const closing = performance.now();
      const done = client.close();
      const closed = await pending;
      assert.ok(isClientClosedError(closed), `a ClientClosedError, got ${String(closed)}`);
      assert.ok(performance.now() - closing < 300, 'close() settled it without waiting for the deadline');
      await done;
    } finally {
      await faults.resume(node);
    }
  });

  describe('sharded pub/sub in a cluster', () => {
    let cluster: ClusterLab;
    let client: ResilientRedis;

    before(async () => {
      cluster = await lab.cluster({ primaries: 3, replicasPerPrimary: 0 });
      client = recordedClient(lab, { name: 'pubsub-sharded', mode: 'cluster', nodes: cluster.seeds() }).client;
      await client.connect();
    });

    test(
      'SSUBSCRIBE on every shard: each channel on its slot owner, SPUBLISH delivered, other commands unaffected',
      { timeout: 20_000 },
      async () => {
        const primaries = await cluster.primaries();
        const channels = await Promise.all(primaries.map((p, i) => cluster.keyForNode(p, `pd:shard${i}`)));
        for (const channel of channels) assert.equal(await client.ssubscribe(channel), 1);
        const received: [string, string][] = [];
        client.on('smessage', (channel: string, message: string) => received.push([channel, message]));
        for (const channel of channels)
          assert.equal(await client.spublish(channel, `to ${channel}`), 1, `${channel} has its subscriber on its shard`);
        await waitFor(() => received.length === channels.length || undefined, { timeoutMs: 5000, what: 'every smessage' });
        assert.deepEqual(received.toSorted(), channels.map((c) => [c, `to ${c}`] as [string, string]).toSorted());
        // Each subscription sits on the primary that owns its slot.
        for (const [i, channel] of channels.entries()) {
          assert.deepEqual(await primaries[i]!.command('PUBSUB', 'SHARDNUMSUB', channel), [channel, 1]);
        }
        // The shared connections are not in subscriber mode.
        assert.equal(await client.set(channels[0]!, 'v'), 'OK');
        assert.equal(await client.get(channels[0]!), 'v');
        assert.equal(await client.call('SUNSUBSCRIBE', channels[0]!), 0);
        assert.equal(await client.spublish(channels[0]!, 'gone'), 0);
        // SUNSUBSCRIBE without channels leaves every shard.
        await client.sunsubscribe();
        for (const channel of channels) assert.equal(await client.spublish(channel, 'gone'), 0, channel);
        assert.equal(await client.ssubscribe(channels[1]!), 1, 'and can subscribe again');
        assert.equal(await client.spublish(channels[1]!, 'back'), 1);
      },
    );
  });
});
