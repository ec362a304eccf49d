// One shard of a 3x2 cluster fails by SIGKILL with cluster-require-full-coverage yes (the Redis
// default): every node answers CLUSTERDOWN for *all* slots between the moment the failed primary
// is flagged FAIL and its replica's promotion (~0.5-1 s). No client can keep healthy shards at a
// 50 ms p99 through that; it can only ride it out with retries. Asserts that healthy-shard calls
// that waited out the servers' refusal finish the moment the servers accept again, measured
// against the nodes' own record of that moment (cluster-refusal-window.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ClusterRouter } from '../../src/core/client/cluster-router.js';
import { assertBounded, assertNoLoss, assertRecovered } from './cluster-shard-assertions.js';
import { shardFailoverLab } from './cluster-shard-lab.js';

describe('cluster: one shard fails under load with full coverage required', { timeout: 240_000 }, () => {
  const shards = shardFailoverLab();

  test(
    'SIGKILL of a primary with cluster-require-full-coverage yes (the Redis default): healthy shards ride through CLUSTERDOWN',
    { timeout: 60_000 },
    async () => {
      await shards.setFullCoverage('yes');
      try {
        const client = await shards.resilientClient('full-coverage');
        const run = await shards.runResilient(client, {
          scenario: 'SIGKILL, full coverage',
          victimIndex: 0,
          watchRefusal: true,
          ...(process.env.TRACE_LATE_CALLS ? { router: client.router as ClusterRouter } : {}),
          ...shards.sigkill(),
        });
        console.log(JSON.stringify(run));
        assertRecovered(run);
        // Every shard answered CLUSTERDOWN until the promotion: slow calls, but no errors.
        for (const h of run.healthy) assert.equal(h.errors, 0, `healthy shard ${h.group}: ${JSON.stringify(h.errorsByCode)}`);
        // Calls that waited out the servers' refusal finish the moment the servers accept again,
        // released by the first call that gets through, not by their own backoff.
        const refusal = run.refusal;
        assert.ok(refusal && refusal.waited > 10, `the servers refused queries and calls waited it out: ${JSON.stringify(refusal)}`);
        console.log(
          `servers refused from ${refusal.fromMs} to ${refusal.untilMs} ms after the fault (end from the ${refusal.untilFrom}` +
            `${refusal.pollVsLogMs === undefined ? '' : `, the poll ${refusal.pollVsLogMs} ms off it`}); ${refusal.waited} healthy-shard calls waited it out, ` +
            `finishing p99 ${refusal.excessP99Ms} ms, max ${refusal.excessMaxMs} ms after; without the machine's share (up to ${refusal.stolenMaxMs} ms ` +
            `given to other processes) p99 ${refusal.ownP99Ms} ms, max ${refusal.ownMaxMs} ms. First success ${refusal.firstOkMs} ms after; ` +
            `event-loop delay up to ${refusal.loopDelayMaxMs} ms then, ${refusal.gcMs} ms of GC (run p99 ${refusal.loopDelayRunMs.p99}, max ${refusal.loopDelayRunMs.max} ms)`,
        );
        for (const line of refusal.late) console.log(`late: ${line}`);
        // The bound is on what the library adds: a call that slept past the evidence (its own
        // backoff, a poll) is late by its own work or timers, which are never taken off; only the
        // time this process was runnable but off the CPU (a loaded 2-core CI box) is.
        assert.ok(
          refusal.ownP99Ms <= 20,
          `excess beyond the servers' refusal p99 ${refusal.ownP99Ms} ms > 20 ms (raw ${refusal.excessP99Ms} ms)`,
        );
        assert.ok(
          refusal.ownMaxMs <= 50,
          `excess beyond the servers' refusal max ${refusal.ownMaxMs} ms > 50 ms (raw ${refusal.excessMaxMs} ms)`,
        );
        assertBounded(run);
        assertNoLoss(run, true);
        await client.close();
      } finally {
        await shards.setFullCoverage('no');
      }
    },
  );
});
