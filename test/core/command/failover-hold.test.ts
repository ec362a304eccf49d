// The failover hold (policy.holdDuringFailoverMs): bounded by the hold, by the call's deadline
// (keeping room for the attempt after it) and by the node's queue limit; off by default.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { holdForFailover } from '../../../src/core/command/failover-hold.js';
import { policyPresets } from '../../../src/index.js';
import { FakeEndpoint, FakeRouter } from './command-path-fakes.js';

const policy = { ...policyPresets.cluster, holdDuringFailoverMs: 2000, attemptTimeoutMs: 500 };

describe('holdForFailover', { timeout: 5000 }, () => {
  test('off by default: fail fast', () => {
    const router = new FakeRouter(new FakeEndpoint('a:1'));
    router.failover = new Promise(() => {});
    assert.equal(holdForFailover(policyPresets.cluster, router, router.primary.asEndpoint(), performance.now() + 2000), undefined);
  });

  test('no failover expected to rescue the node: fail fast', () => {
    const router = new FakeRouter(new FakeEndpoint('a:1'));
    assert.equal(holdForFailover(policy, router, router.primary.asEndpoint(), performance.now() + 2000), undefined);
  });

  test('resolves when the failover does, and counts the holder while it waits', async () => {
    const router = new FakeRouter(new FakeEndpoint('a:1'));
    let done!: () => void;
    router.failover = new Promise((r) => (done = r));
    const hold = holdForFailover(policy, router, router.primary.asEndpoint(), performance.now() + 2000);
    assert.ok(hold);
    assert.equal(router.primary.holding, 1);
    done();
    await hold;
    assert.equal(router.primary.holding, 0);
  });

  test('ends in time for one attempt before the deadline, even if the failover does not', async () => {
    const router = new FakeRouter(new FakeEndpoint('a:1'));
    router.failover = new Promise(() => {});
    const start = performance.now();
    await holdForFailover(policy, router, router.primary.asEndpoint(), start + 600);
    const waited = performance.now() - start;
    assert.ok(waited >= 300 && waited < 500, `left 250 ms for the attempt: waited ${waited.toFixed(0)} ms`);
  });

  test('no room left before the deadline, or the queue limit reached: no hold', () => {
    const router = new FakeRouter(new FakeEndpoint('a:1'));
    router.failover = new Promise(() => {});
    assert.equal(holdForFailover(policy, router, router.primary.asEndpoint(), performance.now() + 100), undefined);
    router.primary.holding = policy.maxQueueLength;
    assert.equal(holdForFailover(policy, router, router.primary.asEndpoint(), performance.now() + 2000), undefined);
  });
});
