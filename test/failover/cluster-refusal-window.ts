// The servers' own refusal window in a failover with cluster-require-full-coverage yes, and how
// long after it the healthy-shard calls that waited it out finished: each node's log line
// ("Cluster state changed: ok"), cross-checked with a CLUSTER INFO poll, and the machine's share
// (scheduler stats of this process and of the node a call went to, event-loop delay, GC) taken off.
import { openSync, readSync } from 'node:fs';
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisNode } from '../support/lab.js';
import type { LoadProbe } from '../support/load-probe.js';
import { tailOf } from '../support/log-tail.js';
import { type CallTracer, describeTrace } from './cluster-call-trace.js';

/**
 * The servers' refusal window (full coverage), and how long after it the calls that waited it
 * out finished. The window ends at each node's own log line ("Cluster state changed: ok"),
 * or, without one, between the last refusing and the first accepting CLUSTER INFO sample.
 */
export interface RefusalFigures {
  readonly fromMs: number;
  readonly untilMs: number;
  /** Where the window's end came from: the servers' logs, or the CLUSTER INFO poll. */
  readonly untilFrom: 'log' | 'poll';
  /** How far the poll's estimate of the end was from the log's, ms (the slower shard). */
  readonly pollVsLogMs: number | undefined;
  readonly waited: number;
  /** Calls that waited it out: finished this long after their node accepted again, ms. */
  readonly excessP99Ms: number;
  readonly excessMaxMs: number;
  /**
   * The same, minus the time the machine gave other processes while the call was finishing
   * (this process's main thread, or its node's, runnable but off the CPU, measured in the same
   * window): what the library itself added. Its own CPU work and its timers are never taken off.
   */
  readonly ownP99Ms: number;
  readonly ownMaxMs: number;
  /** The most time taken off one call that way, ms. */
  readonly stolenMaxMs: number;
  readonly nodesApartMs: number;
  /** The first success on a healthy shard after its node accepted again, ms (the slower shard). */
  readonly firstOkMs: number;
  /** How far apart the CLUSTER INFO samples around the window's end were, ms. */
  readonly sampleGapMs: number;
  /** The most this process's event loop lagged from the window's end to the last late call's end, ms. */
  readonly loopDelayMaxMs: number;
  /** Garbage collection in this process over the same stretch, ms. */
  readonly gcMs: number;
  /** This process's event-loop delay over the whole run (fault to end of load), ms. */
  readonly loopDelayRunMs: { readonly p99: number; readonly max: number };
  /** The calls that finished more than 10 ms after the window, with what they waited on when traced. */
  readonly late: string[];
}

export interface RefusalWindow {
  readonly fromMs: number;
  /** The poll's estimate of the end. */
  readonly untilMs: number;
  readonly gapMs: number;
  /** The server log's record of the end, when found. */
  readonly logUntilMs: number | undefined;
  /** The process id of the node whose window this is. */
  readonly pid: number;
}

const sorted = (values: number[]): number[] => values.sort((x, y) => x - y);
const p99 = (ascending: readonly number[]): number => ascending[Math.max(0, Math.ceil(ascending.length * 0.99) - 1)] ?? 0;

