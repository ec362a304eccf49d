import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { exists, hasFlag, list } from '@ioredis/commands';
import { getCommandSafety, isReadCommand, isRetrySafe, type CommandSafety } from '../../../src/core/policy/command-safety.js';
import { IDEMPOTENT_WRITES, READS_UNLESS_STORING, SUBCOMMANDS, UNFLAGGED_COMMANDS } from '../../../src/core/policy/command-safety-table.js';

// The public API of @ioredis/commands has no subcommand flags; the test reads its data file
// directly so the subcommand table is still checked against the source of truth.
interface Metadata {
  readonly flags: readonly string[];
  readonly subcommands?: Readonly<Record<string, { readonly flags: readonly string[] }>>;
}
const require = createRequire(import.meta.url);
const METADATA = require('@ioredis/commands/built/commands.json') as Readonly<Record<string, Metadata>>;

const SAFETIES: readonly CommandSafety[] = ['read', 'idempotent', 'unsafe'];

const isWrite = (name: string): boolean => hasFlag(name, 'write');
const isReadonly = (name: string): boolean => hasFlag(name, 'readonly');

/** DESIGN §3: never retried when the outcome is unknown. */
// A word list, wrapped by hand.
// prettier-ignore
const UNSAFE_SPECIALS = [
  'incr', 'incrby', 'decr', 'decrby', 'incrbyfloat', 'hincrby', 'hincrbyfloat', 'zincrby',
  'lpush', 'rpush', 'lpushx', 'rpushx', 'linsert', 'lpop', 'rpop', 'blpop', 'brpop', 'lmpop',
  'lmove', 'blmove', 'rpoplpush', 'brpoplpush', 'spop', 'smove', 'zpopmin', 'zpopmax',
  'xadd', 'xreadgroup', 'xclaim', 'xautoclaim', 'eval', 'evalsha', 'fcall', 'publish', 'spublish',
  'getset', 'getdel', 'append', 'setnx', 'hsetnx', 'msetnx', 'renamenx', 'rename', 'setbit',
  'lrem', 'ltrim', 'zremrangebyrank', 'pfmerge', 'restore', 'copy', 'move', 'multi', 'exec',
  'flushall', 'flushdb', 'hsetex', 'hgetdel',
];

describe('getCommandSafety over every command in @ioredis/commands', () => {
  it('classifies each one, whatever the case of its name', () => {
    assert.ok(list.length > 200);
    for (const name of list) {
      const safety = getCommandSafety(name);
      assert.ok(SAFETIES.includes(safety), name);
      assert.equal(getCommandSafety(name.toUpperCase()), safety, name);
      assert.equal(getCommandSafety(name[0]!.toUpperCase() + name.slice(1)), safety, name);
    }
  });

  it('reads every readonly-flagged command as a read', () => {
    const readonly = list.filter(isReadonly);
    assert.ok(readonly.includes('get') && readonly.includes('eval_ro') && readonly.includes('fcall_ro'));
    for (const name of readonly) {
      assert.equal(getCommandSafety(name), 'read', name);
      assert.equal(getCommandSafety(name, ['k', 'NX', 'STORE', 'INCR']), 'read', name);
    }
  });

  it('treats every write outside the tables as unsafe', () => {
    for (const name of list.filter(isWrite)) {
      if (Object.hasOwn(IDEMPOTENT_WRITES, name) || Object.hasOwn(READS_UNLESS_STORING, name)) continue;
      assert.equal(getCommandSafety(name), 'unsafe', name);
    }
  });

  it('treats every unflagged command outside the tables as unsafe', () => {
    for (const name of list.filter((n) => !isWrite(n) && !isReadonly(n))) {
      if (Object.hasOwn(UNFLAGGED_COMMANDS, name) || Object.hasOwn(SUBCOMMANDS, name)) continue;
      assert.equal(getCommandSafety(name, ['x']), 'unsafe', name);
    }
  });

  it('keeps the DESIGN unsafe specials unsafe', () => {
    for (const name of UNSAFE_SPECIALS) {
      assert.ok(exists(name), `${name} is a command`);
      assert.equal(getCommandSafety(name, ['k', 'v']), 'unsafe', name);
      assert.equal(isRetrySafe(name, ['k', 'v'], 'unknown'), false, name);
    }
  });

  it('treats commands it does not know as unsafe', () => {
    for (const name of ['json.set', 'FT.SEARCH', 'nosuchcommand', '', 'constructor', '__proto__']) {
      assert.equal(getCommandSafety(name, ['k']), 'unsafe', name);
    }
  });
});

