import { ErrorCodes } from './error-codes.js';
import { ResilienceError, hasErrorCode } from './resilience.error.js';

/** Why a command may not ride in a pipeline or MULTI of the shared command connection. */
export type BatchRefusal = 'subscriber' | 'blocking';

/**
 * A pipeline or MULTI holds a command that would take the node's shared command connection
 * over: SUBSCRIBE and its family or MONITOR (the connection would then refuse every other
 * command), or, in a pipeline, a command that blocks (everyone queued behind it would wait out
 * its block, and a block outliving the deadline loses what it pops). Refused before any I/O;
 * sent on its own, each such command gets a connection of its own.
 */
export class UnsupportedInBatchError extends ResilienceError {
  readonly reason: BatchRefusal;

  constructor(client: string, command: string, transaction: boolean, reason: BatchRefusal) {
    const batch = transaction ? 'MULTI' : 'a pipeline';
    const instead =
      reason === 'subscriber'
        ? `call client.${command.toLowerCase()}() itself: subscriptions live on a connection of their own`
        : 'send it on its own (a blocking command gets a connection of its own) or inside MULTI, where it does not block';
    super(
      ErrorCodes.unsupportedInBatch,
      `${command.toUpperCase()} in ${batch} on client "${client}" would take over the shared command connection; ${instead}.`,
      { target: { client, command }, scenario: 'command' },
    );
    this.reason = reason;
  }
}

export function isUnsupportedInBatchError(error: unknown): error is UnsupportedInBatchError {
  return hasErrorCode(error, ErrorCodes.unsupportedInBatch);
}
