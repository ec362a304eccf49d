import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createShardBreaker } from '../../../src/core/breaker/opossum-breaker.js';
import { AttemptFailure, BreakerRejection, type BreakerListener } from '../../../src/core/breaker/shard-breaker.js';
import { breakerPresets } from '../../../src/core/options/presets.js';
import { classifyFailure } from '../../../src/core/policy/classify-failure.js';

function recorder(): BreakerListener & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    opened: (rate, forced) => log.push(`opened${forced ? ':forced' : ''}`),
    halfOpened: () => log.push('half'),
    closed: (forced) => log.push(`closed${forced ? ':forced' : ''}`),
  };
}

const timeout = () => new AttemptFailure(new Error('Command timed out'), classifyFailure(new Error('Command timed out')));
const wrongType = () => {
  const e = Object.assign(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), { name: 'ReplyError' });
  return new AttemptFailure(e, classifyFailure(e));
};
const fail = (f: AttemptFailure) => () => Promise.reject(f);
const ok = () => Promise.resolve('OK');
const waitUntil = async (cond: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

test('consecutive node failures open the breaker, which then rejects without calling', async () => {
  const l = recorder();
  const b = createShardBreaker({ ...breakerPresets.cluster, resetTimeoutMs: 60_000 }, l);
  for (let i = 0; i < 20; i++) await b.run(ok);
  for (let i = 0; i < 3; i++) await b.run(fail(timeout())).catch(() => {});
  assert.equal(b.state, 'open');
  assert.deepEqual(l.log, ['opened']);
  let called = false;
  await assert.rejects(
    b.run(async () => ((called = true), 'x')),
    (e) => e instanceof BreakerRejection && e.retryAfterMs > 59_000,
  );
  assert.equal(called, false);
  b.dispose();
});

test('user errors at 100 % never open the breaker', async () => {
  const b = createShardBreaker(breakerPresets.cluster, recorder());
  for (let i = 0; i < 200; i++) await b.run(fail(wrongType())).catch(() => {});
  assert.equal(b.state, 'closed');
  assert.equal(b.failureRate(), 0);
  b.dispose();
});

test('a failure rate over the threshold opens it even with successes in between', async () => {
  const b = createShardBreaker({ ...breakerPresets.cluster, consecutiveFailuresToOpen: 100, resetTimeoutMs: 60_000 }, recorder());
  for (let i = 0; i < 10 && b.state === 'closed'; i++) {
    await b.run(ok);
    await b.run(fail(timeout())).catch(() => {});
    await b.run(fail(timeout())).catch(() => {});
  }
  assert.equal(b.state, 'open');
  b.dispose();
});

test('after resetTimeout one probe goes through; its success closes the breaker', async () => {
  const l = recorder();
  const b = createShardBreaker({ ...breakerPresets.cluster, resetTimeoutMs: 50 }, l);
  for (let i = 0; i < 3; i++) await b.run(fail(timeout())).catch(() => {});
  assert.equal(b.state, 'open');
  await waitUntil(() => b.state === 'half-open', 2000);
  let release!: () => void;
  const probe = b.run(() => new Promise<string>((r) => (release = () => r('OK'))));
  // While the probe is in flight, everything else is still refused.
  await assert.rejects(b.run(ok), (e) => e instanceof BreakerRejection);
  release();
  assert.equal(await probe, 'OK');
  assert.equal(b.state, 'closed');
  assert.deepEqual(l.log, ['opened', 'half', 'closed']);
  b.dispose();
});

test('the fast lane counts like run(): failures recorded while closed open the breaker', async () => {
  const b = createShardBreaker({ ...breakerPresets.cluster, resetTimeoutMs: 60_000 }, recorder());
  for (let i = 0; i < 50; i++) b.recordSuccess();
  assert.equal(b.isClosed, true);
  for (let i = 0; i < 3; i++) b.recordFailure(timeout());
  await waitUntil(() => b.state === 'open', 1000);
  assert.equal(b.isClosed, false);
  b.dispose();
});

test('an operator can force it open (held through half-open) and close it again', async () => {
  const l = recorder();
  const b = createShardBreaker({ ...breakerPresets.cluster, resetTimeoutMs: 30 }, l);
  b.forceOpen();
  assert.equal(b.state, 'open');
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(b.state, 'open', 'a forced breaker does not half-open');
  b.forceClose();
  assert.equal(b.state, 'closed');
  assert.deepEqual(l.log, ['opened:forced', 'closed:forced']);
  b.dispose();
});

test('a proven recovery closes an open breaker at once, but never a forced one', async () => {
  const b = createShardBreaker({ ...breakerPresets.cluster, resetTimeoutMs: 60_000 }, recorder());
  for (let i = 0; i < 3; i++) await b.run(fail(timeout())).catch(() => {});
  assert.equal(b.state, 'open');
  b.noteRecovered();
  assert.equal(b.state, 'closed');
  b.forceOpen();
  b.noteRecovered();
  assert.equal(b.state, 'open');
  b.dispose();
});
