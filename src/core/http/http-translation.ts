/**
 * The HTTP translation both adapters share: health status to HTTP status, resilience errors
 * to 503 responses, and which client is "the default". Framework-free on purpose, so the
 * NestJS adapter uses it without loading express.
 */
import { ErrorCodes, type ErrorCode } from '../errors/error-codes.js';
import { isResilienceError } from '../errors/resilience.error.js';
import { isCircuitOpenError } from '../errors/circuit-open.error.js';
import type { HealthCheckStatus } from '../health/health-model.js';

/**
 * Terminus's rule: `ok` and `degraded` are still serving (200); `error` and `shutting_down`
 * take the instance out of the load balancer (503).
 */
export function healthHttpStatus(status: HealthCheckStatus): 200 | 503 {
  return status === 'ok' || status === 'degraded' ? 200 : 503;
}

/**
 * Codes that describe a mistake in the calling code or the configuration, not an unavailable
 * Redis: answering them with 503 + Retry-After would make clients retry a request that can
 * never succeed (a CROSSSLOT multi-key call fails the same way every time).
 */
const NOT_AVAILABILITY: ReadonlySet<ErrorCode> = new Set([ErrorCodes.invalidOptions, ErrorCodes.crossSlot, ErrorCodes.unknownClient]);

/** Options of {@link unavailableResponse}. */
export interface UnavailableResponseOptions {
  /** Retry-After, in seconds, for errors that carry no `retryAfterMs`. @default 1 */
  defaultRetryAfterSeconds?: number;
  /** Put the error's message in the body. It names nodes and clients, so off by default. @default false */
  exposeMessage?: boolean;
}

/** What an adapter sends for an error that means "Redis is unavailable right now". */
export interface UnavailableResponse {
  statusCode: 503;
  /** Whole seconds, at least 1: the `Retry-After` header value. */
  retryAfterSeconds: number;
  body: { statusCode: 503; error: 'Service Unavailable'; code: string; message: string };
}

/**
 * The 503 response for a resilience error that signals unavailability (open circuit,
 * timeout, unknown outcome, retries exhausted, queue full, client closed, connect failed);
 * `undefined` for every other error, which the adapter passes on untouched.
 */
export function unavailableResponse(error: unknown, options: UnavailableResponseOptions = {}): UnavailableResponse | undefined {
  if (!isResilienceError(error) || NOT_AVAILABILITY.has(error.code)) return undefined;
  const fallback = options.defaultRetryAfterSeconds ?? 1;
  // Retry-After is whole seconds; rounding a 300 ms breaker reset down to 0 would invite an
  // immediate retry storm, so never go below 1.
  const retryAfterSeconds = Math.max(1, isCircuitOpenError(error) ? Math.ceil(error.retryAfterMs / 1000) : Math.ceil(fallback));
  return {
    statusCode: 503,
    retryAfterSeconds,
    body: {
      statusCode: 503,
      error: 'Service Unavailable',
      code: error.code,
      message: options.exposeMessage ? error.message : 'A backing service is temporarily unavailable; retry later.',
    },
  };
}
