// One shard of a 3x2 cluster fails (hung host, crash, planned failover) under steady load on
// every shard. Asserts what users feel on the failed shard and on the healthy ones, and runs
// plain ioredis (`new Cluster(seeds)`, default options) through the same faults for comparison.
//
// The nodes run with cluster-require-full-coverage no. With the Redis default (yes), every
// node answers CLUSTERDOWN for *all* slots between the moment the failed primary is flagged
// FAIL and its replica's promotion (~0.5-1 s): no client can keep healthy shards at a 50 ms p99
// through that, it can only ride it out with retries: cluster-shard-full-coverage.test.ts
// measures that, and cluster-outage.test.ts covers a cluster that is down as a whole.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Registry } from 'prom-client';
import type { ResilienceEvent } from '../../src/index.js';
import { assertPromtoolAccepts, fallbackReads } from './cluster-metrics-check.js';
import { DEADLINE_MS, type FaultRun, printComparison, runShardFault } from './cluster-failover-harness.js';
import { assertBounded, assertHealthyUntouched, assertNoLoss, assertRecovered } from './cluster-shard-assertions.js';
import { shardFailoverLab } from './cluster-shard-lab.js';

/** Calls past their deadline, plus calls that never settled. */
function pastDeadline(r: FaultRun): number {
  return r.failed.pastDeadline + r.healthy.reduce((n, h) => n + h.pastDeadline, 0) + r.hung;
}

