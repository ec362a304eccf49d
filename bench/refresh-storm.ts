/**
 * The fleet budget, counted by the servers: many cluster clients in one process, under light
 * load, first in steady state and then through one failover (a primary SIGSTOPed until its
 * replica is promoted, and a while after). Every node's INFO commandstats is read before and
 * after each phase, so the figures are what a cluster would see from a fleet of pods: full
 * topology reads (CLUSTER SLOTS/SHARDS), cheap change checks (CLUSTER INFO) and ROLE probes,
 * per client per minute in steady state and per client per failover. Each client also reports
 * when it routed to the promoted replica, measured from the lab's own view of the promotion.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { type ResilientRedis, createResilientRedis, silentLogger } from '../src/index.js';
import { type ClusterLab, type Lab, type RedisNode, waitFor, withTimeout } from '../test/support/lab.js';

export interface StormOptions {
  clients: number;
  /** `cluster-node-timeout` of the lab cluster, ms: the failover lasts about this plus 1-2 s. */
  nodeTimeoutMs: number;
  /** Steady window measured before the fault, ms. */
  steadyMs: number;
  log(line: string): void;
}

/** What the servers counted, and what the clients felt. */
export interface RefreshBudgetResult {
  clients: number;
  nodeTimeoutMs: number;
  steadyS: number;
  /** Full topology reads per client per minute in steady state (budget: ≤ 1). */
  steadyFullReadsPerClientPerMin: number;
  /** CLUSTER INFO checks per client per minute in steady state (the cheap detector). */
  steadyInfoPerClientPerMin: number;
  /** From the fault until every client routed to the promoted replica and the cluster was stable again, s. */
  windowS: number;
  promotionS: number;
  /** Full topology reads per client through the failover (budget: ≤ 2). */
  failoverFullReadsPerClient: number;
  failoverInfoPerClient: number;
  failoverRolePerClient: number;
  /** ROLE probes per client per second, from the fault to the promotion (budget: ≤ 4). */
  rolePerClientPerS: number;
  /** ROLE calls of the bench's own promotion poll, taken out of the figures above. */
  labRoleCalls: number;
  /** Which nodes got the ROLE probes: the failing shard's replica only, ideally. */
  roleCallsOnOtherNodes: number;
  /** Client routing lag behind the promotion, ms. */
  routeLagP50Ms: number | undefined;
  routeLagP99Ms: number | undefined;
  routeLagMaxMs: number | undefined;
  clientsRouted: number;
  healthyErrors: number;
  victimErrors: number;
  /** Server-side cost of one call, µs (commandstats usec_per_call). */
  usecPerSlots: number;
  usecPerInfo: number;
  /** Full reads the clients started in the failover window, by trigger. */
  failoverReadsByTrigger: Record<string, number>;
}

/** Each client calls each shard once per this period. */
const LOAD_PERIOD_MS = 200;

interface Counters {
  slots: number;
  info: number;
  role: number;
  slotsUsec: number;
  infoUsec: number;
}

async function countersOf(nodes: readonly RedisNode[]): Promise<Counters[]> {
  return Promise.all(
    nodes.map(async (node) => {
      const stats = await node.info('commandstats');
      const field = (name: string, key: string): number => Number(new RegExp(`${key}=([\\d.]+)`).exec(stats[name] ?? '')?.[1] ?? 0);
      return {
        slots: field('cmdstat_cluster|slots', 'calls') + field('cmdstat_cluster|shards', 'calls'),
        info: field('cmdstat_cluster|info', 'calls'),
        role: field('cmdstat_role', 'calls'),
        slotsUsec: field('cmdstat_cluster|slots', 'usec'),
        infoUsec: field('cmdstat_cluster|info', 'usec'),
      };
    }),
  );
}

const delta = (a: Counters[], b: Counters[], field: keyof Counters, only?: (i: number) => boolean): number =>
  a.reduce((n, x, i) => n + (only && !only(i) ? 0 : (b[i]?.[field] ?? 0) - x[field]), 0);

