// What the cluster shard-failover suites assert about one fault run: the healthy shards
// untouched, every call bounded by its deadline, no acknowledged write lost, and the failed
// shard recovered soon after the promotion.
import assert from 'node:assert/strict';
import { DEADLINE_MS, type FaultRun } from './cluster-failover-harness.js';

export function assertHealthyUntouched(run: FaultRun): void {
  for (const h of run.healthy) {
    assert.equal(h.errors, 0, `${run.scenario}: healthy shard ${h.group} had errors ${JSON.stringify(h.errorsByCode)}`);
    assert.ok(h.p99Ms <= 50, `${run.scenario}: healthy shard ${h.group} p99 ${h.p99Ms} ms > 50 ms`);
  }
}

export function assertBounded(run: FaultRun): void {
  const past = run.failed.pastDeadline + run.healthy.reduce((n, h) => n + h.pastDeadline, 0);
  assert.equal(past, 0, `${run.scenario}: ${past} calls pending past the ${DEADLINE_MS} ms deadline`);
  assert.equal(run.hung, 0, `${run.scenario}: ${run.hung} calls never settled`);
}

export function assertNoLoss(run: FaultRun, allowReplicationWindow: boolean): void {
  assert.deepEqual(run.lost.unexplained, [], `${run.scenario}: acknowledged writes lost`);
  if (!allowReplicationWindow) assert.deepEqual(run.lost.inReplicationWindow, [], `${run.scenario}: writes lost`);
  if (run.lost.inReplicationWindow.length > 0) {
    console.log(`${run.scenario}: lost in Redis's async replication window: ${run.lost.inReplicationWindow.join('; ')}`);
  }
}

export function assertRecovered(run: FaultRun): void {
  const lag = run.failed.recoveryLagMs;
  assert.ok(lag !== undefined, `${run.scenario}: the failed shard never recovered: ${JSON.stringify(run.failed)}`);
  assert.ok(lag <= 500, `${run.scenario}: recovery lag ${lag} ms > 500 ms after the promotion`);
}
