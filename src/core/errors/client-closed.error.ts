import { ErrorCodes } from './error-codes.js';
import { ResilienceError, hasErrorCode } from './resilience.error.js';

/** A command was issued after `close()`. It was not sent. */
export class ClientClosedError extends ResilienceError {
  constructor(client: string, command?: string) {
    super(
      ErrorCodes.clientClosed,
      `Client "${client}" is closed${command ? `; ${command.toUpperCase()} was not sent` : ''}. ` +
        `Create a new client, or stop issuing commands after close().`,
      { target: { client, command }, scenario: 'closed' },
    );
  }
}

export function isClientClosedError(error: unknown): error is ClientClosedError {
  return hasErrorCode(error, ErrorCodes.clientClosed);
}
