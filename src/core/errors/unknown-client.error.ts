import { ErrorCodes } from './error-codes.js';
import { ResilienceError, hasErrorCode } from './resilience.error.js';

/** A client name was looked up that was never configured. */
export class UnknownClientError extends ResilienceError {
  constructor(name: string, known: readonly string[]) {
    super(
      ErrorCodes.unknownClient,
      `No redis-resilience client named "${name}". Configured clients: ${known.length ? known.map((k) => `"${k}"`).join(', ') : '(none)'}.`,
      { target: { client: name } },
    );
  }
}

export function isUnknownClientError(error: unknown): error is UnknownClientError {
  return hasErrorCode(error, ErrorCodes.unknownClient);
}
