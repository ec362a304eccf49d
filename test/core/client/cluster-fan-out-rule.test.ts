import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Command } from 'ioredis';
import { fanOutRule } from '../../../src/core/client/cluster-fan-out.js';

/** Only the name and arguments are read (a real Command named `constructor` trips ioredis itself). */
const cmd = (name: string, args: string[]): Command => ({ name, args }) as unknown as Command;

test('fan-out rules: by name, by subcommand only for SCRIPT and FUNCTION, never by a key', () => {
  assert.equal(fanOutRule(cmd('flushdb', []))?.(['OK', 'OK']), 'OK');
  assert.equal(fanOutRule(cmd('DBSIZE', []))?.([1, 2, 3]), 6);
  assert.equal(fanOutRule(cmd('script', ['LOAD', 'return 1']))?.(['sha', 'sha']), 'sha');
  assert.equal(fanOutRule(cmd('function', ['flush']))?.(['OK']), 'OK');
  assert.equal(fanOutRule(cmd('script', ['kill'])), undefined);
  // A key that happens to read like a subcommand is a key.
  assert.equal(fanOutRule(cmd('get', ['load'])), undefined);
  assert.equal(fanOutRule(cmd('set', ['flush', 'v'])), undefined);
  // Names of Object.prototype's members are commands like any other (sent with call()).
  assert.equal(fanOutRule(cmd('constructor', [])), undefined);
  assert.equal(fanOutRule(cmd('__proto__', [])), undefined);
});
