/**
 * Steady, open-loop load against groups of keys (one group per shard, or "writes"/"reads"),
 * recording every call so failure tests and the demo can measure what users feel: the impact
 * window, the recovery lag behind the server-side promotion, errors and p99 on healthy
 * groups, calls pending past their deadline, calls that never settled, and acknowledged
 * writes that were lost.
 *
 * Open loop on purpose: a closed loop slows down when calls hang and hides the damage.
 */

/** The few commands the probe needs; both ioredis and ResilientRedis fit. */
export interface ProbeClient {
  set(key: string, value: string): Promise<unknown>;
  get(key: string): Promise<string | null>;
}

export interface ProbeGroup {
  /** Label in reports, e.g. the shard's slot range. */
  name: string;
  /** Keys this group writes and reads; all in one shard for per-shard measurements. */
  keys: string[];
}

export interface LoadProbeOptions {
  client: ProbeClient;
  groups: ProbeGroup[];
  /** Calls per second per group. @default 100 */
  ratePerGroup?: number;
  /** 'write': SET key <seq> only; 'read': GET only; 'mixed': alternate. @default 'mixed' */
  mix?: 'write' | 'read' | 'mixed';
  /** The deadline the client promises, ms; calls slower than this + 50 ms are "past deadline". */
  deadlineMs: number;
  /** Histogram/timeline bucket, ms. @default 250 */
  bucketMs?: number;
}

export interface CallRecord {
  group: string;
  op: 'set' | 'get';
  /** performance.now() at the start and the end. */
  start: number;
  end: number;
  ok: boolean;
  error?: string;
}

export interface GroupReport {
  group: string;
  calls: number;
  errors: number;
  errorsByCode: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** First failed call start after the fault to the end of the last failed call, ms (0 if none). */
  impactWindowMs: number;
  /** Calls that took longer than the deadline + 50 ms. */
  pastDeadline: number;
  /** Calls still pending when the probe stopped (hung). */
  hung: number;
  /** First sustained success after `servedAgainAt` minus `servedAgainAt`, ms; undefined if never. */
  recoveryLagMs: number | undefined;
}

const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

export class LoadProbe {
  readonly records: CallRecord[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly acked = new Map<string, number>();
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private turn = 0;
  private startedAt = 0;
  stoppedAt = 0;

  constructor(private readonly options: LoadProbeOptions) {}

  start(): void {
    const rate = this.options.ratePerGroup ?? 100;
    const tickMs = 10;
    let carry = 0;
    this.startedAt = performance.now();
    this.timer = setInterval(() => {
      carry += (rate * tickMs) / 1000;
      const n = Math.floor(carry);
      carry -= n;
      for (let i = 0; i < n; i++) for (const g of this.options.groups) this.issue(g);
    }, tickMs);
  }

  private issue(group: ProbeGroup): void {
    const key = group.keys[this.turn++ % group.keys.length]!;
    const mix = this.options.mix ?? 'mixed';
    const write = mix === 'write' || (mix === 'mixed' && this.turn % 2 === 0);
    const start = performance.now();
    const value = ++this.seq;
    const call = write ? this.options.client.set(key, String(value)) : this.options.client.get(key);
    const p: Promise<void> = call
      .then(
        () => {
          if (write && (this.acked.get(key) ?? 0) < value) this.acked.set(key, value);
          this.records.push({ group: group.name, op: write ? 'set' : 'get', start, end: performance.now(), ok: true });
        },
        (error: unknown) => {
          const e = error as { code?: string; message?: string };
          const code =
            typeof e.code === 'string' && e.code.startsWith('ERR_')
              ? e.code
              : String(e.message ?? e)
                  .split(' ')
                  .slice(0, 3)
                  .join(' ');
          this.records.push({ group: group.name, op: write ? 'set' : 'get', start, end: performance.now(), ok: false, error: code });
        },
      )
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Stops issuing; waits up to `settleMs` for calls in flight. Returns how many never settled. */
  async stop(settleMs = 5000): Promise<number> {
    if (this.timer) clearInterval(this.timer);
    this.stoppedAt = performance.now();
    const waiting = [...this.pending];
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(waiting), new Promise((r) => (timer = setTimeout(r, settleMs)))]);
    clearTimeout(timer);
    return this.pending.size;
  }

