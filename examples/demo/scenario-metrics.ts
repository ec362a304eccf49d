/**
 * What one client felt during one scenario, from the load probe's call records plus the calls
 * that never settled. Pure functions: the demo's numbers can be checked without Redis.
 *
 * Definitions (printed with the table, so nobody has to guess):
 * - a call is *affected* when it failed, took longer than the deadline + 50 ms, or was still
 *   pending when the scenario stopped (hung);
 * - impact window: from the start of the first affected call issued after the fault to the end
 *   of the last affected call (a hung call "ends" when the scenario stopped waiting for it);
 * - recovery lag: the load probe's figure for the shard that was hit: first success after the
 *   server-side promotion that is followed by 500 ms of successes, minus the promotion moment;
 * - healthy-shard errors: failed calls on groups the fault did not touch;
 * - calls past deadline: settled calls slower than the deadline + 50 ms, plus hung calls.
 */
import type { CallRecord, GroupReport } from '../../test/support/load-probe.js';
import type { InFlightCall } from './tracked-client.js';

/** Slack on the deadline, as in the load probe. */
export const DEADLINE_SLACK_MS = 50;

/** The figures summary.json holds per scenario and per client. */
export interface ClientScenarioSummary {
  impactWindowS: number;
  /** null: never recovered within the scenario (or no promotion to measure against). */
  recoveryLagS: number | null;
  healthyShardErrors: number;
  callsPastDeadline: number;
  lostWrites: number;
}

/** The same plus the detail behind it (timeline.json). */
export interface ClientScenarioDetail extends ClientScenarioSummary {
  calls: number;
  /**
   * Calls that did not get an answer within the deadline: failed, slow or hung. The fair
   * count across clients that fail fast (redis-resilience) and clients that wait (ioredis).
   */
  affectedCalls: number;
  errors: number;
  errorsByCode: Record<string, number>;
  hung: number;
  /** Settled calls slower than the deadline. */
  slowCalls: number;
  p99Ms: number;
  maxMs: number;
  acknowledgedWrites: number;
  lostWriteKeys: string[];
  /** Failed calls on healthy groups by kind (`ERR_RETRIES_EXHAUSTED/clusterdown`), the why behind healthyShardErrors. */
  healthyErrorKinds: Record<string, number>;
  /** Failed calls on the groups the fault hit, by kind. */
  victimErrorKinds: Record<string, number>;
}

