// Whole-cluster outages: a 2-shard cluster that goes CLUSTERDOWN, every node hung at once, and
// every node replaced on new addresses behind the same configuration name.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClusterRouter } from '../../src/core/client/cluster-router.js';
import { createResilientRedis, type ResilienceEvent, type ResilientRedis, silentLogger } from '../../src/index.js';
import { type ClusterLab, type RedisNode, createLab, faults, now } from '../support/lab.js';
import { LoadProbe } from '../support/load-probe.js';
import { allocatePort, releaseClusterPort } from '../support/ports.js';
import { DEADLINE_MS, RATE_PER_SHARD, waitForFullTopology, warmCluster } from './cluster-failover-harness.js';

const HOSTS_A = ['127.0.0.31', '127.0.0.32', '127.0.0.33', '127.0.0.34', '127.0.0.35', '127.0.0.36'];
const HOSTS_B = ['127.0.0.41', '127.0.0.42', '127.0.0.43', '127.0.0.44', '127.0.0.45', '127.0.0.46'];
const CONFIG_NAME = 'clustercfg.lab.test';

/** One load group per shard, with keys of that shard. */
async function groupsOf(cluster: ClusterLab, prefix: string): Promise<Array<{ name: string; keys: string[] }>> {
  const primaries = await cluster.primaries();
  return Promise.all(primaries.map(async (p) => ({ name: p.label, keys: await cluster.keysForShard(p, 24, prefix) })));
}

