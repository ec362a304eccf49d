// Shared measurement steps of the cluster failover suites: steady load on every shard, one
// fault, and the figures users feel (impact, recovery lag behind the server, healthy-shard
// errors and p99, calls past their deadline, calls that never settled, acknowledged writes
// lost). Used for both the resilient client and plain ioredis, so the two are measured alike.
import { openSync, readSync } from 'node:fs';
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClusterRouter } from '../../src/core/client/cluster-router.js';
import type { ResilientRedis } from '../../src/index.js';
import { type ClusterLab, type Moment, type RedisNode, now, slotOfKey, waitFor } from '../support/lab.js';
import { type GroupReport, LoadProbe, type ProbeClient } from '../support/load-probe.js';
import { fileSize, tailOf } from '../support/log-tail.js';
import { CallTracer, describeTrace } from './cluster-call-trace.js';

/** The total deadline the resilient client promises (cluster preset), and the probe's yardstick. */
export const DEADLINE_MS = 2000;
/** Calls per second per shard. */
export const RATE_PER_SHARD = 100;
/** Keys per shard, each with its own hash tag. */
const KEYS_PER_SHARD = 24;
/**
 * A SIGKILLed primary can lose writes it acknowledged but had not yet streamed to its replica:
 * Redis replicates asynchronously. On loopback that window is well under a millisecond; a write
 * acknowledged longer than this before the kill was replicated, so losing it would be a defect.
 */
export const REPLICATION_WINDOW_MS = 50;

/** Lost acknowledged writes, split by when they were acknowledged relative to the fault. */
export interface LostWrites {
  /** Acknowledged within REPLICATION_WINDOW_MS before the fault: Redis's async replication. */
  readonly inReplicationWindow: string[];
  /** Every other lost write: the client's (or the test's) fault. */
  readonly unexplained: string[];
}

/** What one fault did to one client. */
export interface FaultRun {
  readonly scenario: string;
  readonly client: 'resilient' | 'ioredis';
  readonly failed: GroupReport;
  readonly healthy: GroupReport[];
  /** Calls that had not settled when the load stopped (a short settle time was allowed). */
  readonly hung: number;
  readonly lost: LostWrites;
  /** Fault injection to the moment the cluster served the failed shard again, ms. */
  readonly serverOutageMs: number;
  /** Resilient client only: its topology moved the shard this long after the promotion, ms. */
  readonly followedAfterMs?: number | undefined;
  /**
   * Of the calls to the failed shard issued in the `windowMs` before the slots were served
   * again (minus 100 ms), the share that succeeded: what holding calls through a failover buys.
   */
  readonly successShareBeforeServed: (windowMs: number) => number;
  /**
   * With `watchRefusal`: when the healthy primaries refused queries (cluster_state not ok,
   * polled with CLUSTER INFO on each), and how long after its own node accepted again each
   * healthy-shard call that had waited it out finished: the client's excess over the servers'
   * own window, ms. `nodesApartMs`: how far apart the nodes turned ok.
   */
  readonly refusal?: RefusalFigures | undefined;
  /** Reads (GET) of the failed shard, issued after the fault, that failed, by error. */
  readonly failedShardReadErrors: Record<string, number>;
}

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