export interface ScenarioClientInput {
  records: readonly CallRecord[];
  hung: readonly InFlightCall[];
  /** The probe's own per-group report (for the recovery lag). */
  reports: readonly GroupReport[];
  /** Groups whose shard the fault hit. Every other group is "healthy". */
  victimGroups: readonly string[];
  /** performance.now() of the fault. */
  faultAt: number;
  /** performance.now() when the scenario stopped waiting for calls in flight. */
  stoppedAt: number;
  deadlineMs: number;
  lostWriteKeys: readonly string[];
  acknowledgedWrites: number;
  /** Failed calls per group and kind, from the tracked client. */
  errorKinds?: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** True if a settled call missed its deadline. */
export function isLate(record: Pick<CallRecord, 'start' | 'end'>, deadlineMs: number): boolean {
  return record.end - record.start > deadlineMs + DEADLINE_SLACK_MS;
}

/** Computes the per-client figures of one scenario. */
export function summarizeClient(input: ScenarioClientInput): ClientScenarioDetail {
  const { records, hung, deadlineMs, faultAt } = input;
  const victims = new Set(input.victimGroups);
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  const widen = (start: number, end: number): void => {
    if (start < faultAt - DEADLINE_SLACK_MS) return;
    first = Math.min(first, start);
    last = Math.max(last, end);
  };
  let errors = 0;
  let healthyShardErrors = 0;
  let slowCalls = 0;
  let affectedCalls = hung.length;
  const errorsByCode: Record<string, number> = {};
  const durations: number[] = [];
  for (const r of records) {
    durations.push(r.end - r.start);
    const late = isLate(r, deadlineMs);
    if (late) slowCalls++;
    if (!r.ok) {
      errors++;
      const code = r.error ?? 'unknown';
      errorsByCode[code] = (errorsByCode[code] ?? 0) + 1;
      if (!victims.has(r.group)) healthyShardErrors++;
    }
    if (!r.ok || late) {
      affectedCalls++;
      widen(r.start, r.end);
    }
  }
  for (const h of hung) widen(h.start, input.stoppedAt);
  durations.sort((a, b) => a - b);
  const pick = (p: number): number =>
    durations.length === 0 ? 0 : durations[Math.min(durations.length - 1, Math.floor(p * durations.length))]!;
  const healthyErrorKinds: Record<string, number> = {};
  const victimErrorKinds: Record<string, number> = {};
  for (const [group, kinds] of input.errorKinds ?? new Map<string, ReadonlyMap<string, number>>()) {
    const into = victims.has(group) ? victimErrorKinds : healthyErrorKinds;
    for (const [kind, n] of kinds) into[kind] = (into[kind] ?? 0) + n;
  }
  const lags = input.reports.filter((r) => victims.has(r.group)).map((r) => r.recoveryLagMs);
  const recoveryLagS = lags.length === 0 || lags.some((l) => l === undefined) ? null : round2(Math.max(...(lags as number[])) / 1000);
  return {
    impactWindowS: last > first ? round2((last - first) / 1000) : 0,
    recoveryLagS,
    healthyShardErrors,
    callsPastDeadline: slowCalls + hung.length,
    lostWrites: input.lostWriteKeys.length,
    calls: records.length + hung.length,
    affectedCalls,
    errors,
    errorsByCode,
    hung: hung.length,
    slowCalls,
    p99Ms: round2(pick(0.99)),
    maxMs: round2(durations.at(-1) ?? 0),
    acknowledgedWrites: input.acknowledgedWrites,
    lostWriteKeys: [...input.lostWriteKeys],
    healthyErrorKinds,
    victimErrorKinds,
  };
}

/** Only the five figures of summary.json. */
export function toSummary(detail: ClientScenarioSummary): ClientScenarioSummary {
  return {
    impactWindowS: detail.impactWindowS,
    recoveryLagS: detail.recoveryLagS,
    healthyShardErrors: detail.healthyShardErrors,
    callsPastDeadline: detail.callsPastDeadline,
    lostWrites: detail.lostWrites,
  };
}

/** One call in timeline.json: [issued at (s since the start), duration ms (null: hung), group index, error or 0]. */
export type RawCall = [number, number | null, number, string | 0];

/** Every call of one client, compact, for timeline.json. */
export function rawCalls(
  records: readonly CallRecord[],
  hung: readonly InFlightCall[],
  groups: readonly string[],
  originMs: number,
): RawCall[] {
  const index = (g: string): number => groups.indexOf(g);
  const at = (t: number): number => Math.round(t - originMs) / 1000;
  const calls: RawCall[] = records.map((r) => [
    at(r.start),
    Math.round((r.end - r.start) * 100) / 100,
    index(r.group),
    r.ok ? 0 : (r.error ?? 'error'),
  ]);
  for (const h of hung) calls.push([at(h.start), null, index(h.group), 'HUNG']);
  return calls.sort((a, b) => a[0] - b[0]);
}

/** One chart bucket: calls issued in it and how many of them succeeded within the deadline. */
export interface SuccessBucket {
  /** Bucket start, seconds since the demo started. */
  tS: number;
  issued: number;
  good: number;
}

/**
 * Success rate over time, by the time each call was *issued*: a call that hung counts as a
 * failure when it was made, which is when the user started waiting.
 */
export function successSeries(
  records: readonly CallRecord[],
  hung: readonly InFlightCall[],
  originMs: number,
  deadlineMs: number,
  bucketMs = 500,
): SuccessBucket[] {
  const buckets = new Map<number, SuccessBucket>();
  const add = (start: number, good: boolean): void => {
    const index = Math.floor((start - originMs) / bucketMs);
    const bucket = buckets.get(index) ?? { tS: (index * bucketMs) / 1000, issued: 0, good: 0 };
    bucket.issued++;
    if (good) bucket.good++;
    buckets.set(index, bucket);
  };
  for (const r of records) add(r.start, r.ok && !isLate(r, deadlineMs));
  for (const h of hung) add(h.start, false);
  return [...buckets.values()].sort((a, b) => a.tS - b.tS);
}
