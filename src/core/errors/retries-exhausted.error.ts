import { ErrorCodes } from './error-codes.js';
import { ResilienceError, describeTarget, hasErrorCode, type ErrorTarget } from './resilience.error.js';
import type { FailureScenario } from './failure-scenario.js';

/**
 * Every allowed attempt failed with a retryable error. `cause` is the last ioredis error.
 */
export class RetriesExhaustedError extends ResilienceError {
  readonly attempts: number;

  constructor(target: ErrorTarget, attempts: number, scenario: FailureScenario, cause?: unknown) {
    super(
      ErrorCodes.retriesExhausted,
      `Gave up on ${describeTarget(target)} after ${attempts} attempts (last failure: ${scenario}). ` +
        `Redis is failing over or unreachable; the breaker will open if this persists.`,
      { target, cause, scenario },
    );
    this.attempts = attempts;
  }
}

export function isRetriesExhaustedError(error: unknown): error is RetriesExhaustedError {
  return hasErrorCode(error, ErrorCodes.retriesExhausted);
}
