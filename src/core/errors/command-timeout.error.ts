import { ErrorCodes } from './error-codes.js';
import { ResilienceError, describeTarget, hasErrorCode, type ErrorTarget } from './resilience.error.js';

/**
 * The call did not settle within its total deadline. For reads and idempotent writes the
 * library already retried within that deadline; the node is slow, hung or unreachable.
 */
export class CommandTimeoutError extends ResilienceError {
  /** The total deadline that expired, in milliseconds. */
  readonly timeoutMs: number;

  constructor(target: ErrorTarget, timeoutMs: number, cause?: unknown) {
    super(
      ErrorCodes.commandTimeout,
      `No reply within the ${timeoutMs} ms deadline for ${describeTarget(target)}. ` +
        `The node may be hung or failing over; raise policy.totalTimeoutMs if the command is legitimately slow.`,
      { target, cause, scenario: 'timeout' },
    );
    this.timeoutMs = timeoutMs;
  }
}

export function isCommandTimeoutError(error: unknown): error is CommandTimeoutError {
  return hasErrorCode(error, ErrorCodes.commandTimeout);
}
