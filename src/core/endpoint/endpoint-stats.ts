import type { FailureScenario } from '../policy/failure-scenario.js';

/**
 * Upper bounds, in seconds, of the command duration histogram: sized for Redis, where a
 * healthy reply takes 0.1–2 ms and anything past a second is a failure in progress.
 */
export const DURATION_BUCKETS_S: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];
const BUCKET_COUNT = DURATION_BUCKETS_S.length;
const BUCKETS_MS = DURATION_BUCKETS_S.map((s) => s * 1000);

/**
 * Plain-number counters for one endpoint. The command path only bumps fields here; the
 * metrics layer reads them at scrape time, so a call costs no prom-client work at all.
 */
export class EndpointStats {
  /** Successful calls (counted by {@link recordSuccess}). */
  ok = 0;
  /**
   * Called at each success while set: the one listener that releases calls waiting for
   * evidence that this node serves again (the router's ready evidence), at the reply itself
   * rather than at its next poll.
   */
  onSuccess: (() => void) | undefined = undefined;
  /** Failed calls by final scenario. */
  readonly errors = new Map<FailureScenario, number>();
  /** Retries by the scenario that caused them. */
  readonly retries = new Map<FailureScenario, number>();
  /** Cumulative histogram counts; index BUCKET_COUNT is +Inf. */
  readonly buckets = new Float64Array(BUCKET_COUNT + 1);
  durationSumS = 0;
  durationCount = 0;
  /** Calls refused at once because the wait queue was full. */
  overflows = 0;
  /**
   * Of `ok`, the reads this node served as a replica because its shard's primary was down
   * (`readFrom: 'primary-preferred'`): `commands_total{fallback="primary-down"}`.
   */
  primaryDownReads = 0;

  /** One successful call that took `ms` in all (queueing and retries included). */
  recordSuccess(ms: number): void {
    this.ok++;
    this.recordDuration(ms);
    this.onSuccess?.();
  }

  recordDuration(ms: number): void {
    let i = 0;
    while (i < BUCKET_COUNT && ms > BUCKETS_MS[i]!) i++;
    this.buckets[i]! += 1;
    this.durationSumS += ms / 1000;
    this.durationCount++;
  }

  recordError(scenario: FailureScenario): void {
    this.errors.set(scenario, (this.errors.get(scenario) ?? 0) + 1);
  }

  recordRetry(scenario: FailureScenario): void {
    this.retries.set(scenario, (this.retries.get(scenario) ?? 0) + 1);
  }
}
