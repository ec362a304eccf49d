/**
 * Many clients in one process riding through one failover: does the topology refresh traffic
 * stay bounded? 200 cluster-mode clients under light load; a primary is SIGSTOPed until its
 * replica is promoted (and a while after). The servers count CLUSTER SLOTS / CLUSTER SHARDS
 * (INFO commandstats on every node, before and after); the clients report each refresh and
 * reconnect, and the servers' accepted connections are sampled every second. The documented bound is one refresh per `topology.minRefreshGapMs` per client.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { type ResilientRedis, createResilientRedis, silentLogger } from '../src/index.js';
import { type ClusterLab, type Lab, type RedisNode, waitFor, withTimeout } from '../test/support/lab.js';
import type { StormResult } from './bench-report.js';

export interface StormOptions {
  clients: number;
  /** Steady window measured before the fault, ms. */
  steadyMs: number;
  log(line: string): void;
}

/** The default `topology.minRefreshGapMs`: the bound under test. */
const MIN_REFRESH_GAP_MS = 250;
/** Each client calls each shard once per this period. */
const LOAD_PERIOD_MS = 200;

interface NodeCounters {
  topologyCalls: number;
  roleCalls: number;
  connections: number;
}

/** CLUSTER SLOTS + CLUSTER SHARDS calls and connections received, per node, from INFO. */
async function countersOf(nodes: readonly RedisNode[]): Promise<NodeCounters[]> {
  return Promise.all(
    nodes.map(async (node) => {
      const stats = await node.info('commandstats');
      const calls = (name: string): number => Number(/calls=(\d+)/.exec(stats[name] ?? '')?.[1] ?? 0);
      const info = await node.info('stats');
      return {
        topologyCalls: calls('cmdstat_cluster|slots') + calls('cmdstat_cluster|shards'),
        roleCalls: calls('cmdstat_role'),
        connections: Number(info.total_connections_received ?? 0),
      };
    }),
  );
}

const sum = (a: NodeCounters[], b: NodeCounters[], field: keyof NodeCounters): number =>
  a.reduce((n, x, i) => n + ((b[i]?.[field] ?? 0) - x[field]), 0);

/** One refresh a client reported. */
interface Refresh {
  /** performance.now() at the start: completion minus the reported duration (failures report none). */
  start: number;
  failed: boolean;
}

interface ClientTrack {
  client: ResilientRedis;
  /** Refreshes that asked a server for CLUSTER SLOTS (not the ROLE-based promotion shortcut). */
  refreshes: Refresh[];
  recoveredAt: number | undefined;
}

/**
 * New connections the running nodes accepted, per second, sampled once a second. A paused
 * node cannot answer: its connections show up in the first sample after it resumes.
 */
function sampleConnections(nodes: readonly RedisNode[]): { stop(): number[] } {
  const last = new Map<RedisNode, number>();
  const perSecond: number[] = [];
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void Promise.all(
      nodes.map(async (node) => {
        if (node.status !== 'running') return 0;
        const total = Number((await node.info('stats').catch(() => ({}) as Record<string, string>)).total_connections_received ?? Number.NaN);
        if (!Number.isFinite(total)) return 0;
        const before = last.get(node);
        last.set(node, total);
        return before === undefined ? 0 : total - before;
      }),
    ).then((deltas) => {
      perSecond.push(deltas.reduce((a, b) => a + b, 0));
      busy = false;
    });
  }, 1000);
  return {
    stop() {
      clearInterval(timer);
      return perSecond;
    },
  };
}