describe('cluster: one shard fails under load', { timeout: 240_000 }, () => {
  const shards = shardFailoverLab();
  const { resilientClient, runResilient, ioredisClient, sigstop, sigkill, planned } = shards;
  const runs: FaultRun[] = [];

  test('SIGSTOP of a primary (hung host)', { timeout: 60_000 }, async () => {
    const client = await resilientClient('sigstop');
    const run = await runResilient(client, {
      scenario: 'SIGSTOP primary',
      victimIndex: 0,
      ...sigstop(),
    });
    runs.push(run);
    console.log(JSON.stringify(run));
    assertRecovered(run);
    assertHealthyUntouched(run);
    assertBounded(run);
    assertNoLoss(run, false);
    await client.close();
  });

  test('SIGKILL of a primary', { timeout: 60_000 }, async () => {
    const client = await resilientClient('sigkill');
    const run = await runResilient(client, {
      scenario: 'SIGKILL primary',
      victimIndex: 1,
      ...sigkill(),
    });
    runs.push(run);
    console.log(JSON.stringify(run));
    assertRecovered(run);
    assertHealthyUntouched(run);
    assertBounded(run);
    assertNoLoss(run, true);
    await client.close();
  });

  test('SIGKILL with holdDuringFailoverMs: calls issued shortly before the promotion succeed after it', { timeout: 60_000 }, async () => {
    const failFast = runs.find((r) => r.scenario === 'SIGKILL primary' && r.client === 'resilient');
    assert.ok(failFast, 'runs after the fail-fast SIGKILL scenario');
    const client = await resilientClient('sigkill-hold', { holdDuringFailoverMs: DEADLINE_MS });
    const run = await runResilient(client, {
      scenario: 'SIGKILL primary, hold',
      victimIndex: 1,
      ...sigkill(),
    });
    console.log(JSON.stringify(run));
    assertRecovered(run);
    assertHealthyUntouched(run);
    assertBounded(run);
    assertNoLoss(run, true);
    // Holding turns calls issued shortly before the promotion into successes (they wait for
    // it); failing fast loses them. Measured on the same window of each run, so outages of
    // different lengths compare fairly.
    const window = DEADLINE_MS - 500;
    const held = run.successShareBeforeServed(window);
    const fast = failFast.successShareBeforeServed(window);
    console.log(`success share of calls issued ${window} ms before the promotion: hold ${held.toFixed(2)}, fail-fast ${fast.toFixed(2)}`);
    assert.ok(held >= 0.8, `with a hold, calls issued shortly before the promotion should succeed (share ${held})`);
    assert.ok(fast <= 0.2, `failing fast, they fail (share ${fast})`);
    await client.close();
  });

  for (const [fault, plan, victimIndex] of [
    ['SIGSTOP', sigstop, 0],
    ['SIGKILL', sigkill, 1],
  ] as const) {
    test(
      `${fault} of a primary with readFrom 'primary-preferred': its reads go to the replica, through the promotion`,
      { timeout: 60_000 },
      async () => {
        const registry = new Registry();
        const client = await resilientClient(`preferred-${fault}`, {}, 'primary-preferred', registry);
        const replicaReads: ResilienceEvent[] = [];
        client.events$.subscribe(
          (e) => void ((e.type === 'replica_reads.started' || e.type === 'replica_reads.ended') && replicaReads.push(e)),
        );
        const run = await runResilient(client, {
          scenario: `${fault} primary, primary-preferred`,
          victimIndex,
          ...plan(),
        });
        runs.push(run);
        console.log(JSON.stringify(run), JSON.stringify(replicaReads));
        assert.deepEqual(run.failedShardReadErrors, {}, `${fault}: reads of the failed shard failed`);
        assertRecovered(run);
        assertHealthyUntouched(run);
        assertBounded(run);
        assertNoLoss(run, fault === 'SIGKILL');
        // One event when the shard's reads moved, one when its new primary took them: not one per read.
        assert.deepEqual(
          replicaReads.map((e) => e.type),
          ['replica_reads.started', 'replica_reads.ended'],
        );
        const ended = replicaReads[1]!;
        assert.ok(ended.type === 'replica_reads.ended' && ended.reads > 10, `many reads in one episode: ${JSON.stringify(ended)}`);
        // In metrics, the reads the replica served for its down primary carry their own label.
        const scrape = await registry.metrics();
        const marked = fallbackReads(scrape);
        console.log(`${fault}: commands_total{fallback="primary-down"}: ${JSON.stringify(marked)}`);
        const replica = replicaReads[0]!.type === 'replica_reads.started' ? replicaReads[0]!.replica : '';
        assert.deepEqual(Object.keys(marked), [replica], "only the failed shard's replica served reads for a down primary");
        assert.ok(
          marked[replica]! > 10 && marked[replica]! <= ended.reads,
          `the replica's marked reads ${marked[replica]} (episode: ${ended.reads} reads routed)`,
        );
        assertPromtoolAccepts(scrape);
        await client.close();
      },
    );
  }

  test('CLUSTER FAILOVER on a replica (planned)', { timeout: 60_000 }, async () => {
    const client = await resilientClient('planned');
    const run = await runResilient(client, {
      scenario: 'CLUSTER FAILOVER',
      victimIndex: 2,
      ...planned(),
    });
    runs.push(run);
    console.log(JSON.stringify(run));
    // SET without options is idempotent and GET is a read: no error may reach the caller.
    for (const r of [run.failed, ...run.healthy]) assert.equal(r.errors, 0, `${r.group}: ${JSON.stringify(r.errorsByCode)}`);
    assertBounded(run);
    assertNoLoss(run, false);
    await client.close();
  });

  test('plain ioredis through the same faults, side by side', { timeout: 120_000 }, async () => {
    for (const [scenario, fault, victimIndex] of [
      ['SIGSTOP primary', sigstop(), 0],
      ['SIGKILL primary', sigkill(), 1],
      ['CLUSTER FAILOVER', planned(), 2],
    ] as const) {
      const client = ioredisClient();
      // ioredis calls to a hung node wait for it: give them a bounded settle, then restore.
      runs.push(
        await runShardFault({ scenario, cluster: shards.cluster, client, clientKind: 'ioredis', victimIndex, settleMs: 1000, ...fault }),
      );
      client.disconnect();
    }
    printComparison(runs);
    const ours = runs.filter((r) => r.client === 'resilient');
    const theirs = runs.filter((r) => r.client === 'ioredis');
    assert.equal(theirs.length, 3);
    for (const run of [...ours, ...theirs]) {
      assert.ok(
        run.healthy.every((h) => h.calls > 100),
        `${run.client} ${run.scenario}: the probe ran`,
      );
      if (run.client === 'ioredis') console.log(JSON.stringify(run));
    }
    // The comparison only means something if ours is never worse on what we promise.
    for (const o of ours) {
      const t = theirs.find((r) => r.scenario === o.scenario);
      if (!t) continue;
      assert.ok(
        pastDeadline(o) <= pastDeadline(t),
        `${o.scenario}: resilient ${pastDeadline(o)} calls past deadline vs ioredis ${pastDeadline(t)}`,
      );
    }
  });
});
