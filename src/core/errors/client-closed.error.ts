import { ErrorCodes } from './error-codes.js';
import { ResilienceError, hasErrorCode } from './resilience.error.js';

/**
 * ioredis's own message for a command cut off by the client closing. Libraries built on
 * ioredis (bullmq among them) recognise a shutdown by it and stay quiet.
 */
export const CONNECTION_CLOSED_MESSAGE = 'Connection is closed.';

/**
 * A command was issued after `close()` (it was not sent), or was still in flight when the
 * client closed (`inFlight`: it may or may not have run). The in-flight form carries
 * ioredis's exact message, so that code written for ioredis treats it as the shutdown it is.
 */
export class ClientClosedError extends ResilienceError {
  constructor(client: string, command?: string, inFlight = false) {
    super(
      ErrorCodes.clientClosed,
      inFlight
        ? CONNECTION_CLOSED_MESSAGE
        : `Client "${client}" is closed${command ? `; ${command.toUpperCase()} was not sent` : ''}. ` +
            `Create a new client, or stop issuing commands after close().`,
      { target: { client, command }, scenario: 'closed' },
    );
  }
}

export function isClientClosedError(error: unknown): error is ClientClosedError {
  return hasErrorCode(error, ErrorCodes.clientClosed);
}
