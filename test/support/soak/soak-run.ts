/**
 * The soak (issue 15): a lab cluster under steady load, a fault every 30 s, and the figures
 * that say whether the client stays honest over time. Shared by `npm run soak -- --minutes N`
 * and the 1-minute failover-suite test.
 *
 * Acceptance: no acknowledged write lost, no error outside a fault window, nothing pending at
 * the end, heap after GC and handle counts flat, and no handle left once everything is closed.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createResilientRedis, silentLogger } from '../../../src/index.js';
import { createLab } from '../lab.js';
import { activeResources, grownResources } from '../resource-tracker.js';
import { SOAK_FAULTS, injectFault } from './soak-faults.js';
import { SoakLoad } from './soak-load.js';

export interface SoakOptions {
  minutes: number;
  /** Progress lines (one per fault and per sample). */
  log?: (line: string) => void;
  /** Calls per second. @default 200 */
  ratePerSecond?: number;
}

export interface SoakSample {
  atS: number;
  heapMb: number;
  handles: number;
  inFlight: number;
}

export interface FaultWindow {
  fault: string;
  startS: number;
  endS: number;
}

export interface SoakReport {
  minutes: number;
  calls: number;
  ok: number;
  errors: number;
  errorsOutsideWindows: number;
  errorsOutsideByCode: Record<string, number>;
  lostWrites: number;
  lostExamples: string[];
  ackedKeys: number;
  pendingAtEnd: number;
  faults: FaultWindow[];
  samples: SoakSample[];
  heapGrowthMb: number;
  handleGrowth: number;
  handlesLeftAfterClose: string[];
  failed: string[];
}

/** The first fault starts this long after the load, and each one every this many ms. */
const FIRST_FAULT_MS = 5000;
const FAULT_EVERY_MS = 30_000;
/** After the cluster reports recovery, the client gets this long to converge before errors count. */
const RECOVERY_GRACE_MS = 5000;
const SAMPLE_EVERY_MS = 5000;
/** Heap after GC may wobble by this much; a leak over minutes grows past it. */
const HEAP_SLACK_MB = 16;
/** Sockets and timers may differ by a few between samples (a reconnect, a probe in flight). */
const HANDLE_SLACK = 6;

function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => {});
  const gc = collectGarbage();
  const baseline = activeResources();
  const lab = createLab();
  const samples: SoakSample[] = [];
  const faults: FaultWindow[] = [];
  let report: SoakReport | undefined;
  try {
    const cluster = await lab.cluster();
    const client = createResilientRedis({
      name: 'soak',
      mode: 'cluster',
      nodes: cluster.seeds(),
      logger: silentLogger,
      metrics: { enabled: false },
    });
    await client.connect();
    const load = new SoakLoad(client, 300, options.ratePerSecond ?? 200);
    const t0 = performance.now();
    const s = (at: number): number => Math.round((at - t0) / 100) / 10;
    const sample = (): void => {
      gc();
      const entry = {
        atS: s(performance.now()),
        heapMb: Math.round(process.memoryUsage().heapUsed / 1024 / 10.24) / 100,
        handles: process.getActiveResourcesInfo().length,
        inFlight: client.health().inFlight,
      };
      samples.push(entry);
      log(
        `sample t=${entry.atS}s heap=${entry.heapMb}MB handles=${entry.handles} inFlight=${entry.inFlight} calls=${load.calls} errors=${load.failures.length}`,
      );
    };
    load.start();
    const sampler = setInterval(sample, SAMPLE_EVERY_MS);
    const endAt = t0 + options.minutes * 60_000;
    try {
      for (let i = 0; ; i++) {
        const due = t0 + FIRST_FAULT_MS + i * FAULT_EVERY_MS;
        // The last fault must have time to recover inside the run.
        if (due + FAULT_EVERY_MS / 2 > endAt) break;
        await sleep(Math.max(0, due - performance.now()));
        const fault = SOAK_FAULTS[i % SOAK_FAULTS.length]!;
        const start = performance.now();
        const what = await injectFault(cluster, fault, i);
        const end = performance.now() + RECOVERY_GRACE_MS;
        faults.push({ fault: what, startS: s(start), endS: s(end) });
        log(`fault ${what}: ${s(start)}s to ${s(end)}s (recovered ${Math.round(end - RECOVERY_GRACE_MS - start)} ms after it started)`);
      }
      await sleep(Math.max(0, endAt - performance.now()));
    } finally {
      clearInterval(sampler);
    }
    sample();
    const pendingAtEnd = (await load.stop(client.resolved.policy.totalTimeoutMs + 1000)) + client.health().inFlight;
    const lost = await load.lostWrites((key) => client.get(key));
    const outside = load.failures.filter((f) => !faults.some((w) => s(f.at) >= w.startS && s(f.at) <= w.endS));
    const byCode: Record<string, number> = {};
    for (const f of outside) byCode[f.code] = (byCode[f.code] ?? 0) + 1;
    await client.close();

    // Flatness, in steady state: samples taken inside a fault window count the lab's own work
    // (a restarted redis-server's pipes) and reconnects in progress, not what accumulates. The
    // later half of the run against the first half (after the first sample).
    const steady = samples.filter((x, i) => i > 0 && !faults.some((w) => x.atS >= w.startS && x.atS <= w.endS));
    const half = Math.floor(steady.length / 2);
    const first = steady.slice(0, Math.max(1, half));
    const last = steady.slice(Math.max(0, half));
    const maxOf = (xs: SoakSample[], f: (x: SoakSample) => number): number => Math.max(...xs.map(f));
    const minOf = (xs: SoakSample[], f: (x: SoakSample) => number): number => Math.min(...xs.map(f));
    const heapGrowthMb = Math.round((minOf(last, (x) => x.heapMb) - minOf(first, (x) => x.heapMb)) * 100) / 100;
    const handleGrowth = maxOf(last, (x) => x.handles) - maxOf(first, (x) => x.handles);
    report = {
      minutes: options.minutes,
      calls: load.calls,
      ok: load.ok,
      errors: load.failures.length,
      errorsOutsideWindows: outside.length,
      errorsOutsideByCode: byCode,
      lostWrites: lost.length,
      lostExamples: lost.slice(0, 5),
      ackedKeys: load.ackedKeys,
      pendingAtEnd,
      faults,
      samples,
      heapGrowthMb,
      handleGrowth,
      handlesLeftAfterClose: [],
      failed: [],
    };
  } finally {
    await lab.teardown();
  }
  // Everything closed: the process holds what it held before the soak, and nothing more.
  await sleep(200);
  report.handlesLeftAfterClose = grownResources(baseline, activeResources());
  report.failed = acceptance(report);
  return report;
}

