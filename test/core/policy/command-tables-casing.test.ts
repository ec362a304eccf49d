// Redis matches command names (and option words) case-insensitively, so every name-based table
// must too: `call('BLPOP', ...)` or `call('Subscribe', ...)` must be treated like ioredis's own
// lower-case method names (issue 12, defect 3). Property tests over random casings.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { list } from '@ioredis/commands';
import { Command } from 'ioredis';
import {
  getCommandSafety,
  getPipelineSafety,
  isBlockingCommand,
  isReadCommand,
  isRetrySafe,
} from '../../../src/core/policy/command-safety.js';
import { isScriptCommand } from '../../../src/core/policy/script-reply.js';
import { normalizeCommandName } from '../../../src/core/policy/command-name.js';
import { isSubscriberCommand } from '../../../src/core/pubsub/pubsub-commands.js';
import type { Execution } from '../../../src/core/policy/failure-scenario.js';

const RUNS = { numRuns: 2000 };

/** `word` with each letter's case picked at random. */
function randomCase(word: string): fc.Arbitrary<string> {
  return fc
    .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
    .map((upper) => [...word].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch.toLowerCase())).join(''));
}

/** A known command name, and the same name in a random casing. */
const namePair = fc.constantFrom(...list).chain((name) => randomCase(name).map((cased) => [name, cased] as const));

// Option words and subcommands that change a command's class, mixed with keys, values,
// numbers and byte strings.
const WORDS = [
  'NX',
  'XX',
  'GT',
  'LT',
  'GET',
  'CH',
  'INCR',
  'STORE',
  'STOREDIST',
  'SET',
  'INCRBY',
  'BLOCK',
  'STREAMS',
  'KEEPTTL',
  'EX',
  'IFEQ',
  'SLOTS',
  'GETNAME',
  'KILL',
  'LOAD',
  'FLUSH',
  'get',
  'list',
  'setname',
];
const arg = fc.oneof(
  fc.constantFrom(...WORDS).chain(randomCase),
  fc.string({ maxLength: 8 }),
  fc.integer(),
  fc.constantFrom(...WORDS).map((w) => Buffer.from(w.toLowerCase())),
);
const args = fc.array(arg, { maxLength: 6 });

/** The same arguments with every string (and byte string) argument re-cased. */
function recased(values: readonly unknown[], upper: readonly boolean[]): unknown[] {
  return values.map((v, i) => {
    if (typeof v === 'string') return upper[i] ? v.toUpperCase() : v.toLowerCase();
    if (Buffer.isBuffer(v))
      return Buffer.from(upper[i] ? v.toString('latin1').toUpperCase() : v.toString('latin1').toLowerCase(), 'latin1');
    return v;
  });
}

const EXECUTIONS: readonly Execution[] = ['not-executed', 'unknown', 'executed'];

describe('every command-name table is case-insensitive', () => {
  it('the safety table: same class for any casing of the name and of the arguments', () => {
    fc.assert(
      fc.property(namePair, args, fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), ([name, cased], a, upper) => {
        const expected = getCommandSafety(name, a);
        assert.equal(getCommandSafety(cased, a), expected);
        assert.equal(getCommandSafety(cased, recased(a, upper)), expected);
        assert.equal(getCommandSafety(cased), getCommandSafety(name));
      }),
      RUNS,
    );
  });

  it('read/write routing and retry safety: same answer for any casing', () => {
    fc.assert(
      fc.property(namePair, args, fc.constantFrom(...EXECUTIONS), ([name, cased], a, execution) => {
        assert.equal(isReadCommand(cased, a), isReadCommand(name, a));
        assert.equal(isReadCommand(cased, a), getCommandSafety(name, a) === 'read');
        assert.equal(isRetrySafe(cased, a, execution), isRetrySafe(name, a, execution));
      }),
      RUNS,
    );
  });

  it('blocking, pub/sub and script tables: same answer for any casing', () => {
    const extra = [
      'subscribe',
      'psubscribe',
      'ssubscribe',
      'unsubscribe',
      'punsubscribe',
      'sunsubscribe',
      'monitor',
      'eval_ro',
      'fcall_ro',
    ];
    const names = fc.constantFrom(...list, ...extra).chain((name) => randomCase(name).map((cased) => [name, cased] as const));
    fc.assert(
      fc.property(names, args, ([name, cased], a) => {
        assert.equal(isBlockingCommand(cased, a), isBlockingCommand(name, a));
        assert.equal(isBlockingCommand(cased), isBlockingCommand(name));
        assert.equal(isSubscriberCommand(cased), isSubscriberCommand(name));
        assert.equal(isScriptCommand(cased), isScriptCommand(name));
      }),
      RUNS,
    );
  });

  it('pipelines: MULTI/EXEC framing and every command are matched in any casing', () => {
    const command = fc.tuple(namePair, args).map(([[name, cased], a]) => ({ name, cased, args: a }));
    fc.assert(
      fc.property(fc.array(command, { maxLength: 5 }), randomCase('multi'), randomCase('exec'), (commands, multi, exec) => {
        const plain = [{ name: 'multi' }, ...commands.map((c) => ({ name: c.name, args: c.args })), { name: 'exec' }];
        const cased = [{ name: multi }, ...commands.map((c) => ({ name: c.cased, args: c.args })), { name: exec }];
        assert.equal(getPipelineSafety(cased), getPipelineSafety(plain));
        // Without WATCH the framing adds nothing: the transaction is as safe as what it wraps.
        if (!commands.some((c) => c.name === 'watch')) assert.equal(getPipelineSafety(plain), getPipelineSafety(plain.slice(1, -1)));
      }),
      RUNS,
    );
  });

  it('routing: the key positions ioredis finds (what the cluster router hashes) do not depend on casing', () => {
    const keyArgs = fc.array(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('STREAMS', 'STORE', 'BY', '2')), { maxLength: 6 });
    fc.assert(
      fc.property(namePair, keyArgs, ([name, cased], a) => {
        const keys = (n: string): unknown => {
          try {
            return new Command(n, [...a]).getKeys();
          } catch (error) {
            return String(error);
          }
        };
        assert.deepEqual(keys(cased), keys(name));
      }),
      RUNS,
    );
  });

  it('one normalising helper: the lower-case name', () => {
    fc.assert(
      fc.property(namePair, ([name, cased]) => {
        assert.equal(normalizeCommandName(cased), name);
      }),
      RUNS,
    );
  });

  it('names ioredis would send differently are still recognised (examples from the issue)', () => {
    assert.equal(isBlockingCommand('BLPOP', ['q', 3]), true);
    assert.equal(isSubscriberCommand('SUBSCRIBE'), true);
    assert.equal(isSubscriberCommand('SSubscribe'), true);
    assert.equal(getCommandSafety('SET', ['k', 'v', 'nx']), 'unsafe');
    assert.equal(getCommandSafety('Set', ['k', 'v', 'Ex', 10]), 'idempotent');
    assert.equal(getCommandSafety('CLUSTER', [Buffer.from('SLOTS')]), 'read');
  });
});
