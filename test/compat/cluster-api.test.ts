// The ioredis Cluster surface that libraries use, on a real 3-shard cluster: instanceof
// Cluster, isCluster, nodes(role) through each node's breaker, scanStream over every primary,
// the keyless fan-out (KEYS, DBSIZE, FLUSHDB, SCRIPT LOAD/EXISTS) and Cluster.duplicate's shape.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Cluster, Redis } from 'ioredis';
import { FAN_OUT_COMMANDS, isCircuitOpenError, isInvalidOptionsError, type ResilientRedis } from '../../src/index.js';
import { compatClient } from './compat-clients.js';
import { type ClusterLab, createLab } from '../support/lab.js';

describe('cluster API parity', { timeout: 60_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());
  let cluster: ClusterLab;
  let redis: ResilientRedis;
  let keys: string[];

  before(async () => {
    cluster = await lab.cluster({ primaries: 3, replicasPerPrimary: 0 });
    // One seed: the client finds the other shards itself.
    redis = compatClient(lab, { name: 'api', mode: 'cluster', nodes: cluster.seeds().slice(0, 1) });
    await redis.connect();
    keys = await Promise.all((await cluster.primaries()).map((p) => cluster.keyForNode(p, 'api')));
    for (const k of keys) await redis.set(k, 'v');
  });

  test('is an ioredis Cluster, not a Redis', () => {
    assert.ok((redis as object) instanceof Cluster);
    assert.ok(!((redis as object) instanceof Redis));
    assert.equal(redis.isCluster, true);
  });

  test('nodes(role) gives one client per primary; a forced-open breaker fails that node only', async () => {
    const masters = redis.nodes('master');
    assert.equal(masters.length, 3);
    assert.deepEqual(masters.map((n) => n.address).toSorted(), (await cluster.primaries()).map((p) => p.address).toSorted());
    assert.deepEqual(await Promise.all(masters.map((n) => n.ping())), ['PONG', 'PONG', 'PONG']);
    const [first, second] = masters as [(typeof masters)[0], (typeof masters)[0]];
    redis.controlBreaker(first.address, 'open');
    try {
      await assert.rejects(first.dbsize(), isCircuitOpenError);
      assert.ok((await second.dbsize()) >= 1);
    } finally {
      redis.controlBreaker(first.address, 'close');
    }
  });

  test('keyless commands fan out to every primary and merge', async () => {
    assert.ok(FAN_OUT_COMMANDS.includes('keys'));
    assert.deepEqual((await redis.keys('{api*')).toSorted(), keys.toSorted());
    assert.equal(await redis.dbsize(), keys.length);
    const sha = await redis.script('LOAD', 'return 1');
    assert.deepEqual(await redis.script('EXISTS', sha as string), [1]);
    for (const p of await cluster.primaries()) assert.deepEqual(await p.command('SCRIPT', 'EXISTS', sha as string), [1]);
  });

  test('scanStream walks every primary', async () => {
    const seen: string[] = [];
    for await (const batch of redis.scanStream({ match: '{api*', count: 10 })) seen.push(...(batch as string[]));
    assert.deepEqual([...new Set(seen)].toSorted(), keys.toSorted());
  });

  test('duplicate() takes the Cluster shape (nodes, { redisOptions }) and refuses unknown options', async () => {
    const dup = redis.duplicate(undefined, { redisOptions: { connectionName: 'dup-c' } });
    lab.defer(() => dup.close());
    assert.ok((dup as object) instanceof Cluster);
    await dup.connect();
    assert.deepEqual(await Promise.all(dup.nodes('master').map((n) => n.client('GETNAME'))), ['dup-c', 'dup-c', 'dup-c']);
    assert.throws(
      () => redis.duplicate([], { scaleReads: 'slave' }),
      (e: unknown) => isInvalidOptionsError(e) && /scaleReads/.test(e.message),
    );
  });

  test('FLUSHDB empties every shard', async () => {
    assert.equal(await redis.flushdb(), 'OK');
    assert.equal(await redis.dbsize(), 0);
  });
});
