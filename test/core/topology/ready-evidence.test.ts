// Waiters released on evidence: a success on the node, or its connection back; never left behind.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Endpoint } from '../../../src/core/endpoint/endpoint.js';
import { ReadyEvidence } from '../../../src/core/topology/ready-evidence.js';

const endpoint = (ready = true): { stats: { ok: number }; ready: boolean } => ({ stats: { ok: 0 }, ready });
const settledWithin = async (p: Promise<void>, ms: number): Promise<boolean> =>
  Promise.race([p.then(() => true), sleep(ms).then(() => false)]);

describe('ReadyEvidence', () => {
  it('releases every waiter within a few ms of the first success on their node, and not before', async () => {
    const evidence = new ReadyEvidence(2000);
    const node = endpoint();
    const waiters = Array.from({ length: 50 }, () => evidence.next([node as unknown as Endpoint]));
    assert.equal(await settledWithin(Promise.race(waiters), 30), false, 'no evidence yet');
    const at = performance.now();
    node.stats.ok++;
    // Its poll timer is unref'd (a call's own deadline keeps the process up): wait with a timer.
    assert.equal(
      await settledWithin(
        Promise.all(waiters).then(() => undefined),
        500,
      ),
      true,
    );
    assert.ok(performance.now() - at < 25, `released ${performance.now() - at} ms after the success`);
    assert.equal(evidence.waiting, 0);
  });

  it('releases on a reconnect of a node that was down', async () => {
    const evidence = new ReadyEvidence(2000);
    const node = endpoint(false);
    const waiter = evidence.next([node as unknown as Endpoint]);
    assert.equal(await settledWithin(waiter, 20), false);
    node.ready = true;
    assert.equal(await settledWithin(waiter, 50), true);
  });

  it('drops waiters nobody released after its limit, and releases all on stop', async () => {
    const evidence = new ReadyEvidence(30);
    const expired = evidence.next([endpoint() as unknown as Endpoint]);
    assert.equal(await settledWithin(expired, 200), true);
    const long = new ReadyEvidence(60_000);
    const waiter = long.next([endpoint() as unknown as Endpoint]);
    long.stop();
    assert.equal(await settledWithin(waiter, 20), true);
    assert.equal(long.waiting, 0);
  });
});
