import { ErrorCodes } from './error-codes.js';
import { ResilienceError, describeTarget, hasErrorCode, type ErrorTarget } from './resilience.error.js';

/**
 * The breaker for the target shard or endpoint is open: the call failed at once without
 * touching the network. Retry after `retryAfterMs`, or serve a fallback.
 */
export class CircuitOpenError extends ResilienceError {
  /** Milliseconds until the breaker lets a probe through. */
  readonly retryAfterMs: number;

  constructor(target: ErrorTarget, retryAfterMs: number) {
    super(
      ErrorCodes.circuitOpen,
      `Circuit open for ${describeTarget(target)}: failing fast without contacting Redis. ` +
        `The breaker probes again in ${Math.max(0, Math.round(retryAfterMs))} ms; serve a fallback or retry later.`,
      { target, scenario: 'circuit-open' },
    );
    this.retryAfterMs = Math.max(0, retryAfterMs);
  }
}

export function isCircuitOpenError(error: unknown): error is CircuitOpenError {
  return hasErrorCode(error, ErrorCodes.circuitOpen);
}
