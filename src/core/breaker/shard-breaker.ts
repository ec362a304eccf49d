import type { BreakerStateName } from '../events/resilience-event.js';
import type { FailureClass } from '../policy/failure-scenario.js';

/** Our own view of one shard's or endpoint's breaker; opossum stays behind it. */
export interface ShardBreaker {
  readonly state: BreakerStateName;
  /**
   * Runs one attempt through the breaker. Rejects with `BreakerRejection` when the breaker
   * is open (no network touched). `fn` must reject with an `AttemptFailure` so the breaker
   * can tell user errors (which never count) from node failures.
   */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * True while closed. The command path's fast lane checks it and then reports the outcome
   * with `recordSuccess` / `recordFailure` instead of going through `run`.
   */
  readonly isClosed: boolean;
  /** Counts one successful call made while closed (fast lane). */
  recordSuccess(): void;
  /** Counts one failed call made while closed (fast lane); may open the breaker. */
  recordFailure(failure: AttemptFailure): void;
  /** Milliseconds until an open breaker lets a probe through; 0 when not open. */
  retryAfterMs(): number;
  /** Failure percentage in the rolling window. */
  failureRate(): number;
  /**
   * The node proved healthy outside the command path (a reconnect passed the ready check):
   * close now instead of waiting for the next half-open probe. No-op when forced open.
   */
  noteRecovered(): void;
  /** Operator override: hold the breaker open until `forceClose()`. */
  forceOpen(): void;
  /** Operator override: close it now and clear a forced open. */
  forceClose(): void;
  dispose(): void;
}

/** Thrown by `run` when the breaker refused the call. */
export class BreakerRejection {
  constructor(readonly retryAfterMs: number) {}
}

/** A failed attempt with its classification, made once where the error arises. */
export class AttemptFailure {
  constructor(
    readonly error: unknown,
    readonly failure: FailureClass,
  ) {}
}

export interface BreakerListener {
  opened(failureRate: number, forced: boolean): void;
  halfOpened(): void;
  closed(forced: boolean): void;
}
