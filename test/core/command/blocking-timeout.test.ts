// Where blocking commands keep their server-side timeout, in any casing, and how it is cut so
// that the server never blocks past the caller's deadline.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Command } from 'ioredis';
import { list } from '@ioredis/commands';
import { KNOWN_BLOCKING, blockingTimeoutMs, fitBlockingTimeout, isBlockingName } from '../../../src/core/command/blocking-timeout.js';
import { isBlockingCommand } from '../../../src/core/policy/command-blocking.js';
import { profileCommand } from '../../../src/core/command/command-profile.js';
import { policyPresets } from '../../../src/index.js';

describe('blocking timeouts', { timeout: 5000 }, () => {
  test('every family: last argument, first argument, BLOCK option', () => {
    assert.equal(blockingTimeoutMs('blpop', ['a', 'b', '3']), 3000);
    assert.equal(blockingTimeoutMs('blmove', ['a', 'b', 'LEFT', 'RIGHT', 0.5]), 500);
    assert.equal(blockingTimeoutMs('bzmpop', [2, 1, 'z', 'MIN']), 2000);
    assert.equal(blockingTimeoutMs('xreadgroup', ['GROUP', 'g', 'c', 'block', '150', 'STREAMS', 's', '>']), 150);
    assert.equal(blockingTimeoutMs('xread', ['STREAMS', 's', '0']), undefined, 'XREAD without BLOCK does not block');
    assert.equal(blockingTimeoutMs('blpop', ['k', 'soon']), undefined);
    assert.equal(blockingTimeoutMs('blpop', ['k', 0]), 0);
  });

  test('the profile matches names in any casing (call("BLPOP") must not take the fast lane)', () => {
    for (const name of ['BLPOP', 'BlPoP', 'blpop']) {
      const p = profileCommand(new Command(name, ['q', 3]), policyPresets.standalone);
      assert.equal(p.blocking, true, name);
      assert.equal(p.budget.totalMs, 3000 + policyPresets.standalone.blockingGraceMs);
    }
    assert.equal(isBlockingName('get'), false);
  });

  test('every command that can block has a known timeout position (WAIT and WAITAOF too), or goes on its own connection', () => {
    const unknown = list.filter((n) => isBlockingCommand(n) && !KNOWN_BLOCKING.has(n));
    assert.deepEqual(unknown, ['blmovem'], 'a new blocking command: add its timeout position');
    const p = profileCommand(new Command('blmovem', ['a', 'b', 'LEFT', 'RIGHT', 1, 5]), policyPresets.standalone);
    assert.equal(p.blocking, true);
    assert.equal(p.budget.attemptMs, policyPresets.standalone.attemptTimeoutMs);
    assert.equal(blockingTimeoutMs('wait', [1, 250]), 250);
    assert.equal(blockingTimeoutMs('waitaof', [1, 0, 0]), 0);
  });

  test('the block is cut to fit, never lengthened, and forever is never cut', () => {
    assert.deepEqual(fitBlockingTimeout('blpop', ['k', 3], 1200), ['k', '1.200']);
    assert.deepEqual(fitBlockingTimeout('bzmpop', [3, 1, 'z', 'MIN'], 999.9), ['0.999', 1, 'z', 'MIN']);
    assert.deepEqual(fitBlockingTimeout('xread', ['BLOCK', 5000, 'STREAMS', 's', '$'], 700), ['BLOCK', '700', 'STREAMS', 's', '$']);
    const fits = ['k', 1];
    assert.equal(fitBlockingTimeout('blpop', fits, 5000), fits);
    const forever = ['k', 0];
    assert.equal(fitBlockingTimeout('blpop', forever, 100), forever);
  });
});
