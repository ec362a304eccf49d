// Shared measurement steps of the cluster failover suites: steady load on every shard, one
// fault, and the figures users feel (impact, recovery lag behind the server, healthy-shard
// errors and p99, calls past their deadline, calls that never settled, acknowledged writes
// lost). Used for both the resilient client and plain ioredis, so the two are measured alike.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClusterRouter } from '../../src/core/client/cluster-router.js';
import type { ResilientRedis } from '../../src/index.js';
import { type ClusterLab, type Moment, type RedisNode, now, slotOfKey, waitFor } from '../support/lab.js';
import { type GroupReport, LoadProbe, type ProbeClient } from '../support/load-probe.js';
import { fileSize } from '../support/log-tail.js';
import { CallTracer } from './cluster-call-trace.js';
import {
  type RefusalFigures,
  type RefusalWindow,
  clusterOkFromLog,
  measureRefusal,
  refusalWindow,
  watchClusterState,
  watchLoopDelay,
} from './cluster-refusal-window.js';

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
