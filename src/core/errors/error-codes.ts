/**
 * Stable error codes. They are part of the public contract: match on `error.code`,
 * never on the message text.
 */
export const ErrorCodes = {
  circuitOpen: 'ERR_CIRCUIT_OPEN',
  commandTimeout: 'ERR_COMMAND_TIMEOUT',
  outcomeUnknown: 'ERR_OUTCOME_UNKNOWN',
  retriesExhausted: 'ERR_RETRIES_EXHAUSTED',
  invalidOptions: 'ERR_INVALID_OPTIONS',
  queueFull: 'ERR_QUEUE_FULL',
  clientClosed: 'ERR_CLIENT_CLOSED',
  connectFailed: 'ERR_CONNECT_FAILED',
  crossSlot: 'ERR_CROSS_SLOT',
  unknownClient: 'ERR_UNKNOWN_CLIENT',
  partialFailure: 'ERR_PARTIAL_FAILURE',
  unsupportedInBatch: 'ERR_UNSUPPORTED_IN_BATCH',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];
