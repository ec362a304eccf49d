/**
 * The four faults the demo injects, each one built right before it runs (the previous one
 * moved primaries around). Every wait is on a server-side condition with a bound; the only
 * fixed durations are load phases ("keep the node hung for 5 s after the promotion").
 */
import type { ClusterLab, RedisNode, ReplicationLab } from '../../test/support/lab.js';
import { keysInRanges, slotOfKey } from '../../test/support/lab.js';
import type { LoadPlan, ScenarioPlan, ScenarioSpec } from './scenario-runner.js';

/** Keys per group: enough to spread over a shard's slots, few enough to verify quickly. */
const KEYS_PER_GROUP = 16;
/** Load before each fault, so the chart shows the steady state first. */
const WARMUP_MS = 2000;
/**
 * How long the hung primary stays hung after its replica was promoted. A real hung host (a
 * stuck VM, a black-holed network path) stays that way for minutes; 5 s is enough to show
 * which client is still waiting on it.
 */
export const HUNG_AFTER_PROMOTION_MS = 5000;
/** How long the crashed primary stays down after the promotion before it is restarted. */
const DOWN_AFTER_PROMOTION_MS = 3000;
/** Delay between the replication promotion and the DNS flip (managed services: seconds). */
export const DNS_FLIP_DELAY_MS = 3000;
/** Load after the repair, to show the steady state again. */
const TAIL_MS = 2500;
/** The clients' deadline in cluster mode (redis-resilience's default totalTimeoutMs). */
export const CLUSTER_DEADLINE_MS = 2000;
/** The same for replication (its preset allows time to follow a DNS flip). */
export const REPLICATION_DEADLINE_MS = 3000;

const rangesText = (ranges: readonly (readonly [number, number])[]): string => ranges.map(([a, b]) => `${a}-${b}`).join(',');

/** One key group per shard; the victim's group is the one the fault hits. */
async function clusterPlan(cluster: ClusterLab, victim: RedisNode, prefix: string): Promise<ScenarioPlan> {
  const shards = await cluster.shards();
  const groups = shards.map((s) => ({
    name: `slots ${rangesText(s.slots)}`,
    keys: keysInRanges(s.slots, KEYS_PER_GROUP, prefix),
    id: s.primary.id,
  }));
  return {
    loads: [{ groups: groups.map(({ name, keys }) => ({ name, keys })), mix: 'mixed' }],
    victims: groups.filter((g) => g.id === victim.nodeId).map((g) => g.name),
  };
}

/** Reads a key from the primary that serves it now (for the lost-write check). */
async function readFromOwner(cluster: ClusterLab, key: string): Promise<string | null> {
  const owner = await cluster.slotOwner(slotOfKey(key));
  return (await owner.command('GET', key)) as string | null;
}

function clusterSpec(
  cluster: ClusterLab,
  victim: RedisNode,
  fields: Pick<ScenarioSpec, 'name' | 'title' | 'inject' | 'reference' | 'notes'>,
): ScenarioSpec {
  return {
    ...fields,
    deployment: 'cluster',
    deadlineMs: CLUSTER_DEADLINE_MS,
    ratePerGroup: 100,
    warmupMs: WARMUP_MS,
    plan: (prefix) => clusterPlan(cluster, victim, prefix),
    verify: (key) => readFromOwner(cluster, key),
  };
}

/** SIGSTOP a primary; it stays hung past its replica's promotion, then SIGCONT. */
export async function hungPrimary(cluster: ClusterLab): Promise<ScenarioSpec> {
  const victim = (await cluster.primaries())[0]!;
  const replica = await cluster.replicaOf(victim);
  return clusterSpec(cluster, victim, {
    name: 'hung-primary',
    title: `hung primary ${victim.address} (SIGSTOP; SIGCONT ${HUNG_AFTER_PROMOTION_MS / 1000} s after its replica is promoted)`,
    reference: `promotion of ${replica.address} (ROLE polled every 20 ms)`,
    notes: ['The hung node keeps its sockets open: only a client-side timer can notice it.'],
    async inject(ctx) {
      ctx.faultNow('SIGSTOP', victim.address);
      await victim.pause();
      try {
        const promoted = await cluster.waitForPromotion(replica, 30_000);
        ctx.servedAgain(promoted, 'promoted', `replica ${replica.address} promoted`);
        await ctx.hold(HUNG_AFTER_PROMOTION_MS);
      } finally {
        await victim.resume();
        ctx.mark('SIGCONT', 'recovery');
        ctx.say(`SIGCONT ${victim.address}; it rejoins as a replica`);
      }
      await cluster.waitForStable(20_000);
      await ctx.hold(TAIL_MS);
    },
  });
}