describe('the safety tables', () => {
  it('allows only real write commands as idempotent', () => {
    const names = Object.keys(IDEMPOTENT_WRITES);
    for (const required of [
      'set',
      'del',
      'unlink',
      'expire',
      'pexpire',
      'expireat',
      'pexpireat',
      'persist',
      'hset',
      'hmset',
      'hdel',
      'sadd',
      'srem',
      'zadd',
      'zrem',
      'mset',
      'setex',
      'psetex',
      'setrange',
      'pfadd',
      'geoadd',
    ]) {
      assert.ok(names.includes(required), required);
    }
    for (const name of names) {
      assert.ok(exists(name), `${name} is a command`);
      assert.ok(isWrite(name), `${name} has the write flag`);
      assert.ok(!isReadonly(name), name);
      assert.equal(getCommandSafety(name, ['k', 'v']), 'idempotent', name);
    }
  });

  it('lists only write commands as reads-unless-storing', () => {
    for (const name of Object.keys(READS_UNLESS_STORING)) {
      assert.ok(exists(name) && isWrite(name), name);
    }
  });

  it('lists only unflagged commands in the unflagged table', () => {
    for (const [name, safety] of Object.entries(UNFLAGGED_COMMANDS)) {
      assert.ok(exists(name), name);
      assert.ok(!isWrite(name) && !isReadonly(name), `${name} has neither flag`);
      assert.equal(getCommandSafety(name), safety, name);
    }
  });

  it('covers every container command and only real subcommands', () => {
    const containers = Object.keys(METADATA).filter((name) => METADATA[name]!.subcommands !== undefined);
    assert.deepEqual(Object.keys(SUBCOMMANDS).toSorted(), containers.toSorted());
    for (const [name, subs] of Object.entries(SUBCOMMANDS)) {
      for (const sub of Object.keys(subs)) {
        assert.ok(Object.hasOwn(METADATA[name]!.subcommands!, sub), `${name} ${sub} exists`);
      }
    }
  });

  it('agrees with the subcommand flags', () => {
    for (const [name, meta] of Object.entries(METADATA)) {
      for (const [sub, subMeta] of Object.entries(meta.subcommands ?? {})) {
        const safety = getCommandSafety(name, [sub]);
        if (subMeta.flags.includes('readonly')) assert.equal(safety, 'read', `${name} ${sub}`);
        if (subMeta.flags.includes('write')) assert.notEqual(safety, 'read', `${name} ${sub}`);
        assert.equal(getCommandSafety(name, [sub.toUpperCase()]), safety, `${name} ${sub}`);
        assert.equal(getCommandSafety(name, [Buffer.from(sub)]), safety, `${name} ${sub}`);
      }
    }
  });
});