  /** Calls still pending (hung) right now, per group is not tracked: total only. */
  get hung(): number {
    return this.pending.size;
  }

  /**
   * Verifies acknowledged writes: every key must hold a value at least as new as the last
   * acknowledged one (a later unacknowledged write may also have landed). Returns lost keys.
   */
  lostWrites(read: (key: string) => Promise<string | null>): Promise<string[]> {
    return findLostWrites(this.acked, read);
  }

  get acknowledgedWrites(): number {
    return this.acked.size;
  }

  /**
   * Per-group figures. `faultAt` is when the fault was injected and `servedAgainAt` when the
   * server side served the group's slots again (promotion, DNS flip…), both performance.now().
   */
  report(faultAt: number, servedAgainAt: number | undefined, sustainMs = 500): GroupReport[] {
    return this.options.groups.map((g) => {
      const rs = this.records.filter((r) => r.group === g.name).sort((a, b) => a.start - b.start);
      const lat = rs.map((r) => r.end - r.start).sort((a, b) => a - b);
      const errs = rs.filter((r) => !r.ok);
      const errorsByCode: Record<string, number> = {};
      for (const r of errs) errorsByCode[r.error!] = (errorsByCode[r.error!] ?? 0) + 1;
      const afterFault = errs.filter((r) => r.start >= faultAt - 50);
      const impactWindowMs = afterFault.length
        ? Math.max(...afterFault.map((r) => r.end)) - Math.min(...afterFault.map((r) => r.start))
        : 0;
      return {
        group: g.name,
        calls: rs.length,
        errors: errs.length,
        errorsByCode,
        p50Ms: round(percentile(lat, 50)),
        p99Ms: round(percentile(lat, 99)),
        maxMs: round(lat.at(-1) ?? 0),
        impactWindowMs: round(impactWindowMs),
        pastDeadline: rs.filter((r) => r.end - r.start > this.options.deadlineMs + 50).length,
        hung: 0,
        recoveryLagMs: servedAgainAt === undefined ? undefined : recoveryLag(rs, servedAgainAt, sustainMs),
      };
    });
  }

  /** Success and error counts per bucket and group, for charts. */
  timeline(bucketMs = this.options.bucketMs ?? 250): Array<{ tMs: number; group: string; ok: number; errors: number }> {
    const out = new Map<string, { tMs: number; group: string; ok: number; errors: number }>();
    for (const r of this.records) {
      const t = Math.floor((r.end - this.startedAt) / bucketMs) * bucketMs;
      const k = `${r.group}@${t}`;
      const row = out.get(k) ?? { tMs: t, group: r.group, ok: 0, errors: 0 };
      if (r.ok) row.ok++;
      else row.errors++;
      out.set(k, row);
    }
    return [...out.values()].sort((a, b) => a.tMs - b.tMs || a.group.localeCompare(b.group));
  }

  get origin(): number {
    return this.startedAt;
  }
}

/**
 * The first moment after `from` from which every call that *started* succeeded for at least
 * `sustainMs`, minus `from`. Negative lags are reported as 0 (the client never lost it).
 */
function recoveryLag(records: CallRecord[], from: number, sustainMs: number): number | undefined {
  const after = records.filter((r) => r.end >= from);
  for (let i = 0; i < after.length; i++) {
    if (!after[i]!.ok) continue;
    const begin = after[i]!;
    let sustained = true;
    for (let j = i + 1; j < after.length && after[j]!.start <= begin.start + sustainMs; j++) {
      if (!after[j]!.ok) {
        sustained = false;
        break;
      }
    }
    const last = after.at(-1)!;
    if (sustained && last.start >= begin.start + Math.min(sustainMs, 100)) return round(Math.max(0, begin.end - from));
  }
  return undefined;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/**
 * Reads back every key of `acked` (key -> newest acknowledged sequence number): a key holding an
 * older value lost an acknowledged write (a newer unacknowledged one may have landed, which is
 * fine). Returns one line per lost key.
 */
export async function findLostWrites(acked: ReadonlyMap<string, number>, read: (key: string) => Promise<string | null>): Promise<string[]> {
  const lost: string[] = [];
  for (const [key, value] of acked) {
    const now = Number(await read(key));
    if (!(now >= value)) lost.push(`${key}: acked ${value}, found ${now}`);
  }
  return lost;
}
