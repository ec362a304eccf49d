import type { Command } from 'ioredis';
import { profileCommand, traitsOf } from '../command/command-profile.js';
import { UnsupportedInBatchError } from '../errors/unsupported-in-batch.error.js';
import type { PolicyOptions } from '../options/policy-options.js';
import { isSubscriberCommand } from '../pubsub/pubsub-commands.js';

/**
 * The refusal of a batch that would take the node's shared command connection over, before any
 * I/O; undefined when every command may ride in it. A subscriber command (SUBSCRIBE and its
 * family, MONITOR) never may: the connection would refuse every other command afterwards. A
 * blocking command (BLPOP, XREAD BLOCK, WAIT...) may inside MULTI, where Redis runs it without
 * blocking, but not in a pipeline: everything queued behind it would wait out its block, and a
 * block outliving the batch's deadline would pop an element nobody receives.
 */
export function batchRefusal(
  client: string,
  commands: readonly Command[],
  transaction: boolean,
  policy: Readonly<PolicyOptions>,
): UnsupportedInBatchError | undefined {
  for (const command of commands) {
    if (isSubscriberCommand(command.name)) return new UnsupportedInBatchError(client, command.name, transaction, 'subscriber');
    if (!transaction && traitsOf(command.name).slowPath && profileCommand(command, policy).blocking) {
      return new UnsupportedInBatchError(client, command.name, transaction, 'blocking');
    }
  }
  return undefined;
}