interface RefusalWindow {
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
function measureRefusal(
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

/** A probe client that remembers when each write was acknowledged. */
function ackTracking(client: ProbeClient): { client: ProbeClient; ackedAt: Map<string, number> } {
  const ackedAt = new Map<string, number>();
  return {
    ackedAt,
    client: {
      get: (key) => client.get(key),
      set: async (key, value) => {
        const reply = await client.set(key, value);
        ackedAt.set(`${key}=${value}`, performance.now());
        return reply;
      },
    },
  };
}

/** Reads `key` from the node that serves its slot now (not through the client under test). */
async function readFromOwner(cluster: ClusterLab, key: string): Promise<string | null> {
  const owner = await cluster.slotOwner(slotOfKey(key));
  return (await owner.command('GET', key)) as string | null;
}

export interface ShardFaultPlan {
  readonly scenario: string;
  readonly cluster: ClusterLab;
  readonly client: ProbeClient;
  readonly clientKind: 'resilient' | 'ioredis';
  /** The resilient client's events, to time when it followed the promotion. */
  readonly events$?: ResilientRedis['events$'];
  /** Which current primary (by slot order) to hit. */
  readonly victimIndex: number;
  /** Injects the fault; resolves with the moment the cluster served the slots again. */
  readonly inject: (victim: RedisNode, replica: RedisNode) => Promise<Moment>;
  /** Undoes the fault (SIGCONT, restart); the harness then waits for the cluster to settle. */
  readonly restore: (victim: RedisNode) => Promise<void>;
  /** Load before the fault, and after the slots are served again, ms. */
  readonly warmupMs?: number;
  readonly afterMs?: number;
  /** How long to wait for calls in flight when the load stops. */
  readonly settleMs?: number;
  /** Poll CLUSTER INFO on a healthy primary to time the servers' own refusal window. */
  readonly watchRefusal?: boolean;
  /** With `watchRefusal`: the resilient client's router, to trace the calls that finish late. */
  readonly router?: ClusterRouter;
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
function watchLoopDelay(serverPids: readonly number[]): {
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
function clusterOkFromLog(node: RedisNode, from: number): number | undefined {
  const text = tailOf(node.logFile, from, 2000);
  const line = /(\d{2}) (\w{3}) (\d{4}) (\d{2}:\d{2}:\d{2})\.(\d{3}) . Cluster state changed: ok/.exec(text);
  if (!line) return undefined;
  const [, day, month, year, time, ms] = line;
  const wall = new Date(`${day} ${month} ${year} ${time}`).getTime() + Number(ms);
  if (Number.isNaN(wall)) return undefined;
  return wall - (Date.now() - performance.now());
}

/** `cluster_state` of `node` sampled back to back until stopped: the servers' own view. */
function watchClusterState(node: RedisNode): { stop(): Promise<Array<{ at: number; ok: boolean }>> } {
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
function refusalWindow(
  samples: ReadonlyArray<{ at: number; ok: boolean }>,
): { fromMs: number; untilMs: number; gapMs: number } | undefined {
  const from = samples.findIndex((s) => !s.ok);
  if (from < 0) return undefined;
  const until = samples.findIndex((s, i) => i > from && s.ok);
  if (until < 0) return undefined;
  const [before, after] = [samples[until - 1]!.at, samples[until]!.at];
  return { fromMs: samples[from]!.at, untilMs: (before + after) / 2, gapMs: after - before };
}

/** Runs steady load on every shard, injects one primary fault, and measures. */
export async function runShardFault(plan: ShardFaultPlan): Promise<FaultRun> {
  const { cluster } = plan;
  const primaries = await cluster.primaries();
  const victim = primaries[plan.victimIndex % primaries.length]!;
  const replica = await cluster.replicaOf(victim);
  const prefix = `${plan.clientKind}-${plan.scenario.replaceAll(/\W+/g, '')}`;
  const groups = await Promise.all(
    primaries.map(async (p) => ({
      name: p === victim ? 'failed' : `healthy-${p.label}`,
      keys: await cluster.keysForShard(p, KEYS_PER_SHARD, prefix),
    })),
  );
  const tracer = plan.watchRefusal && plan.router ? new CallTracer(plan.router) : undefined;
  const tracked = ackTracking(tracer ? tracer.wrap(plan.client) : plan.client);
  let followedAt: number | undefined;
  const subscription = plan.events$?.subscribe((e) => {
    if (e.type === 'topology.refreshed' && e.promoted.length > 0) followedAt ??= performance.now();
  });
  const probe = new LoadProbe({ client: tracked.client, groups, ratePerGroup: RATE_PER_SHARD, deadlineMs: DEADLINE_MS });
  probe.start();
  // Each healthy shard's own primary: nodes learn the promotion a few ms apart, and a call is
  // refused by the node it goes to.
  const stateWatches = plan.watchRefusal
    ? primaries
        .filter((p) => p !== victim)
        .map((p) => ({ group: `healthy-${p.label}`, node: p, logFrom: fileSize(p.logFile), watch: watchClusterState(p) }))
    : [];
  const loopDelay = plan.watchRefusal ? watchLoopDelay(stateWatches.map((w) => w.node.pid)) : undefined;
  let faultAt: Moment | undefined;
  try {
    await sleep(plan.warmupMs ?? 1000);
    faultAt = now();
    const servedAt = await plan.inject(victim, replica);
    await sleep(plan.afterMs ?? 3000);
    const hung = await probe.stop(plan.settleMs ?? 2500);
    const reports = probe.report(faultAt.monoMs, servedAt.monoMs);
    const loopHistogram = loopDelay?.stop();
    const windows = new Map<string, RefusalWindow>();
    for (const { group, node, logFrom, watch } of stateWatches) {
      const w = refusalWindow(await watch.stop());
      if (w) windows.set(group, { ...w, logUntilMs: clusterOkFromLog(node, logFrom), pid: node.pid });
    }
    const refusal = loopDelay && windows.size > 0 ? measureRefusal(windows, probe, groups, faultAt.monoMs, loopDelay, tracer) : undefined;
    await plan.restore(victim);
    await cluster.waitForStable(30_000);
    const lost = await classifyLost(probe, tracked.ackedAt, cluster, faultAt.monoMs);
    return {
      scenario: plan.scenario,
      client: plan.clientKind,
      failed: reports.find((r) => r.group === 'failed')!,
      healthy: reports.filter((r) => r.group !== 'failed'),
      hung,
      lost,
      serverOutageMs: Math.round(servedAt.monoMs - faultAt.monoMs),
      followedAfterMs: followedAt === undefined ? undefined : Math.round(followedAt - servedAt.monoMs),
      refusal: refusal && {
        ...refusal,
        loopDelayRunMs: { p99: Math.round(loopHistogram?.p99Ms ?? 0), max: Math.round(loopHistogram?.maxMs ?? 0) },
      },
      failedShardReadErrors: countBy(
        probe.records
          .filter((r) => r.group === 'failed' && r.op === 'get' && !r.ok && r.start >= faultAt!.monoMs)
          .map((r) => r.error ?? '?'),
      ),
      successShareBeforeServed: (windowMs) => {
        const calls = probe.records.filter(
          (r) => r.group === 'failed' && r.start >= servedAt.monoMs - windowMs && r.start <= servedAt.monoMs - 100,
        );
        return calls.length === 0 ? Number.NaN : calls.filter((r) => r.ok).length / calls.length;
      },
    };
  } finally {
    subscription?.unsubscribe();
    for (const { watch } of stateWatches) await watch.stop();
    loopDelay?.stop();
    await probe.stop(0);
  }
}

function countBy(items: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[item] = (out[item] ?? 0) + 1;
  return out;
}

async function classifyLost(probe: LoadProbe, ackedAt: Map<string, number>, cluster: ClusterLab, faultAt: number): Promise<LostWrites> {
  const lost = await probe.lostWrites((key) => readFromOwner(cluster, key));
  const inReplicationWindow: string[] = [];
  const unexplained: string[] = [];
  for (const line of lost) {
    const [, key, value] = /^(.*): acked (\d+),/.exec(line) ?? [];
    const at = ackedAt.get(`${key}=${value}`);
    const inWindow = at !== undefined && at <= faultAt && faultAt - at <= REPLICATION_WINDOW_MS;
    (inWindow ? inReplicationWindow : unexplained).push(line);
  }
  return { inReplicationWindow, unexplained };
}

/**
 * Gets the cluster ready for a measurement: data on every shard (a replica with replication
 * offset 0 is left out of CLUSTER SLOTS), and every replica listed.
 */
export async function warmCluster(cluster: ClusterLab): Promise<void> {
  for (const primary of await cluster.primaries()) {
    await primary.command('SET', await cluster.keyForNode(primary, 'warm'), 'x');
  }
  const total = cluster.nodes.length;
  await waitFor(
    async () => {
      const node = cluster.nodes.find((n) => n.status === 'running')!;
      const slots = (await node.command('CLUSTER', 'SLOTS')) as unknown[][];
      return slots.reduce((n, range) => n + range.length - 2, 0) === total;
    },
    { timeoutMs: 20_000, what: 'CLUSTER SLOTS to list every node' },
  );
}

/** Waits until the resilient client's topology snapshot lists every node of the lab cluster. */
export async function waitForFullTopology(client: ResilientRedis, cluster: ClusterLab): Promise<void> {
  const router = client.router as ClusterRouter;
  await waitFor(
    async () => {
      await router.refreshNow();
      const t = router.snapshot();
      return t !== undefined && t.shards.reduce((n, s) => n + 1 + s.replicas.length, 0) === cluster.nodes.length;
    },
    { timeoutMs: 15_000, intervalMs: 300, what: 'the client to see every node' },
  );
}

const fmt = (n: number | undefined): string => (n === undefined ? 'never' : String(Math.round(n)));

/** One table row per run, printed side by side for both clients. */
export function printComparison(runs: readonly FaultRun[]): void {
  const rows = runs.map((r) => ({
    scenario: r.scenario,
    client: r.client,
    'server outage ms': r.serverOutageMs,
    'failed: errors': r.failed.errors,
    'failed: impact ms': fmt(r.failed.impactWindowMs),
    'failed: recovery lag ms': fmt(r.failed.recoveryLagMs),
    'client followed ms': r.client === 'resilient' ? fmt(r.followedAfterMs) : '-',
    'healthy: errors': r.healthy.reduce((n, h) => n + h.errors, 0),
    'healthy: p99 ms': Math.max(...r.healthy.map((h) => h.p99Ms)),
    'past deadline': r.failed.pastDeadline + r.healthy.reduce((n, h) => n + h.pastDeadline, 0),
    'never settled': r.hung,
    'lost writes': r.lost.inReplicationWindow.length + r.lost.unexplained.length,
  }));
  console.log('\ncluster failover: resilient client vs plain ioredis (new Cluster(seeds), default options)');
  console.table(rows);
}
