import type { PolicyOptions } from '../options/policy-options.js';
import { computeBackoffMs } from '../policy/backoff.js';
import type { FailureClass } from '../policy/failure-scenario.js';

/** Below this much time left, another attempt can't get a reply: give up instead. */
export const MIN_ATTEMPT_MS = 5;
/** A CLUSTERDOWN ride-through stops when less than this is left before the deadline. */
const RIDE_THROUGH_RESERVE_MS = 50;
/**
 * Redirects (MOVED, ASK) one call follows at most, besides its attempts: as many as ioredis's
 * `maxRedirections`. While a slot changes owner, the two nodes may send a call back and forth
 * for the few milliseconds between their SETSLOTs; that must not use up `maxAttempts`.
 */
export const MAX_REDIRECTS = 16;

export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number }
  /** `deadline`: no time left (a timeout error fits); `attempts`: attempts used up. */
  | { readonly retry: false; readonly why: 'not-retryable' | 'unsafe' | 'deadline' | 'attempts' };

/**
 * Whether a failed attempt is tried again, and after how long. Shared by single commands
 * and batches, so both follow one policy:
 * - user, auth and config errors are never retried;
 * - an unknown outcome is retried only when `safeWhenUnknown` (reads, idempotent writes);
 * - a first redirect is followed at once; the next ones of the same call back off (a slot
 *   between owners bounces a call until both nodes agree), up to {@link MAX_REDIRECTS}, and
 *   don't count against `maxAttempts`; everything else backs off with full jitter;
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
  redirects = 0,
): RetryDecision {
  if (!failure.retryable) return { retry: false, why: 'not-retryable' };
  if (failure.execution === 'executed' || (failure.execution === 'unknown' && !safeWhenUnknown)) return { retry: false, why: 'unsafe' };
  const redirect = failure.scenario === 'moved' || failure.scenario === 'ask';
  if (redirect && redirects >= MAX_REDIRECTS) return { retry: false, why: 'attempts' };
  const backoff = { baseMs: policy.backoffBaseMs, maxMs: policy.backoffMaxMs };
  const delayMs = redirect ? (redirects === 0 ? 0 : computeBackoffMs(redirects, backoff)) : computeBackoffMs(attempt, backoff);
  const left = deadline - performance.now() - delayMs;
  const ridesThrough = failure.scenario === 'clusterdown';
  if (left < (ridesThrough ? RIDE_THROUGH_RESERVE_MS : MIN_ATTEMPT_MS)) return { retry: false, why: 'deadline' };
  if (!redirect && !ridesThrough && attempt - redirects >= policy.maxAttempts) return { retry: false, why: 'attempts' };
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