/** SIGKILL a primary; restart it (same port, empty) after its replica took over. */
export async function crashedPrimary(cluster: ClusterLab): Promise<ScenarioSpec> {
  const victim = (await cluster.primaries())[1]!;
  const replica = await cluster.replicaOf(victim);
  return clusterSpec(cluster, victim, {
    name: 'crashed-primary',
    title: `crashed primary ${victim.address} (SIGKILL; restarted ${DOWN_AFTER_PROMOTION_MS / 1000} s after its replica is promoted)`,
    reference: `promotion of ${replica.address} (ROLE polled every 20 ms)`,
    notes: [
      'Writes acknowledged by the crashed primary but not yet replicated are lost by Redis itself (asynchronous replication), whatever the client.',
    ],
    async inject(ctx) {
      ctx.faultNow('SIGKILL', victim.address);
      await victim.kill();
      try {
        const promoted = await cluster.waitForPromotion(replica, 30_000);
        ctx.servedAgain(promoted, 'promoted', `replica ${replica.address} promoted`);
        await ctx.hold(DOWN_AFTER_PROMOTION_MS);
      } finally {
        await victim.restart();
        ctx.mark('restarted', 'recovery');
        ctx.say(`restarted ${victim.address} (empty, rejoins as a replica)`);
      }
      await cluster.waitForStable(20_000);
      await ctx.hold(TAIL_MS);
    },
  });
}

/** A coordinated `CLUSTER FAILOVER` on a replica: what a managed service does for maintenance. */
export async function plannedClusterFailover(cluster: ClusterLab): Promise<ScenarioSpec> {
  const victim = (await cluster.primaries())[2]!;
  const replica = await cluster.replicaOf(victim);
  return clusterSpec(cluster, victim, {
    name: 'planned-failover',
    title: `planned CLUSTER FAILOVER: ${replica.address} takes over from ${victim.address}`,
    reference: `promotion of ${replica.address} (ROLE polled every 20 ms)`,
    notes: ['Nothing crashes: the old primary answers MOVED from the moment it is demoted.'],
    async inject(ctx) {
      ctx.faultNow('CLUSTER FAILOVER', `on ${replica.address}`);
      const promoted = await cluster.failover(replica, undefined, 15_000);
      ctx.servedAgain(promoted, 'promoted', `replica ${replica.address} promoted`);
      await cluster.waitForStable(20_000);
      await ctx.hold(TAIL_MS + 1500);
    },
  });
}

/**
 * Replication: `FAILOVER` on the primary (the old primary becomes a replica and answers
 * READONLY to writes), then the primary name moves to the promoted node a few seconds later.
 */
export function replicationFailover(pair: ReplicationLab): ScenarioSpec {
  return {
    name: 'replication-dns-flip',
    title: `replication FAILOVER on ${pair.primary.address}, DNS flip of ${pair.primaryName} ${DNS_FLIP_DELAY_MS / 1000} s later`,
    deployment: 'replication',
    deadlineMs: REPLICATION_DEADLINE_MS,
    ratePerGroup: 100,
    warmupMs: WARMUP_MS,
    reference: `promotion of ${pair.replica.address} (ROLE polled every 20 ms), not the DNS flip`,
    notes: [
      `Plain ioredis cannot use the lab's DNS server, so it is connected to ${pair.primary.address}, the address ${pair.primaryName} pointed to before the fault.`,
      "Key groups: 'writes' (SET) is hit by the failover; 'reads' (GET) is counted as the healthy group.",
    ],
    async plan(prefix): Promise<ScenarioPlan> {
      const keys = (kind: string): string[] => Array.from({ length: KEYS_PER_GROUP }, (_, i) => `${prefix}:${kind}:${i}`);
      const loads: LoadPlan[] = [
        { groups: [{ name: 'writes', keys: keys('w') }], mix: 'write' },
        { groups: [{ name: 'reads', keys: keys('r') }], mix: 'read' },
      ];
      return { loads, victims: ['writes'] };
    },
    async verify(key) {
      return (await (await pair.currentPrimary()).command('GET', key)) as string | null;
    },
    async inject(ctx) {
      const old = await pair.currentPrimary();
      ctx.faultNow('FAILOVER', `on ${old.address}`);
      const promoted = await pair.plannedFailover(15_000);
      const fresh = await pair.currentPrimary();
      ctx.servedAgain(promoted, 'promoted', `${fresh.address} promoted`);
      await ctx.hold(Math.max(0, promoted.monoMs + DNS_FLIP_DELAY_MS - performance.now()));
      const flipped = await pair.flipDns();
      ctx.mark('DNS flip', 'server', flipped);
      ctx.say(`DNS: ${pair.primaryName} -> ${fresh.host}, ${pair.readerName} -> ${old.host}`);
      await ctx.hold(TAIL_MS + 1500);
    },
  };
}
