/**
 * Retry delays. Pure functions: the caller owns the clock and the timer.
 *
 * Full jitter (a uniform delay between 0 and an exponentially growing ceiling) rather than a
 * fixed or lightly jittered schedule: when a shard fails over, every client in the fleet sees
 * the failure at the same instant, and synchronised retries would hit the new primary as one
 * wave just as it starts serving.
 */

/** Shape of the exponential schedule. */
export interface BackoffPolicy {
  /** Ceiling of the first retry's delay. */
  readonly baseMs: number;
  /** The ceiling never grows past this. */
  readonly maxMs: number;
}

// 2^52 times any sane base is far beyond any sane cap, and stays a finite number.
const MAX_EXPONENT = 52;

/**
 * Delay before retry number `attempt` (1-based: 1 is the first retry):
 * `random() * min(maxMs, baseMs * 2^(attempt - 1))`, so within `[0, ceiling)`.
 *
 * @param attempt - retry number; values below 1 (or NaN) count as 1.
 * @param policy - base and cap of the ceiling; negative values count as 0.
 * @param random - source of uniform numbers in [0, 1); inject a seeded one in tests.
 */
export function computeBackoffMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const retry = attempt >= 1 ? Math.floor(attempt) : 1;
  const base = policy.baseMs > 0 ? policy.baseMs : 0;
  const cap = policy.maxMs > 0 ? policy.maxMs : 0;
  const ceiling = Math.min(cap, base * 2 ** Math.min(retry - 1, MAX_EXPONENT));
  return random() * ceiling;
}
