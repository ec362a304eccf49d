/**
 * Bounded waiting. Lab code and tests wait on conditions, never on bare sleeps: a sleep is either
 * too short on a loaded 2-core machine (flaky) or too long everywhere else (slow).
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';

/** A point in time, in both clocks: `monoMs` to measure durations, `epochMs` to print and log. */
export interface Moment {
  /** `performance.now()` in this process: monotonic, comparable with other `monoMs` values. */
  readonly monoMs: number;
  /** `Date.now()`: wall clock, for logs and for comparing with other processes. */
  readonly epochMs: number;
}

/** The current moment in both clocks. */
export function now(): Moment {
  return { monoMs: performance.now(), epochMs: Date.now() };
}

/** Options for {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this long. Required so that every wait is bounded. */
  timeoutMs: number;
  /** Poll interval; default 20 ms. */
  intervalMs?: number;
  /** What is being waited for, used in the timeout error ("replica 127.0.0.1:7001 to be master"). */
  what?: string;
  /** Extra diagnostics appended to the timeout error (for example a server log tail). */
  diagnose?: () => string | Promise<string>;
}

/**
 * Polls `predicate` until it returns a truthy value and resolves with that value. A predicate that
 * throws counts as "not yet" (the server may be restarting), and its last error is reported if the
 * wait times out. Each poll is itself bounded by the remaining time, so a hung predicate cannot
 * stretch the wait past `timeoutMs`.
 */
export async function waitFor<T>(predicate: () => T | Promise<T>, options: WaitForOptions): Promise<NonNullable<T>> {
  const { timeoutMs, intervalMs = 20, what = 'condition' } = options;
  const deadline = performance.now() + timeoutMs;
  let lastValue: unknown;
  let lastError: unknown;
  let polls = 0;
  for (;;) {
    polls += 1;
    const remaining = deadline - performance.now();
    try {
      lastValue = await withTimeout(Promise.resolve().then(predicate), Math.max(remaining, 1), what);
      lastError = undefined;
      if (lastValue) return lastValue as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    if (performance.now() + intervalMs > deadline) break;
    await delay(intervalMs);
  }
  let message = `timed out after ${timeoutMs} ms (${polls} polls) waiting for ${what}`;
  if (lastError !== undefined) message += `; last error: ${errorText(lastError)}`;
  else message += `; last value: ${safeJson(lastValue)}`;
  if (options.diagnose) {
    try {
      message += `\n${await withTimeout(Promise.resolve().then(options.diagnose), 2000, 'diagnostics')}`;
    } catch (error) {
      message += `\n(diagnostics failed: ${errorText(error)})`;
    }
  }
  throw new Error(message, { cause: lastError });
}

/**
 * Rejects if `promise` does not settle within `ms`. The timer is cleared either way, so a pending
 * `withTimeout` never keeps the process alive.
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${Math.round(ms)} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** One-line text of an unknown thrown value. */
export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
