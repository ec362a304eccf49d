import { ErrorCodes } from './error-codes.js';
import { ResilienceError, hasErrorCode } from './resilience.error.js';
import type { FailureScenario } from './failure-scenario.js';

/** `connect()` could not reach a usable node within its timeout. */
export class ConnectFailedError extends ResilienceError {
  constructor(client: string, detail: string, scenario: FailureScenario, cause?: unknown) {
    super(
      ErrorCodes.connectFailed,
      `Client "${client}" could not connect: ${detail}. Check the endpoint, credentials and TLS settings; ` +
        `the client keeps retrying in the background.`,
      { target: { client }, cause, scenario },
    );
  }
}

export function isConnectFailedError(error: unknown): error is ConnectFailedError {
  return hasErrorCode(error, ErrorCodes.connectFailed);
}