/** The acceptance figures that failed, in words; empty when the soak passed. */
export function acceptance(r: SoakReport): string[] {
  const failed: string[] = [];
  if (r.lostWrites > 0) failed.push(`${r.lostWrites} acknowledged writes lost`);
  if (r.errorsOutsideWindows > 0)
    failed.push(`${r.errorsOutsideWindows} errors outside fault windows (${JSON.stringify(r.errorsOutsideByCode)})`);
  if (r.pendingAtEnd > 0) failed.push(`${r.pendingAtEnd} calls pending at the end`);
  if (r.heapGrowthMb > HEAP_SLACK_MB) failed.push(`heap after GC grew ${r.heapGrowthMb} MB`);
  if (r.handleGrowth > HANDLE_SLACK) failed.push(`handles grew by ${r.handleGrowth}`);
  if (r.handlesLeftAfterClose.length > 0) failed.push(`handles left after close: ${r.handlesLeftAfterClose.join(', ')}`);
  if (r.faults.length === 0) failed.push('no fault was injected');
  if (r.ok === 0) failed.push('no call succeeded');
  return failed;
}

/** The report as text for a terminal. */
export function formatSoakReport(r: SoakReport): string {
  const lines = [
    `soak: ${r.minutes} min, ${r.calls} calls, ${r.ok} ok, ${r.errors} errors (${r.errorsOutsideWindows} outside fault windows)`,
    `faults: ${r.faults.map((f) => `${f.fault} [${f.startS}s-${f.endS}s]`).join('; ')}`,
    `acknowledged keys read back: ${r.ackedKeys}, lost writes: ${r.lostWrites}${r.lostExamples.length ? ` (${r.lostExamples.join('; ')})` : ''}`,
    `pending at end: ${r.pendingAtEnd}`,
    `heap after GC (MB) over time: ${r.samples.map((x) => `${x.atS}s=${x.heapMb}`).join(' ')}`,
    `handles over time: ${r.samples.map((x) => `${x.atS}s=${x.handles}`).join(' ')}`,
    `heap growth ${r.heapGrowthMb} MB, handle growth ${r.handleGrowth}, handles left after close: ${r.handlesLeftAfterClose.join(', ') || 'none'}`,
    r.failed.length === 0 ? 'PASS' : `FAIL: ${r.failed.join('; ')}`,
  ];
  return lines.join('\n');
}
