// readFrom 'replica-preferred' on a real 3x1 cluster: reads go to replicas, except replicas
// behind an open breaker or answering LOADING; writes always go to primaries.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Endpoint } from '../../src/core/endpoint/endpoint.js';
import { createResilientRedis, type ResilienceEvent, type ResilientRedis, silentLogger } from '../../src/index.js';
import { type ClusterLab, type RedisNode, createLab, slotOfKey, waitFor } from '../support/lab.js';

describe("cluster readFrom 'replica-preferred'", { timeout: 60_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());
  let cluster: ClusterLab;
  let redis: ResilientRedis;
  let primary: RedisNode;
  let replica: RedisNode;
  let key: string;
  const events: ResilienceEvent[] = [];

  const endpointOf = (node: RedisNode): Endpoint => redis.router.endpoints().find((e) => e.id === node.address)!;

  /** Reads `n` times and returns how many each node served. */
  async function readMany(n: number): Promise<{ primary: number; replica: number }> {
    const p0 = endpointOf(primary).stats.ok;
    const r0 = endpointOf(replica).stats.ok;
    for (let i = 0; i < n; i++) assert.equal(await redis.get(key), 'value');
    return { primary: endpointOf(primary).stats.ok - p0, replica: endpointOf(replica).stats.ok - r0 };
  }

  before(async () => {
    cluster = await lab.cluster({ primaries: 3, replicasPerPrimary: 1 });
    primary = (await cluster.primaries())[0]!;
    replica = await cluster.replicaOf(primary);
    key = await cluster.keyForNode(primary, 'replica-read');
    // A replica is listed in CLUSTER SLOTS once it has replicated something: write everywhere.
    for (const p of await cluster.primaries()) {
      await p.command('SET', await cluster.keyForNode(p, 'warm'), 'x');
      await p.command('WAIT', 1, 2000);
    }
    await primary.command('SET', key, 'value');
    await primary.command('WAIT', 1, 2000);
    redis = createResilientRedis({
      name: 'replica-reads',
      mode: 'cluster',
      nodes: cluster.seeds(),
      readFrom: 'replica-preferred',
      logger: silentLogger,
      metrics: { enabled: false },
    });
    lab.defer(() => redis.close());
    redis.events$.subscribe((e) => events.push(e));
    await redis.connect();
    const router = redis.router as import('../../src/core/client/cluster-router.js').ClusterRouter;
    await waitFor(async () => (await router.refreshNow()) && router.snapshot()!.shards.every((s) => s.replicas.length === 1), {
      timeoutMs: 15_000,
      intervalMs: 300,
      what: 'the client to see the replicas',
    });
    await waitFor(() => endpointOf(replica).ready, { timeoutMs: 5000, what: 'the replica connection' });
  });

  test('reads go to the replica, writes to the primary', { timeout: 10_000 }, async () => {
    assert.deepEqual(await readMany(20), { primary: 0, replica: 20 });
    const writeKey = `{${key.slice(1, key.indexOf('}'))}}:w`;
    assert.equal(slotOfKey(writeKey), slotOfKey(key));
    const okBefore = endpointOf(primary).stats.ok;
    assert.equal(await redis.set(writeKey, '1'), 'OK');
    assert.equal(endpointOf(primary).stats.ok, okBefore + 1);
  });

  test('a replica whose breaker is open is skipped', { timeout: 10_000 }, async () => {
    const breaker = endpointOf(replica).breaker;
    breaker.forceOpen();
    try {
      assert.deepEqual(await readMany(10), { primary: 10, replica: 0 });
    } finally {
      breaker.forceClose();
    }
    assert.deepEqual(await readMany(5), { primary: 0, replica: 5 });
  });

  test('a replica answering LOADING is skipped without an error reaching the caller', { timeout: 30_000 }, async () => {
    // A slow reload keeps the replica LOADING for a few seconds, answering -LOADING meanwhile.
    const value = 'x'.repeat(4096);
    for (let i = 0; i < 60; i++) await primary.command('SET', `{${key.slice(1, key.indexOf('}'))}}:bulk${i}`, value);
    await primary.command('WAIT', 1, 2000);
    await replica.command('CONFIG', 'SET', 'key-load-delay', '50000');
    await replica.command('CONFIG', 'SET', 'loading-process-events-interval-bytes', '1024');
    const reloader = await replica.openClient({ commandTimeout: undefined });
    const reload = reloader.call('DEBUG', 'RELOAD').catch(() => {});
    const probe = await replica.openClient({ commandTimeout: 1000, readOnly: true });
    await waitFor(
      () =>
        probe.call('GET', key).then(
          () => false,
          (e: Error) => /LOADING/.test(e.message),
        ),
      {
        timeoutMs: 5000,
        intervalMs: 10,
        what: 'the replica to answer LOADING',
      },
    );
    const retriedBefore = events.filter((e) => e.type === 'command.retried' && e.scenario === 'loading').length;
    const served = await readMany(40);
    const loadingRetries = events.filter((e) => e.type === 'command.retried' && e.scenario === 'loading').length - retriedBefore;
    assert.ok(loadingRetries >= 1, 'the replica was tried and answered LOADING');
    assert.ok(loadingRetries <= 3, `the LOADING replica was avoided, not retried ${loadingRetries} times`);
    assert.ok(served.primary >= 37, `reads served by the primary: ${JSON.stringify(served)}`);
    await replica.command('CONFIG', 'SET', 'key-load-delay', '0');
    await reload;
    await waitFor(async () => (await readMany(1)).replica === 1, {
      timeoutMs: 10_000,
      intervalMs: 100,
      what: 'reads to return to the replica',
    });
  });
});
