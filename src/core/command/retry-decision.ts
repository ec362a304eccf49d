import type { PolicyOptions } from '../options/policy-options.js';
import { computeBackoffMs } from '../policy/backoff.js';
import type { FailureClass } from '../policy/failure-scenario.js';

/** Below this much time left, another attempt can't get a reply: give up instead. */
export const MIN_ATTEMPT_MS = 5;
/** A CLUSTERDOWN ride-through stops when less than this is left before the deadline. */
const RIDE_THROUGH_RESERVE_MS = 50;

export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number }
  /** `deadline`: no time left (a timeout error fits); `attempts`: attempts used up. */
  | { readonly retry: false; readonly why: 'not-retryable' | 'unsafe' | 'deadline' | 'attempts' };

/**
 * Whether a failed attempt is tried again, and after how long. Shared by single commands
 * and batches, so both follow one policy:
 * - user, auth and config errors are never retried;
 * - an unknown outcome is retried only when `safeWhenUnknown` (reads, idempotent writes);
 * - redirects are followed at once; everything else backs off with full jitter;
 * - CLUSTERDOWN is cluster-wide and passes (a failover vote lasts about a second): it is
 *   ridden through until the deadline rather than using up maxAttempts, and given up a
 *   little early so that a late timer on a busy event loop can't push the call past it.
 */
export function decideRetry(
  failure: FailureClass,
  safeWhenUnknown: boolean,
  attempt: number,
  deadline: number,
  policy: Readonly<PolicyOptions>,
): RetryDecision {
  if (!failure.retryable) return { retry: false, why: 'not-retryable' };
  if (failure.execution === 'executed' || (failure.execution === 'unknown' && !safeWhenUnknown)) return { retry: false, why: 'unsafe' };
  const delayMs =
    failure.scenario === 'moved' || failure.scenario === 'ask'
      ? 0
      : computeBackoffMs(attempt, { baseMs: policy.backoffBaseMs, maxMs: policy.backoffMaxMs });
  const left = deadline - performance.now() - delayMs;
  const ridesThrough = failure.scenario === 'clusterdown';
  if (left < (ridesThrough ? RIDE_THROUGH_RESERVE_MS : MIN_ATTEMPT_MS)) return { retry: false, why: 'deadline' };
  if (attempt >= policy.maxAttempts && !ridesThrough) return { retry: false, why: 'attempts' };
  return { retry: true, delayMs };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for `work` but no longer than `deadline` (performance.now ms); never rejects. */
export function untilDeadline(work: Promise<unknown>, deadline: number): Promise<void> {
  return new Promise((resolve) => {
    // No deadline (BLPOP 0): wait for the work itself; setTimeout would clamp Infinity to 1 ms.
    const timer = Number.isFinite(deadline) ? setTimeout(resolve, Math.max(0, deadline - performance.now())) : undefined;
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    work.then(done, done);
  });
}