describe('cluster: whole-cluster outages', { timeout: 200_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());

  function client(name: string, nodes: Array<{ host: string; port: number }>, dnsServer?: string): ResilientRedis {
    const c = createResilientRedis({
      name,
      mode: 'cluster',
      nodes,
      ...(dnsServer ? { dns: { servers: [dnsServer] } } : {}),
      logger: silentLogger,
      metrics: { enabled: false },
    });
    lab.defer(() => c.close());
    return c;
  }

  test(
    '2-primary cluster, one primary SIGSTOPed: calls fail by their deadline, full service soon after cluster_state:ok',
    { timeout: 60_000 },
    async () => {
      const cluster = await lab.cluster({ primaries: 2, replicasPerPrimary: 0 });
      const redis = client('clusterdown', cluster.seeds());
      await redis.connect();
      const [stopped, survivor] = (await cluster.primaries()) as [RedisNode, RedisNode];
      const probe = new LoadProbe({
        client: redis,
        groups: await groupsOf(cluster, 'down'),
        ratePerGroup: RATE_PER_SHARD,
        deadlineMs: DEADLINE_MS,
      });
      probe.start();
      await sleep(1000);
      const faultAt = now();
      await faults.pause(stopped);
      // The survivor is one primary of two, a minority: it refuses even its own slots.
      const failAt = await cluster.waitForClusterState('fail', 10_000, [survivor]);
      await sleep(2500);
      await faults.resume(stopped);
      const okAt = await cluster.waitForClusterOk(15_000);
      await sleep(2500);
      const hung = await probe.stop(DEADLINE_MS + 500);
      const reports = probe.report(faultAt.monoMs, okAt.monoMs);
      console.log(
        JSON.stringify({
          downAfterMs: Math.round(failAt.monoMs - faultAt.monoMs),
          okAfterMs: Math.round(okAt.monoMs - faultAt.monoMs),
          reports,
        }),
      );
      assert.equal(hung, 0, 'calls never settled');
      for (const r of reports) {
        assert.ok(r.errors > 0, `${r.group}: the outage was felt (else this test measures nothing)`);
        assert.equal(r.pastDeadline, 0, `${r.group}: ${r.pastDeadline} calls pending past the deadline`);
        assert.ok(
          r.recoveryLagMs !== undefined && r.recoveryLagMs <= 500,
          `${r.group}: full service ${r.recoveryLagMs} ms after cluster_state:ok`,
        );
      }
      // CLUSTERDOWN never trips a breaker: the survivor's shard answered, it was not sick.
      const survivorEndpoint = redis.router.endpoints().find((e) => e.id === survivor.address);
      assert.equal(survivorEndpoint?.breaker.state, 'closed');
      await redis.close();
    },
  );

  describe('a 3x2 cluster behind a configuration name', () => {
    let port: number;
    let clusterA: ClusterLab;
    let dnsServer: string;

    test(
      'every node SIGSTOPed for 10 s: bounded memory, no call past its deadline, recovery <= 1 s after SIGCONT',
      { timeout: 60_000 },
      async () => {
        const dns = await lab.dns();
        dnsServer = dns.server;
        port = await allocatePort({ hosts: [...HOSTS_A, ...HOSTS_B], clusterBus: true });
        lab.defer(() => releaseClusterPort(port));
        clusterA = await lab.cluster({ hosts: HOSTS_A, port, dns, configEndpoint: CONFIG_NAME, ttl: 1 });
        await warmCluster(clusterA);
        const redis = client('frozen', [{ host: CONFIG_NAME, port }], dnsServer);
        await redis.connect();
        await waitForFullTopology(redis, clusterA);
        const probe = new LoadProbe({
          client: redis,
          groups: await groupsOf(clusterA, 'frozen'),
          ratePerGroup: RATE_PER_SHARD,
          deadlineMs: DEADLINE_MS,
        });
        probe.start();
        await sleep(1000);
        const heapBefore = process.memoryUsage().heapUsed;
        const pausedAt = now();
        await Promise.all(clusterA.nodes.map((n) => faults.pause(n)));
        let maxInFlight = 0;
        let maxHeap = heapBefore;
        while (now().monoMs - pausedAt.monoMs < 10_000) {
          await sleep(250);
          maxInFlight = Math.max(maxInFlight, redis.health().inFlight);
          maxHeap = Math.max(maxHeap, process.memoryUsage().heapUsed);
        }
        const resumedAt = now();
        await Promise.all(clusterA.nodes.map((n) => faults.resume(n)));
        await sleep(4000);
        const hung = await probe.stop(DEADLINE_MS + 500);
        const reports = probe.report(pausedAt.monoMs, resumedAt.monoMs);
        const growthMb = Math.round((maxHeap - heapBefore) / 1e5) / 10;
        console.log(JSON.stringify({ maxInFlight, heapGrowthMb: growthMb, reports }));
        assert.equal(hung, 0, 'calls never settled');
        // Open-loop load at 300 calls/s with a 2 s deadline: at most ~600 calls can be pending.
        const bound = (3 * RATE_PER_SHARD * DEADLINE_MS) / 1000;
        assert.ok(maxInFlight <= bound * 1.2, `in flight ${maxInFlight} > ${bound}`);
        assert.ok(growthMb < 64, `heap grew ${growthMb} MB during the outage`);
        for (const r of reports) {
          assert.equal(r.pastDeadline, 0, `${r.group}: ${r.pastDeadline} calls past the deadline`);
          assert.ok(r.recoveryLagMs !== undefined && r.recoveryLagMs <= 1000, `${r.group}: recovered ${r.recoveryLagMs} ms after SIGCONT`);
        }
        await clusterA.waitForStable(30_000);
        await redis.close();
      },
    );

    test(
      'every node replaced on new addresses behind the same name: found again through DNS, no restart',
      { timeout: 60_000 },
      async () => {
        const dns = await lab.dns();
        const redis = client('moved', [{ host: CONFIG_NAME, port }], dnsServer);
        await redis.connect();
        const events: ResilienceEvent[] = [];
        redis.events$.subscribe((e) => events.push(e));
        const groups = await groupsOf(clusterA, 'moved');
        const probe = new LoadProbe({ client: redis, groups, ratePerGroup: RATE_PER_SHARD, deadlineMs: DEADLINE_MS });
        probe.start();
        await sleep(1000);
        const goneAt = now();
        await clusterA.stop();
        // A full outage first: every known node refuses, and the name still lists them.
        await sleep(1500);
        const queriesBefore = dns.queryCount(CONFIG_NAME);
        const clusterB = await lab.cluster({ hosts: HOSTS_B, port, dns, configEndpoint: CONFIG_NAME, ttl: 1 });
        const servedAt = now();
        await sleep(4000);
        const hung = await probe.stop(DEADLINE_MS + 500);
        const reports = probe.report(goneAt.monoMs, servedAt.monoMs);
        console.log(JSON.stringify({ newClusterAfterMs: Math.round(servedAt.monoMs - goneAt.monoMs), reports }));
        assert.equal(hung, 0);
        for (const r of reports) {
          assert.equal(r.pastDeadline, 0, `${r.group}: ${r.pastDeadline} calls past the deadline`);
          // A refresh that fails backs off up to 2 s; the next one resolves the name again.
          assert.ok(
            r.recoveryLagMs !== undefined && r.recoveryLagMs <= 3000,
            `${r.group}: served again ${r.recoveryLagMs} ms after the new nodes`,
          );
        }
        assert.ok(dns.queryCount(CONFIG_NAME) > queriesBefore, 'the configuration name was resolved again');
        // Only the new nodes remain, each with its own breaker; the old ones were disposed of.
        // (A fresh cluster's replicas appear in CLUSTER SLOTS once they have replicated data.)
        const addresses = redis.router.endpoints().map((e) => e.id);
        assert.ok(
          addresses.every((a) => HOSTS_B.includes(a.split(':')[0]!)),
          `endpoints: ${addresses.join(', ')}`,
        );
        const primariesB = (await clusterB.primaries()).map((n) => n.address).toSorted();
        assert.deepEqual(
          redis.router
            .endpoints()
            .filter((e) => e.role === 'primary')
            .map((e) => e.id)
            .toSorted(),
          primariesB,
        );
        const snapshot = (redis.router as ClusterRouter).snapshot();
        assert.ok(snapshot && snapshot.uncovered === 0);
        assert.ok(events.some((e) => e.type === 'dns.resolved' && e.addresses.every((a) => HOSTS_B.includes(a))));
        assert.equal(await redis.set('{after}:key', 'v'), 'OK');
        assert.equal(clusterB.nodes.length, 6);
        await redis.close();
      },
    );
  });
});
