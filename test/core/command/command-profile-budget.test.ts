// Blocking commands get their own deadline: their server-side block time plus a grace period,
// and no client deadline at all when the caller asked to block forever.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Command } from 'ioredis';
import { profileCommand } from '../../../src/core/command/command-profile.js';
import { policyPresets } from '../../../src/index.js';

const policy = { ...policyPresets.standalone, attemptTimeoutMs: 300, totalTimeoutMs: 1200, blockingGraceMs: 1000 };
const budget = (name: string, ...args: (string | number)[]) => ({ ...profileCommand(new Command(name, args), policy).budget });
const ordinary = { attemptMs: 300, totalMs: 1200 };

describe('the command profile: budget', { timeout: 5000 }, () => {
  test('ordinary commands: the attempt timeout and the total deadline', () => {
    assert.deepEqual(budget('get', 'k'), ordinary);
    assert.deepEqual(budget('incr', 'k'), ordinary);
  });

  test('BLPOP 1 gets 1 s + grace for its attempt and its total, not the attempt timeout', () => {
    assert.deepEqual(budget('blpop', 'k', 1), { attemptMs: 2000, totalMs: 2000 });
    assert.deepEqual(budget('BLPOP', 'a', 'b', '2.5'), { attemptMs: 3500, totalMs: 3500 });
    assert.deepEqual(budget('brpoplpush', 'a', 'b', 3), { attemptMs: 4000, totalMs: 4000 });
    assert.deepEqual(budget('bzpopmin', 'z', 1), { attemptMs: 2000, totalMs: 2000 });
    assert.deepEqual(budget('blmpop', 1, 1, 'k', 'LEFT'), { attemptMs: 2000, totalMs: 2000 });
  });

  test('BLPOP 0 blocks forever by request: no client deadline at all', () => {
    assert.deepEqual(budget('blpop', 'k', 0), { attemptMs: 0, totalMs: Infinity });
    assert.deepEqual(budget('blpop', 'k', '0'), { attemptMs: 0, totalMs: Infinity });
    assert.deepEqual(budget('xread', 'BLOCK', 0, 'STREAMS', 's', '$'), { attemptMs: 0, totalMs: Infinity });
  });

  test('XREAD BLOCK counts milliseconds', () => {
    assert.deepEqual(budget('xread', 'BLOCK', 250, 'STREAMS', 's', '$'), { attemptMs: 1250, totalMs: 1250 });
  });

  test('a blocking-family command that does not block this time is an ordinary call', () => {
    // XREAD without BLOCK answers at once: it must not get an unbounded deadline.
    assert.deepEqual(budget('xread', 'STREAMS', 's', '0'), ordinary);
    assert.deepEqual(budget('xreadgroup', 'GROUP', 'g', 'c', 'STREAMS', 's', '>'), ordinary);
  });

  test('an unparsable timeout gets the ordinary budget (Redis rejects it at once)', () => {
    assert.deepEqual(budget('blpop', 'k', 'soon'), ordinary);
  });
});