function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** Runs one steady phase and one failover on a fresh lab cluster; returns its figures. */
export async function runRefreshStorm(lab: Lab, options: StormOptions): Promise<RefreshBudgetResult> {
  const cluster: ClusterLab = await lab.cluster({ nodeTimeoutMs: options.nodeTimeoutMs });
  let faultAt = Number.POSITIVE_INFINITY;
  const routedAt: Array<number | undefined> = [];
  const byTrigger: Record<string, number> = {};
  let windowOpen = false;
  const clients: ResilientRedis[] = [];
  for (let i = 0; i < options.clients; i++) {
    const client = createResilientRedis({
      name: `storm-${i}`,
      mode: 'cluster',
      nodes: cluster.seeds(),
      logger: silentLogger,
      metrics: { enabled: false },
    });
    routedAt.push(undefined);
    client.events$.subscribe((e) => {
      if (e.type === 'topology.refreshed' && e.promoted.length > 0 && performance.now() >= faultAt) routedAt[i] ??= performance.now();
      // A promotion adopted from ROLE is a local patch, not a read.
      const read = (e.type === 'topology.refreshed' && e.trigger !== 'replica-promoted') || e.type === 'topology.refresh_failed';
      if (read && windowOpen) byTrigger[e.trigger] = (byTrigger[e.trigger] ?? 0) + 1;
    });
    clients.push(client);
    lab.defer(() => withTimeout(client.close(), 10_000, 'closing a storm client').catch(() => client.disconnect()));
  }
  // Connect in batches: 100 clients x 6 nodes all at once is a connect storm of our own making.
  for (let i = 0; i < clients.length; i += 25) await Promise.all(clients.slice(i, i + 25).map((c) => c.connect()));
  const primaries = await cluster.primaries();
  // A freshly formed Redis 7 cluster leaves replicas out of CLUSTER SLOTS until they have
  // replicated something; the clients learn of them through the missing-nodes check.
  await Promise.all(primaries.map(async (p) => p.command('SET', await cluster.keyForNode(p, 'warm-up'), '1')));
  await waitFor(() => clients.every((c) => c.health().nodes.length >= cluster.nodes.length), {
    timeoutMs: 60_000,
    intervalMs: 200,
    what: 'every client to know every node',
  });
  const victim = primaries[0]!;
  const replica = await cluster.replicaOf(victim);
  const keys = await Promise.all(primaries.map((p) => cluster.keyForNode(p, 'storm')));
  options.log(
    `  ${options.clients} clients connected, cluster-node-timeout ${options.nodeTimeoutMs} ms; each client GETs one key per shard every ${LOAD_PERIOD_MS} ms`,
  );

  let victimErrors = 0;
  let healthyErrors = 0;
  let turn = 0;
  const slices = 4;
  const load = setInterval(() => {
    for (let i = turn++ % slices; i < clients.length; i += slices) {
      keys.forEach((key, shard) => {
        clients[i]!.get(key).catch(() => {
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
    const steadyMin = (performance.now() - steadyStart) / 60_000;

    faultAt = performance.now();
    windowOpen = true;
    options.log(`  SIGSTOP ${victim.address}; waiting for ${replica.address} to be promoted`);
    await victim.pause();
    let promotedAt: number;
    let labRoleCalls = 0;
    try {
      // Polled here rather than with the lab's helper, to take our own ROLE calls out of the count.
      promotedAt = await waitFor(
        async () => {
          labRoleCalls++;
          return (await replica.role()).role === 'master' ? performance.now() : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 20, what: `${replica.address} to report master` },
      );
      await waitFor(() => routedAt.every((t) => t !== undefined), {
        timeoutMs: 15_000,
        what: 'every client to route to the promoted replica',
      }).catch(() =>
        options.log(`  only ${routedAt.filter((t) => t !== undefined).length} of ${clients.length} clients routed to it within 15 s`),
      );
    } finally {
      await delay(1000);
      await victim.resume();
    }
    const sMid = await countersOf(cluster.nodes);
    const watchS = (promotedAt - faultAt) / 1000;
    await cluster.waitForStable(30_000);
    await delay(1000);
    const s2 = await countersOf(cluster.nodes);
    windowOpen = false;
    const lags = routedAt
      .filter((t): t is number => t !== undefined)
      .map((t) => t - promotedAt)
      .sort((a, b) => a - b);
    const replicaIndex = cluster.nodes.indexOf(replica);
    const slotsCalls = delta(s0, s2, 'slots');
    const infoCalls = delta(s0, s2, 'info');
    return {
      clients: options.clients,
      nodeTimeoutMs: options.nodeTimeoutMs,
      steadyS: round(steadyMin * 60, 1),
      steadyFullReadsPerClientPerMin: round(delta(s0, s1, 'slots') / options.clients / steadyMin),
      steadyInfoPerClientPerMin: round(delta(s0, s1, 'info') / options.clients / steadyMin),
      windowS: round((performance.now() - faultAt) / 1000, 1),
      promotionS: round(watchS),
      failoverFullReadsPerClient: round(delta(s1, s2, 'slots') / options.clients),
      failoverInfoPerClient: round(delta(s1, s2, 'info') / options.clients),
      failoverRolePerClient: round((delta(s1, s2, 'role') - labRoleCalls) / options.clients),
      rolePerClientPerS: round((delta(s1, sMid, 'role') - labRoleCalls) / options.clients / Math.max(0.001, watchS)),
      roleCallsOnOtherNodes: delta(s1, s2, 'role', (i) => i !== replicaIndex),
      labRoleCalls,
      routeLagP50Ms: percentile(lags, 50) === undefined ? undefined : Math.round(percentile(lags, 50)!),
      routeLagP99Ms: percentile(lags, 99) === undefined ? undefined : Math.round(percentile(lags, 99)!),
      routeLagMaxMs: lags.length > 0 ? Math.round(lags.at(-1)!) : undefined,
      clientsRouted: lags.length,
      healthyErrors,
      victimErrors,
      usecPerSlots: round(delta(s0, s2, 'slotsUsec') / Math.max(1, slotsCalls), 1),
      usecPerInfo: round(delta(s0, s2, 'infoUsec') / Math.max(1, infoCalls), 1),
      failoverReadsByTrigger: byTrigger,
    };
  } finally {
    clearInterval(load);
  }
}

const within = (ok: boolean): string => (ok ? 'within' : 'OVER');

/** The bench's lines for one run. */
export function formatRefreshBudget(r: RefreshBudgetResult): string[] {
  return [
    `  cluster-node-timeout ${r.nodeTimeoutMs} ms, ${r.clients} clients; promotion ${r.promotionS} s after the fault, window ${r.windowS} s`,
    `    steady (${r.steadyS} s): ${r.steadyFullReadsPerClientPerMin} full reads/client/min (${within(r.steadyFullReadsPerClientPerMin <= 1)} ≤ 1), ${r.steadyInfoPerClientPerMin} CLUSTER INFO/client/min`,
    `    failover: ${r.failoverFullReadsPerClient} full reads/client (${within(r.failoverFullReadsPerClient <= 2)} ≤ 2), ${r.failoverInfoPerClient} CLUSTER INFO/client, ${r.failoverRolePerClient} ROLE/client`,
    `    full reads the clients started in the window, by trigger: ${Object.entries(r.failoverReadsByTrigger)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `    ROLE probes until the promotion: ${r.rolePerClientPerS}/client/s (${within(r.rolePerClientPerS <= 4)} ≤ 4); ${r.roleCallsOnOtherNodes} went to nodes other than the failing shard's replica`,
    `    routed to the promoted replica: ${r.clientsRouted}/${r.clients} clients, lag behind the promotion p50 ${r.routeLagP50Ms} ms, p99 ${r.routeLagP99Ms} ms (${within((r.routeLagP99Ms ?? Infinity) <= 250)} ≤ 250), max ${r.routeLagMaxMs} ms`,
    `    failed calls after the fault: ${r.victimErrors} on the hung shard, ${r.healthyErrors} on healthy shards; server cost: CLUSTER SLOTS ${r.usecPerSlots} µs, CLUSTER INFO ${r.usecPerInfo} µs per call`,
  ];
}
