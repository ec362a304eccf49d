// Every command @ioredis/commands knows is classed on purpose (issue 12, defect 11): by its
// `readonly` / `write` flag, or by an entry in the tables for the commands that carry neither.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hasFlag, list } from '@ioredis/commands';
import { getCommandSafety, isBlockingCommand, isReadCommand } from '../../../src/core/policy/command-safety.js';
import { SUBCOMMANDS, UNFLAGGED_COMMANDS } from '../../../src/core/policy/command-safety-table.js';

describe('the safety table covers every command', () => {
  it('classes every command of @ioredis/commands: by flag, by the unflagged table, or per subcommand', () => {
    const unclassed = list.filter(
      (name) =>
        !hasFlag(name, 'readonly') &&
        !hasFlag(name, 'write') &&
        !Object.hasOwn(UNFLAGGED_COMMANDS, name) &&
        !Object.hasOwn(SUBCOMMANDS, name),
    );
    assert.deepEqual(unclassed, [], 'commands with neither flag must be listed in UNFLAGGED_COMMANDS or SUBCOMMANDS');
    for (const name of list) assert.ok(['read', 'idempotent', 'unsafe'].includes(getCommandSafety(name, ['k'])), name);
  });

  it('never routes a blocking or non-readonly command to a reader', () => {
    for (const name of list) {
      if (!isReadCommand(name, ['k', 'v'])) continue;
      const flaggedRead = hasFlag(name, 'readonly') || UNFLAGGED_COMMANDS[name] === 'read' || Object.hasOwn(SUBCOMMANDS, name);
      assert.ok(flaggedRead || hasFlag(name, 'write'), `${name} is a read only by the tables`);
    }
  });

  it('WAIT and WAITAOF are not reads: they count the replicas of the primary they run on', () => {
    for (const name of ['wait', 'WAIT', 'waitaof', 'WaitAof']) {
      assert.equal(isReadCommand(name, [1, 100]), false, name);
      assert.equal(getCommandSafety(name, [1, 100]), 'idempotent', name);
      assert.equal(isBlockingCommand(name, [1, 100]), true, name);
    }
  });

  it('operator and replication-protocol commands are never replayed', () => {
    for (const name of [
      'monitor',
      'shutdown',
      'failover',
      'replicaof',
      'slaveof',
      'debug',
      'quit',
      'psync',
      'sync',
      'bgsave',
      'bgrewriteaof',
    ]) {
      assert.equal(getCommandSafety(name, ['x']), 'unsafe', name);
    }
  });

  it('anything not listed is an unsafe write', () => {
    for (const name of ['json.set', 'FT.CREATE', 'bf.add', 'nosuchcommand', 'hasOwnProperty', 'toString']) {
      assert.equal(getCommandSafety(name, ['k']), 'unsafe', name);
      assert.equal(isReadCommand(name, ['k']), false, name);
    }
  });
});

describe('isBlockingCommand', () => {
  it('covers the list and pop family, WAIT/WAITAOF, and stream reads with BLOCK', () => {
    for (const name of ['blpop', 'brpop', 'blmove', 'brpoplpush', 'bzpopmin', 'bzpopmax', 'blmpop', 'bzmpop', 'wait', 'waitaof']) {
      assert.equal(isBlockingCommand(name, ['q', 1]), true, name);
      assert.equal(isBlockingCommand(name.toUpperCase()), true, name);
    }
    assert.equal(isBlockingCommand('xread', ['COUNT', 1, 'BLOCK', 100, 'STREAMS', 's', '$']), true);
    assert.equal(isBlockingCommand('XREADGROUP', ['GROUP', 'g', 'c', 'block', 0, 'STREAMS', 's', '>']), true);
    assert.equal(isBlockingCommand('xread', [Buffer.from('Block'), 0, 'STREAMS', 's', '$']), true);
  });

  it('a stream read without BLOCK, or a stream named "block", does not block', () => {
    assert.equal(isBlockingCommand('xread', ['COUNT', 1, 'STREAMS', 's', '0']), false);
    assert.equal(isBlockingCommand('xread', ['STREAMS', 'block', '0']), false);
    assert.equal(isBlockingCommand('xreadgroup', ['GROUP', 'g', 'c', 'STREAMS', 'BLOCK', '>']), false);
  });

  it('ordinary commands do not block', () => {
    for (const name of ['get', 'lpop', 'xadd', 'subscribe', 'eval', 'nosuch']) assert.equal(isBlockingCommand(name, ['k']), false, name);
  });
});
