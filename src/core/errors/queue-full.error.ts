import { ErrorCodes } from './error-codes.js';
import { ResilienceError, describeTarget, hasErrorCode, type ErrorTarget } from './resilience.error.js';

/**
 * The bounded wait queue for a node that is not ready yet is full. Rejected at once so
 * callers never pile up behind a dead node; the command was not sent.
 */
export class QueueFullError extends ResilienceError {
  readonly limit: number;

  constructor(target: ErrorTarget, limit: number) {
    super(
      ErrorCodes.queueFull,
      `Queue full (${limit} calls waiting) for ${describeTarget(target)}: the node is not ready. ` +
        `The command was not sent; shed load or raise policy.maxQueueLength.`,
      { target, scenario: 'overloaded' },
    );
    this.limit = limit;
  }
}

export function isQueueFullError(error: unknown): error is QueueFullError {
  return hasErrorCode(error, ErrorCodes.queueFull);
}