/** Runs the storm and returns its figures. */
export async function runRefreshStorm(lab: Lab, options: StormOptions): Promise<StormResult> {
  const cluster: ClusterLab = await lab.cluster();
  const reconnects: number[] = [];
  let faultAt = Number.POSITIVE_INFINITY;
  const tracks: ClientTrack[] = [];
  for (let i = 0; i < options.clients; i++) {
    const client = createResilientRedis({ name: `storm-${i}`, mode: 'cluster', nodes: cluster.seeds(), logger: silentLogger, metrics: { enabled: false } });
    const track: ClientTrack = { client, refreshes: [], recoveredAt: undefined };
    client.events$.subscribe((e) => {
      const t = performance.now();
      // A 'replica-promoted' update comes from a ROLE answer (counted separately), not from a
      // CLUSTER SLOTS refresh.
      if (e.type === 'topology.refreshed' && e.trigger !== 'replica-promoted') track.refreshes.push({ start: t - e.durationMs, failed: false });
      if (e.type === 'topology.refresh_failed') track.refreshes.push({ start: t, failed: true });
      if (e.type === 'topology.refreshed' && e.promoted.length > 0 && t >= faultAt) track.recoveredAt ??= t;
      if (e.type === 'connection.restored') reconnects.push(t);
    });
    tracks.push(track);
    lab.defer(() => withTimeout(client.close(), 10_000, 'closing a storm client').catch(() => client.disconnect()));
  }
  // Connect in batches: 200 clients x 6 nodes all at once is a connect storm of our own making.
  for (let i = 0; i < tracks.length; i += 25) await Promise.all(tracks.slice(i, i + 25).map((t) => t.client.connect()));
  const primaries = await cluster.primaries();
  // A freshly formed Redis 7 cluster leaves replicas out of CLUSTER SLOTS until they have
  // replicated something. Without this, every client would open its replica connections in
  // the middle of the measurement (the first refresh that lists them) instead of before it.
  await Promise.all(primaries.map(async (p) => p.command('SET', await cluster.keyForNode(p, 'warm-up'), '1')));
  await waitFor(() => tracks.every((t) => t.client.health().nodes.length >= cluster.nodes.length), {
    timeoutMs: 20_000,
    what: 'every client to know every node',
  });
  const victim = primaries[0]!;
  const replica = await cluster.replicaOf(victim);
  const keys = await Promise.all(primaries.map((p) => cluster.keyForNode(p, 'storm')));
  options.log(`  ${options.clients} clients connected (${options.clients * cluster.nodes.length} connections); light load: each client GETs one key per shard every ${LOAD_PERIOD_MS} ms`);

  let victimErrors = 0;
  let healthyErrors = 0;
  let turn = 0;
  const slices = 4;
  const load = setInterval(() => {
    // A quarter of the clients per 50 ms tick: every client once per LOAD_PERIOD_MS.
    for (let i = turn++ % slices; i < tracks.length; i += slices) {
      keys.forEach((key, shard) => {
        tracks[i]!.client.get(key).catch(() => {
          if (performance.now() < faultAt) return;
          if (shard === 0) victimErrors++;
          else healthyErrors++;
        });
      });
    }
  }, LOAD_PERIOD_MS / slices);
  try {
    await delay(1000);
    const s0 = await countersOf(cluster.nodes);
    const steadyStart = performance.now();
    await delay(options.steadyMs);
    const s1 = await countersOf(cluster.nodes);
    const steadyEnd = performance.now();
    const steadyS = (steadyEnd - steadyStart) / 1000;
    const steadyRefreshes = tracks.reduce((n, t) => n + t.refreshes.filter((r) => r.start >= steadyStart && r.start <= steadyEnd).length, 0);
    const connections = sampleConnections(cluster.nodes);

    faultAt = performance.now();
    options.log(`  SIGSTOP ${victim.address}; waiting for ${replica.address} to be promoted`);
    await victim.pause();
    let promotionS: number;
    try {
      const promoted = await cluster.waitForPromotion(replica, 30_000);
      promotionS = (promoted.monoMs - faultAt) / 1000;
      options.log(`  promoted after ${promotionS.toFixed(2)} s; waiting for every client to route to it`);
      await waitFor(() => tracks.every((t) => t.recoveredAt !== undefined), { timeoutMs: 15_000, what: 'every client to see the promotion' }).catch(
        () => options.log(`  only ${tracks.filter((t) => t.recoveredAt !== undefined).length} of ${tracks.length} clients saw the promotion within 15 s`),
      );
      await delay(1000);
    } finally {
      await victim.resume();
    }
    await cluster.waitForStable(20_000);
    await delay(1000);
    const endAt = performance.now();
    const s2 = await countersOf(cluster.nodes);
    const newConnectionsPerSecond = connections.stop();
    const windowMs = endAt - faultAt;
    const inWindow = (t: number): boolean => t >= faultAt && t <= endAt;
    const perClient = tracks.map((t) => t.refreshes.filter((r) => inWindow(r.start)));
    // Gaps between successful refreshes only: a failed one reports no duration, so its start
    // is unknown (it can only make the true gaps larger).
    const gaps = perClient.flatMap((list) => {
      const starts = list.filter((r) => !r.failed).map((r) => r.start).sort((a, b) => a - b);
      return starts.slice(1).map((t, i) => t - starts[i]!);
    });
    const perClientBound = Math.floor(windowMs / MIN_REFRESH_GAP_MS) + 1;
    const recovered = tracks.map((t) => t.recoveredAt);
    return {
      clients: options.clients,
      minRefreshGapMs: MIN_REFRESH_GAP_MS,
      windowS: Math.round(windowMs / 100) / 10,
      serverTopologyCalls: sum(s1, s2, 'topologyCalls'),
      clientRefreshes: perClient.reduce((n, list) => n + list.length, 0),
      failedRefreshes: perClient.reduce((n, list) => n + list.filter((r) => r.failed).length, 0),
      serverRoleCalls: sum(s1, s2, 'roleCalls'),
      refreshBound: perClientBound * options.clients,
      serverCallBound: perClientBound * options.clients,
      maxRefreshesPerClient: Math.max(0, ...perClient.map((list) => list.length)),
      perClientBound,
      minGapSeenMs: gaps.length > 0 ? Math.round(Math.min(...gaps)) : 0,
      steadyCallsPerSec: Math.round(sum(s0, s1, 'topologyCalls') / steadyS),
      steadyRefreshesPerSec: Math.round(steadyRefreshes / steadyS),
      newConnectionsPerSecond,
      reconnects: reconnects.filter(inWindow).length,
      serverNewConnections: sum(s1, s2, 'connections'),
      healthyErrors,
      victimErrors,
      promotionS: Math.round(promotionS * 100) / 100,
      allClientsRecoveredS: recovered.every((t) => t !== undefined) ? Math.round((Math.max(...(recovered as number[])) - faultAt) / 10) / 100 : undefined,
    };
  } finally {
    clearInterval(load);
  }
}
