// What releases a waiting cluster call: the layout moving (not for CLUSTERDOWN), or evidence
// on its node; a hold only for a primary that a promotion can rescue. And the timeout tally.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Endpoint } from '../../../src/core/endpoint/endpoint.js';
import { EndpointStats } from '../../../src/core/endpoint/endpoint-stats.js';
import type { FailureClass } from '../../../src/core/policy/failure-scenario.js';
import type { ClusterNodeSet } from '../../../src/core/topology/cluster-node-set.js';
import { RetryRelease } from '../../../src/core/topology/retry-release.js';
import { TimeoutTally } from '../../../src/core/topology/timeout-tally.js';

const node = (): Endpoint =>
  ({ stats: new EndpointStats(), ready: true, breaker: { isClosed: true }, client: {}, holdWritesForTick() {} }) as unknown as Endpoint;
const [primary, replica, lone] = [node(), node(), node()];
/** Shard 0: `primary` with `replica`; shard 1: `lone`, no replica. */
const nodes = {
  shardOf: (e: Endpoint) => (e === lone ? 1 : 0),
  primaryOf: (shard: number) => (shard === 0 ? primary : lone),
  replicasOf: (shard: number) => (shard === 0 ? [replica] : []),
} as unknown as ClusterNodeSet;
const policy = { totalTimeoutMs: 2000, backoffMaxMs: 400, holdDuringFailoverMs: 2000 };
const scenario = (s: string): FailureClass => ({ scenario: s }) as unknown as FailureClass;
const settledWithin = async (p: Promise<void> | undefined, ms: number): Promise<boolean> =>
  Promise.race([p!.then(() => true), sleep(ms).then(() => false)]);

describe('RetryRelease', () => {
  it('a layout change releases a retry after a lost connection, not one waiting out CLUSTERDOWN; a success on the node releases both', async () => {
    const release = new RetryRelease(nodes, policy);
    const clusterdown = release.retry(primary, scenario('clusterdown'));
    const connection = release.retry(primary, scenario('connection'));
    release.layoutMoved();
    assert.equal(await settledWithin(connection, 20), true);
    assert.equal(await settledWithin(clusterdown, 20), false, 'a promotion is no proof this node serves yet');
    primary.stats.recordSuccess(1);
    assert.equal(await settledWithin(clusterdown, 20), true);
    assert.equal(release.retry(primary, scenario('tryagain')), undefined, 'TRYAGAIN: the backoff decides');
    release.stop();
  });

  it('holds only a primary with replicas, and releases the hold on the promotion', async () => {
    const release = new RetryRelease(nodes, policy);
    assert.equal(release.failover(lone), undefined, 'no replica to promote');
    assert.equal(release.failover(replica), undefined, 'not a primary');
    const held = release.failover(primary);
    assert.equal(await settledWithin(held, 20), false);
    release.layoutMoved();
    assert.equal(await settledWithin(held, 20), true);
    release.stop();
  });
});

describe('TimeoutTally', () => {
  it('counts timeouts within its window and calls a node suspect for five windows', () => {
    let clock = 1000;
    const tally = new TimeoutTally(20, () => clock);
    const e = node();
    assert.equal(tally.suspect(e), false);
    assert.deepEqual([tally.note(e), tally.note(e)], [1, 2]);
    clock += 30;
    assert.equal(tally.note(e), 1, 'the older ones left the window');
    assert.equal(tally.suspect(e), true);
    clock += 99;
    assert.equal(tally.suspect(e), true, 'still within five windows of the last timeout');
    clock += 1;
    assert.equal(tally.suspect(e), false);
  });
});
