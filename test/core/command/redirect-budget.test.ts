// While a slot changes owner, its two nodes can send a call back and forth (MOVED, MOVED...)
// for the moment between their SETSLOTs. Redirects get their own budget, back off after the
// first, and never use up the attempts a failing node would get.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ReplyError } from 'ioredis';
import { MAX_REDIRECTS, decideRetry } from '../../../src/core/command/retry-decision.js';
import { classifyFailure } from '../../../src/core/policy/classify-failure.js';
import { policyPresets } from '../../../src/index.js';

const policy = { ...policyPresets.cluster, maxAttempts: 3, backoffBaseMs: 10, backoffMaxMs: 40 };
const moved = classifyFailure(new ReplyError('MOVED 3999 127.0.0.1:7001'), { sent: true, command: 'get' });
const ask = classifyFailure(new ReplyError('ASK 3999 127.0.0.1:7001'), { sent: true, command: 'get' });
const timeout = classifyFailure(Object.assign(new Error('Command timed out'), { name: 'TimeoutError' }), { sent: true, command: 'get' });
const far = () => performance.now() + 10_000;

describe('the redirect budget', { timeout: 5000 }, () => {
  test('the first redirect is followed at once; the next ones back off within backoffMaxMs', () => {
    assert.deepEqual(decideRetry(moved, true, 1, far(), policy, 0), { retry: true, delayMs: 0 });
    for (let redirects = 1; redirects < MAX_REDIRECTS; redirects++) {
      const d = decideRetry(moved, true, redirects + 1, far(), policy, redirects);
      assert.ok(d.retry, `redirect ${redirects + 1} is followed`);
      assert.ok(d.retry && d.delayMs >= 0 && d.delayMs <= policy.backoffMaxMs, `redirect ${redirects + 1} waits at most backoffMaxMs`);
    }
  });

  test('a call bounced more often than maxAttempts is still followed, up to MAX_REDIRECTS', () => {
    // attempt counts every failed attempt, redirects included: 5 bounces with maxAttempts 3.
    assert.equal(decideRetry(moved, true, 6, far(), policy, 5).retry, true);
    assert.equal(decideRetry(ask, true, 6, far(), policy, 5).retry, true);
    assert.deepEqual(decideRetry(moved, true, MAX_REDIRECTS + 1, far(), policy, MAX_REDIRECTS), { retry: false, why: 'attempts' });
  });

  test("redirects don't use up the attempts of a failure that follows them", () => {
    // 5 redirects, then a timeout on the owner: its own first failure, so 2 attempts are left.
    assert.equal(decideRetry(timeout, true, 6, far(), policy, 5).retry, true);
    assert.equal(decideRetry(timeout, true, 7, far(), policy, 5).retry, true);
    assert.deepEqual(decideRetry(timeout, true, 8, far(), policy, 5), { retry: false, why: 'attempts' });
  });

  test('the deadline still bounds every redirect', () => {
    assert.deepEqual(decideRetry(moved, true, 1, performance.now() + 1, policy, 0), { retry: false, why: 'deadline' });
  });
});
