import type { ErrorRequestHandler } from 'express';
import { unavailableResponse, type UnavailableResponseOptions } from '../core/http/http-translation.js';

/** Options of {@link createErrorHandler}. */
export type ErrorHandlerOptions = UnavailableResponseOptions;

/**
 * Error middleware (register it after your routes) that answers "Redis is unavailable"
 * errors with 503 and `Retry-After`: an open circuit gives its own reset time, other
 * unavailability errors (timeout, unknown outcome, retries exhausted, queue full, client
 * closed) `defaultRetryAfterSeconds`. Every other error, including user errors such as
 * WRONGTYPE and programming errors such as CROSSSLOT, goes on to `next(err)` untouched.
 */
export function createErrorHandler(options: ErrorHandlerOptions = {}): ErrorRequestHandler {
  // Express recognises error middleware by its arity: it must declare all four parameters.
  return (error: unknown, _req, res, next) => {
    const response = unavailableResponse(error, options);
    if (!response || res.headersSent) {
      next(error);
      return;
    }
    res.set('Retry-After', String(response.retryAfterSeconds)).status(response.statusCode).json(response.body);
  };
}
