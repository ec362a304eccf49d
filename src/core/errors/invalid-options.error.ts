import { ErrorCodes } from './error-codes.js';
import { ResilienceError, hasErrorCode } from './resilience.error.js';

/** The options failed validation. `problems` lists every problem found, not just the first. */
export class InvalidOptionsError extends ResilienceError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[], client?: string) {
    super(
      ErrorCodes.invalidOptions,
      `Invalid redis-resilience options${client ? ` for client "${client}"` : ''}:\n` + problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.problems = problems;
  }
}

export function isInvalidOptionsError(error: unknown): error is InvalidOptionsError {
  return hasErrorCode(error, ErrorCodes.invalidOptions);
}
