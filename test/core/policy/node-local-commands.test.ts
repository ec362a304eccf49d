// Commands whose answer is about the node they run on (its replicas, its subscribers) are safe
// to replay but are not reads: a replica or the reader would answer for itself, not for the
// primary this client writes to and subscribes on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getCommandSafety, isReadCommand, isRetrySafe } from '../../../src/core/policy/command-safety.js';

const NODE_LOCAL: ReadonlyArray<readonly [string, readonly unknown[]]> = [
  ['wait', [1, 100]],
  ['waitaof', [1, 0, 100]],
  ['pubsub', ['NUMSUB', 'ch']],
  ['pubsub', ['numsub', 'ch']],
  ['pubsub', ['CHANNELS']],
  ['pubsub', ['NUMPAT']],
  ['pubsub', ['SHARDNUMSUB', 'ch']],
  ['pubsub', ['SHARDCHANNELS']],
];

describe('node-local commands', () => {
  it('are never routed as reads, in any casing', () => {
    for (const [name, args] of NODE_LOCAL) {
      assert.equal(isReadCommand(name, args), false, `${name} ${String(args)}`);
      assert.equal(isReadCommand(name.toUpperCase(), args), false, `${name.toUpperCase()} ${String(args)}`);
    }
  });

  it('are safe to send again when the outcome is unknown', () => {
    for (const [name, args] of NODE_LOCAL) {
      assert.equal(getCommandSafety(name, args), 'idempotent', `${name} ${String(args)}`);
      assert.equal(isRetrySafe(name, args, 'unknown'), true, `${name} ${String(args)}`);
    }
  });

  it('PUBSUB HELP stays a read', () => {
    assert.equal(isReadCommand('pubsub', ['HELP']), true);
  });
});
