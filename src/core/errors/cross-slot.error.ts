import { ErrorCodes } from './error-codes.js';
import { ResilienceError, hasErrorCode } from './resilience.error.js';

/** Keys of one multi-key command, MULTI or pipeline part map to different cluster slots. */
export class CrossSlotError extends ResilienceError {
  constructor(client: string, command: string) {
    super(
      ErrorCodes.crossSlot,
      `${command.toUpperCase()} on client "${client}" uses keys in different hash slots. ` +
        `Put a hash tag in the keys so they share a slot, e.g. "user:{42}:name" and "user:{42}:email".`,
      { target: { client, command }, scenario: 'command' },
    );
  }
}

export function isCrossSlotError(error: unknown): error is CrossSlotError {
  return hasErrorCode(error, ErrorCodes.crossSlot);
}