/** Figures of the refusal window: the excess of the calls that waited it out, raw and without the machine's share. */
export function measureRefusal(
  windows: ReadonlyMap<string, RefusalWindow>,
  probe: LoadProbe,
  groups: ReadonlyArray<{ name: string; keys: string[] }>,
  faultAt: number,
  loopDelay: ReturnType<typeof watchLoopDelay>,
  tracer: CallTracer | undefined,
): Omit<RefusalFigures, 'loopDelayRunMs'> {
  const all = [...windows.values()];
  const fromLog = all.every((w) => w.logUntilMs !== undefined);
  const untilOf = (w: RefusalWindow): number => (fromLog ? w.logUntilMs! : w.untilMs);
  const until = (group: string): number => {
    const w = windows.get(group);
    return w ? untilOf(w) : Number.NaN;
  };
  const waitedOut = probe.records.filter((r) => r.ok && r.start < until(r.group) && r.end > until(r.group));
  const measured = waitedOut.map((r) => {
    const excess = r.end - until(r.group);
    const { stolenMs } = loopDelay.within(until(r.group), r.end, windows.get(r.group)!.pid);
    return { r, excess, stolen: stolenMs, own: Math.max(0, excess - stolenMs) };
  });
  const excess = sorted(measured.map((m) => m.excess));
  const own = sorted(measured.map((m) => m.own));
  const keysOf = new Map(groups.map((g) => [g.name, new Set(g.keys)]));
  const late = measured
    .filter((m) => m.excess > 10)
    .map(({ r, excess: e, stolen }) => {
      const trace = tracer?.find(r.start, keysOf.get(r.group)!);
      const head = `${r.group} ${r.op} +${e.toFixed(1)} ms (${stolen.toFixed(1)} ms stolen)`;
      return trace ? `${head}: ${describeTrace(trace, until(r.group))}` : head;
    });
  const lastEnd = Math.max(...waitedOut.map((r) => r.end));
  const ends = all.map(untilOf);
  // The first success after the window on each healthy shard: the evidence the waiters follow.
  const firstOk = Math.max(
    ...[...windows.keys()].map((group) =>
      Math.min(...probe.records.filter((r) => r.group === group && r.ok && r.end > until(group)).map((r) => r.end - until(group))),
    ),
  );
  return {
    fromMs: Math.round(Math.min(...all.map((w) => w.fromMs)) - faultAt),
    untilMs: Math.round(Math.max(...ends) - faultAt),
    untilFrom: fromLog ? 'log' : 'poll',
    pollVsLogMs: fromLog ? Math.round(Math.max(...all.map((w) => Math.abs(w.untilMs - w.logUntilMs!)))) : undefined,
    waited: measured.length,
    excessP99Ms: Math.round(p99(excess)),
    excessMaxMs: Math.round(excess.at(-1) ?? 0),
    ownP99Ms: Math.round(p99(own)),
    ownMaxMs: Math.round(own.at(-1) ?? 0),
    stolenMaxMs: Math.round(Math.max(0, ...measured.map((m) => m.stolen))),
    nodesApartMs: Math.round(Math.max(...ends) - Math.min(...ends)),
    firstOkMs: Math.round(firstOk),
    sampleGapMs: Math.round(Math.max(...all.map((w) => w.gapMs))),
    loopDelayMaxMs: Math.round(loopDelay.within(Math.min(...ends), lastEnd, 0).maxDelayMs),
    gcMs: Math.round(loopDelay.gcWithin(Math.min(...ends), lastEnd)),
    late,
  };
}

/**
 * The main thread of process `pid`: ms spent on a CPU and ms spent waiting, runnable, for one
 * (Linux's per-thread schedstat). Undefined where the kernel does not tell.
 */