describe('argument-dependent safety', () => {
  const cases: [string, unknown[], CommandSafety][] = [
    ['set', ['k', 'v'], 'idempotent'],
    ['set', ['k', 'v', 'EX', 10], 'idempotent'],
    ['set', ['k', 'v', 'EX', '10'], 'idempotent'],
    ['set', ['k', 'v', 'PXAT', 1700000000000], 'idempotent'],
    ['set', ['k', 'v', 'KEEPTTL'], 'idempotent'],
    ['set', ['k', 'v', 'NX'], 'unsafe'],
    ['set', ['k', 'v', 'nx'], 'unsafe'],
    ['set', ['k', 'v', 'EX', 10, 'NX'], 'unsafe'],
    ['set', ['k', 'v', 'XX'], 'unsafe'],
    ['set', ['k', 'v', 'GET'], 'unsafe'],
    ['set', ['k', 'v', 'IFEQ', 'old'], 'unsafe'],
    // The value is not an option: storing the string "NX" is a plain SET.
    ['set', ['k', 'NX'], 'idempotent'],
    ['set', ['NX', 'GET'], 'idempotent'],
    ['SET', ['k', 'v', 'Nx'], 'unsafe'],
    ['zadd', ['k', 1, 'm'], 'idempotent'],
    ['zadd', ['k', 'CH', 1, 'm'], 'idempotent'],
    ['zadd', ['k', 'INCR', 1, 'm'], 'unsafe'],
    ['zadd', ['k', 'incr', '1', 'm'], 'unsafe'],
    ['zadd', ['k', 'NX', 1, 'm'], 'unsafe'],
    ['zadd', ['k', 'CH', 'GT', 1, 'm'], 'unsafe'],
    // A member named INCR after the score.
    ['zadd', ['k', 1, 'INCR'], 'idempotent'],
    ['expire', ['k', 10], 'idempotent'],
    ['expire', ['k', 10, 'NX'], 'unsafe'],
    ['pexpireat', ['k', 1700000000000, 'GT'], 'unsafe'],
    ['geoadd', ['k', 13.36, 38.11, 'Palermo'], 'idempotent'],
    ['geoadd', ['k', 'CH', 13.36, 38.11, 'Palermo'], 'idempotent'],
    ['geoadd', ['k', 'XX', 13.36, 38.11, 'Palermo'], 'unsafe'],
    ['sort', ['k'], 'read'],
    ['sort', ['k', 'BY', 'w_*', 'LIMIT', 0, 10], 'read'],
    ['sort', ['k', 'STORE', 'dst'], 'unsafe'],
    ['georadius', ['k', 15, 37, 200, 'km', 'WITHDIST'], 'read'],
    ['georadius', ['k', 15, 37, 200, 'km', 'STORE', 'dst'], 'unsafe'],
    ['georadiusbymember', ['k', 'Palermo', 200, 'km', 'STOREDIST', 'dst'], 'unsafe'],
    ['bitfield', ['k', 'GET', 'u8', 0], 'read'],
    ['bitfield', ['k', 'INCRBY', 'u8', 0, 1], 'unsafe'],
    ['bitfield', ['k', 'SET', 'u8', 0, 255], 'unsafe'],
    ['cluster', ['SLOTS'], 'read'],
    ['CLUSTER', ['slots'], 'read'],
    ['cluster', ['Shards'], 'read'],
    ['cluster', ['FAILOVER', 'TAKEOVER'], 'unsafe'],
    ['cluster', [], 'unsafe'],
    ['cluster', ['nosuch'], 'unsafe'],
    ['cluster', [42], 'unsafe'],
    ['config', ['GET', 'maxmemory'], 'read'],
    ['config', ['SET', 'maxmemory', '1gb'], 'idempotent'],
    ['client', ['SETNAME', 'app'], 'idempotent'],
    ['client', ['KILL', 'ID', 7], 'unsafe'],
    ['command', [], 'read'],
    ['command', ['DOCS', 'get'], 'read'],
    ['script', ['LOAD', 'return 1'], 'idempotent'],
    ['xgroup', ['CREATE', 's', 'g', '$'], 'unsafe'],
    ['memory', ['USAGE', 'k'], 'read'],
    ['ping', [], 'read'],
    ['info', ['replication'], 'read'],
    ['role', [], 'read'],
    ['eval_ro', ['return 1', 0], 'read'],
    ['evalsha_ro', ['abc', 0], 'read'],
    ['fcall_ro', ['f', 0], 'read'],
  ];

  for (const [name, args, expected] of cases) {
    it(`${name} ${args.map(String).join(' ')} is ${expected}`, () => {
      assert.equal(getCommandSafety(name, args), expected);
      // ioredis passes Buffers when the caller does; some callers use plain Uint8Arrays.
      const asBuffers = args.map((a) => (typeof a === 'string' ? Buffer.from(a) : a));
      assert.equal(getCommandSafety(name, asBuffers), expected, 'Buffer args');
      const asBytes = args.map((a) => (typeof a === 'string' ? new TextEncoder().encode(a) : a));
      assert.equal(getCommandSafety(name, asBytes), expected, 'Uint8Array args');
    });
  }

  it('handles a Buffer that is a slice of a larger one', () => {
    const pool = Buffer.from('xxNXslotsxx');
    assert.equal(getCommandSafety('set', ['k', 'v', pool.subarray(2, 4)]), 'unsafe');
    assert.equal(getCommandSafety('cluster', [pool.subarray(4, 9)]), 'read');
  });

  it('without args, answers for the plain form', () => {
    assert.equal(getCommandSafety('set'), 'idempotent');
    assert.equal(getCommandSafety('zadd'), 'idempotent');
    assert.equal(getCommandSafety('sort'), 'read');
  });
});

describe('isReadCommand', () => {
  it('agrees with getCommandSafety for every command and a spread of arguments', () => {
    const argLists: (unknown[] | undefined)[] = [
      undefined,
      [],
      ['k'],
      ['k', 'v', 'NX'],
      ['k', 'STORE', 'd'],
      ['SLOTS'],
      [Buffer.from('get')],
      ['k', 15, 37, 200, 'km', 'STOREDIST', 'd'],
      ['k', 'INCRBY', 'u8', 0, 1],
      ['k', 'GET', 'u8', 0],
    ];
    for (const name of [...list, 'nosuch', 'GET', 'Sort']) {
      for (const args of argLists) {
        assert.equal(isReadCommand(name, args), getCommandSafety(name, args) === 'read', `${name} ${String(args)}`);
      }
    }
  });
});
