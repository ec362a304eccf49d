/**
 * The fault catalogue, in one place. Each fault maps to a failure scenario of DESIGN.md §3:
 *
 * | fault                          | what it simulates                         | client sees            |
 * |--------------------------------|-------------------------------------------|------------------------|
 * | pause / resume (SIGSTOP/CONT)  | hung host, black hole; sockets stay open  | timeouts               |
 * | kill (+ restart)               | crash; node replaced, comes back empty    | ECONNREFUSED / RESET   |
 * | clusterFailover [FORCE|TAKEOVER] | managed or forced promotion             | MOVED, topology change |
 * | replicaOf / promote / demote   | replication role flip                     | READONLY on old primary|
 * | flipDns                        | endpoint name moved to the new primary    | new address on re-resolve |
 * | debugSleep                     | server busy (long script, big KEYS)       | timeouts, then recovery|
 * | 2-primary cluster + pause      | CLUSTERDOWN for every shard               | CLUSTERDOWN            |
 *
 * Process-level faults live on the node handle (redis-node.ts) and are re-exported here, so tests
 * can use either spelling.
 */
import type { ClusterFailoverMode, ClusterLab } from './cluster-lab.js';
import type { DnsServer } from './dns-server.js';
import type { RedisNode } from './redis-node.js';
import { type Moment, now, waitFor } from './wait.js';

/** SIGSTOP: the node hangs with its connections open. */
export function pause(node: RedisNode): Promise<void> {
  return node.pause();
}

/** SIGCONT after {@link pause}. */
export function resume(node: RedisNode): Promise<void> {
  return node.resume();
}

/** SIGKILL; resolves when the process is gone. */
export function kill(node: RedisNode): Promise<void> {
  return node.kill();
}

/** SIGKILL then restart with the same folder (and port, unless `port: 'new'`). */
export function killAndRestart(node: RedisNode, options: { port?: number | 'new' } = {}): Promise<void> {
  return node.restart(options);
}

/** `CLUSTER FAILOVER [FORCE|TAKEOVER]` on a replica; resolves with the moment it reported master. */
export function clusterFailover(cluster: ClusterLab, replica: RedisNode, mode?: ClusterFailoverMode): Promise<Moment> {
  return cluster.failover(replica, mode);
}

/**
 * `REPLICAOF host port` (or `REPLICAOF NO ONE` with `null`) on `node`. Does not wait: use
 * {@link replicaOfAndWait} or the replication lab to wait for the link.
 */
export async function replicaOf(node: RedisNode, target: RedisNode | null): Promise<void> {
  if (target) await node.command('REPLICAOF', target.host, target.port);
  else await node.command('REPLICAOF', 'NO', 'ONE');
}

/** {@link replicaOf}, then waits for the new role (and for `master_link_status:up` on a replica). */
export async function replicaOfAndWait(node: RedisNode, target: RedisNode | null, timeoutMs = 10_000): Promise<Moment> {
  await replicaOf(node, target);
  return waitFor(
    async () => {
      const info = await node.info('replication');
      if (target === null) return info.role === 'master' ? now() : undefined;
      return info.role === 'slave' && info.master_link_status === 'up' ? now() : undefined;
    },
    { timeoutMs, what: `${node.address} to become ${target ? `a replica of ${target.address}` : 'master'}` },
  );
}

/** Points `name` at `addresses` (TTL in seconds) and returns the moment of the change. */
export function flipDns(dns: DnsServer, name: string, addresses: readonly string[], ttlSeconds: number): Moment {
  dns.setRecord(name, addresses, ttlSeconds);
  return now();
}

/** A running DEBUG SLEEP. */
export interface DebugSleep {
  /** When the server was confirmed blocked. */
  readonly blockedAt: Moment;
  /** Resolves when the server answers again (or its connection died, e.g. the node was killed). */
  readonly done: Promise<Moment>;
}

/**
 * `DEBUG SLEEP <seconds>`: the server's single thread blocks, every connection stalls. Sent from
 * its own connection without a command timeout and not awaited (the reply only comes when the
 * sleep ends). Resolves once a probe PING on a fresh connection confirms the server is blocked,
 * so a test can assert on the stall right away.
 */
export async function debugSleep(node: RedisNode, seconds: number): Promise<DebugSleep> {
  // Both connections are made (and authenticated) before the server blocks: connecting to a
  // blocked server would hang in AUTH.
  const sleeper = await node.openClient({ commandTimeout: undefined });
  const probe = await node.openClient({ commandTimeout: 150 });
  const done = sleeper
    .call('DEBUG', 'SLEEP', seconds)
    .then(
      () => now(),
      () => now(),
    )
    .finally(() => sleeper.disconnect());
  try {
    const blockedAt = await waitFor(
      // A PING that gets no answer within 150 ms means the sleep has started; one that is
      // answered was served just before it.
      () =>
        probe.call('PING').then(
          () => undefined,
          () => now(),
        ),
      { timeoutMs: Math.min(5000, seconds * 1000), intervalMs: 0, what: `DEBUG SLEEP to block ${node.address}` },
    );
    return { blockedAt, done };
  } finally {
    probe.disconnect();
  }
}