function schedClock(pid: number): (() => { cpu: number; wait: number }) | undefined {
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/task/${pid}/schedstat`, 'r');
  } catch {
    return undefined;
  }
  const buffer = Buffer.alloc(128);
  let last = { cpu: 0, wait: 0 };
  return () => {
    try {
      const [cpu, wait] = buffer.toString('latin1', 0, readSync(fd, buffer, 0, buffer.length, 0)).split(' ');
      last = { cpu: Number(cpu) / 1e6, wait: Number(wait) / 1e6 };
    } catch {
      // The process is gone (a killed node): it uses and waits no more.
    }
    return last;
  };
}

/**
 * This process's event-loop delay: a perf_hooks histogram over the whole run, and a 1 ms timer
 * chain for when it happened (the histogram can't be sliced: a reset drops its next reading).
 * A timer that fired `gap` ms after the previous one saw the loop blocked `gap - 1` ms.
 *
 * Alongside, the time the machine gave other processes ("stolen"), per interval between two
 * ticks: how long this process's main thread waited, runnable, for a CPU, plus how long the
 * main thread of the server a call went to did, but only for as long as this process was idle
 * (waiting on that server). This process's own CPU time, the library's work included, is
 * never counted as stolen.
 */
export function watchLoopDelay(serverPids: readonly number[]): {
  stop(): { p99Ms: number; maxMs: number };
  within(fromMs: number, toMs: number, serverPid: number): { maxDelayMs: number; stolenMs: number };
  /** Garbage-collection pauses of this process between `fromMs` and `toMs`, ms (its own work: never taken off). */
  gcWithin(fromMs: number, toMs: number): number;
} {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const pauses: Array<{ at: number; ms: number }> = [];
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push({ at: e.startTime, ms: e.duration });
  });
  gc.observe({ entryTypes: ['gc'] });
  const pids = [process.pid, ...serverPids];
  const clocks = pids.map((pid) => schedClock(pid));
  const read = (): Array<{ cpu: number; wait: number } | undefined> => clocks.map((c) => c?.());
  const ticks: Array<{ at: number; sched: Array<{ cpu: number; wait: number } | undefined> }> = [{ at: performance.now(), sched: read() }];
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    ticks.push({ at: performance.now(), sched: read() });
    timer = setTimeout(tick, 1);
  };
  timer = setTimeout(tick, 1);
  return {
    stop() {
      clearTimeout(timer);
      gc.disconnect();
      histogram.disable();
      return { p99Ms: histogram.percentile(99) / 1e6, maxMs: histogram.max / 1e6 };
    },
    within(fromMs, toMs, serverPid) {
      const server = pids.indexOf(serverPid);
      let maxDelayMs = 0;
      let stolenMs = 0;
      for (let i = 1; i < ticks.length; i++) {
        const [prev, cur] = [ticks[i - 1]!, ticks[i]!];
        if (cur.at <= fromMs || prev.at >= toMs) continue;
        const elapsed = cur.at - prev.at;
        maxDelayMs = Math.max(maxDelayMs, elapsed - 1);
        const [ours, oursBefore] = [cur.sched[0], prev.sched[0]];
        if (!ours || !oursBefore) continue;
        const oursWait = ours.wait - oursBefore.wait;
        const idle = Math.max(0, elapsed - (ours.cpu - oursBefore.cpu) - oursWait);
        const [theirs, theirsBefore] = server > 0 ? [cur.sched[server], prev.sched[server]] : [undefined, undefined];
        const theirWait = theirs && theirsBefore ? theirs.wait - theirsBefore.wait : 0;
        // Only the part of the interval inside [fromMs, toMs], in proportion.
        const share = (Math.min(cur.at, toMs) - Math.max(prev.at, fromMs)) / elapsed;
        stolenMs += Math.min(elapsed, oursWait + Math.min(theirWait, idle)) * share;
      }
      return { maxDelayMs, stolenMs };
    },
    gcWithin: (fromMs, toMs) => pauses.filter((p) => p.at + p.ms >= fromMs && p.at <= toMs).reduce((n, p) => n + p.ms, 0),
  };
}

/**
 * When `node` last turned `cluster_state` ok after byte `from` of its log, in this process's
 * performance.now ms: the server's own record of the moment it accepted queries again
 * ("Cluster state changed: ok", ms resolution), free of any poll's interval.
 */
export function clusterOkFromLog(node: RedisNode, from: number): number | undefined {
  const text = tailOf(node.logFile, from, 2000);
  const line = /(\d{2}) (\w{3}) (\d{4}) (\d{2}:\d{2}:\d{2})\.(\d{3}) . Cluster state changed: ok/.exec(text);
  if (!line) return undefined;
  const [, day, month, year, time, ms] = line;
  const wall = new Date(`${day} ${month} ${year} ${time}`).getTime() + Number(ms);
  if (Number.isNaN(wall)) return undefined;
  return wall - (Date.now() - performance.now());
}

/** `cluster_state` of `node` sampled back to back until stopped: the servers' own view. */
export function watchClusterState(node: RedisNode): { stop(): Promise<Array<{ at: number; ok: boolean }>> } {
  const samples: Array<{ at: number; ok: boolean }> = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const at = performance.now();
      const info = String(await node.command('CLUSTER', 'INFO').catch(() => ''));
      samples.push({ at, ok: info.includes('cluster_state:ok') });
      // Every few ms, not back to back: the pollers share the process with the client measured.
      await sleep(5);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return samples;
    },
  };
}

/**
 * The first not-ok stretch in `samples`. It ends between the last refusing sample and the first
 * accepting one: the midpoint of the two, so the poll interval biases the excess neither way.
 */
export function refusalWindow(
  samples: ReadonlyArray<{ at: number; ok: boolean }>,
): { fromMs: number; untilMs: number; gapMs: number } | undefined {
  const from = samples.findIndex((s) => !s.ok);
  if (from < 0) return undefined;
  const until = samples.findIndex((s, i) => i > from && s.ok);
  if (until < 0) return undefined;
  const [before, after] = [samples[until - 1]!.at, samples[until]!.at];
  return { fromMs: samples[from]!.at, untilMs: (before + after) / 2, gapMs: after - before };
}
