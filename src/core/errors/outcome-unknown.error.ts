import { ErrorCodes } from './error-codes.js';
import { ResilienceError, describeTarget, hasErrorCode, type ErrorTarget } from './resilience.error.js';
import type { FailureScenario } from './failure-scenario.js';

/**
 * A non-idempotent write (INCR, LPUSH, XADD, EVAL …) was sent but no reply came back: it may
 * or may not have run. It was deliberately NOT retried, because running it twice would be
 * worse (a double INCR). Check the data, or make the write idempotent and mark it safe.
 */
export class OutcomeUnknownError extends ResilienceError {
  constructor(target: ErrorTarget, scenario: FailureScenario, cause?: unknown) {
    super(
      ErrorCodes.outcomeUnknown,
      `Outcome unknown for ${describeTarget(target)} after a ${scenario} failure: the write may have been applied. ` +
        `It was not retried because it is not idempotent; verify the data before repeating it.`,
      { target, cause, scenario },
    );
  }
}

export function isOutcomeUnknownError(error: unknown): error is OutcomeUnknownError {
  return hasErrorCode(error, ErrorCodes.outcomeUnknown);
}
