/**
 * A closed-loop load runner: `concurrency` callers, each awaiting one call before the next,
 * for a fixed time. Records every latency (µs) and the process CPU time spent, so that
 * throughput, p50/p99 and CPU per operation come from the same run.
 */

/** What one timed run measured. */
export interface LoopResult {
  ops: number;
  elapsedMs: number;
  /** Process CPU time (user + system) during the run, µs. */
  cpuUs: number;
  /** Every call's latency, µs (unsorted). */
  latenciesUs: Float64Array;
}

/** Runs `op` from `concurrency` callers for `durationMs`. A failed call aborts the run. */
export async function runClosedLoop(op: () => Promise<unknown>, concurrency: number, durationMs: number): Promise<LoopResult> {
  let latencies = new Float64Array(1 << 16);
  let ops = 0;
  const record = (us: number): void => {
    if (ops === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[ops++] = us;
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const start = performance.now();
      await op();
      record((performance.now() - start) * 1000);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ops, elapsedMs, cpuUs: cpu.user + cpu.system, latenciesUs: latencies.subarray(0, ops) };
}

/** Several runs of one client merged: totals, and percentiles over every recorded latency. */
export interface MergedResult {
  ops: number;
  opsPerSec: number;
  p50Us: number;
  p99Us: number;
  cpuUsPerOp: number;
}

/** Percentile `p` (0..1) of sorted values; 0 for none. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

/** Merges rounds of the same client and case. */
export function mergeRuns(runs: readonly LoopResult[]): MergedResult {
  const ops = runs.reduce((n, r) => n + r.ops, 0);
  const elapsedMs = runs.reduce((n, r) => n + r.elapsedMs, 0);
  const cpuUs = runs.reduce((n, r) => n + r.cpuUs, 0);
  const all = new Float64Array(ops);
  let offset = 0;
  for (const r of runs) {
    all.set(r.latenciesUs, offset);
    offset += r.ops;
  }
  all.sort();
  return {
    ops,
    opsPerSec: elapsedMs > 0 ? Math.round((ops / elapsedMs) * 1000) : 0,
    p50Us: round1(percentile(all, 0.5)),
    p99Us: round1(percentile(all, 0.99)),
    cpuUsPerOp: ops > 0 ? Math.round((cpuUs / ops) * 100) / 100 : 0,
  };
}
