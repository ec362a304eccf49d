/**
 * A real Redis cluster on loopback: 3 primaries + 3 replicas (or 2 primaries, or no replicas) with
 * a short `cluster-node-timeout`, plus an admin view of who serves what and the cluster-level
 * faults (CLUSTER FAILOVER, restarting every node on new ports).
 */
import { clusterNodesOf, formCluster, meetAll, waitForConvergence } from './cluster-bootstrap.js';
import { type ClusterNodeInfo, type ShardInfo, inRanges, keysInRanges, shardsOf } from './cluster-topology.js';
import type { DnsServer } from './dns-server.js';
import { parseInfo } from './admin-client.js';
import { type RedisNode, startRedisNode } from './redis-node.js';
import type { ServerCert } from './tls-ca.js';
import { type Moment, errorText, now, waitFor } from './wait.js';

/** Options for {@link startCluster}. */
export interface ClusterLabOptions {
  /** Number of primaries (shards). Default 3. With 2, losing one takes the whole cluster down. */
  primaries?: number;
  /** Replicas per primary. Default 1. */
  replicasPerPrimary?: number;
  /** `cluster-node-timeout`. Default 1500 ms: failover in ~2-4 s instead of ~15 s+. */
  nodeTimeoutMs?: number;
  /** Loopback host for every node. Default 127.0.0.1. */
  host?: string;
  /**
   * One loopback host per node (node i binds `hosts[i]`), overriding `host`: nodes on separate
   * addresses, as behind a configuration endpoint whose A records list every node.
   */
  hosts?: readonly string[];
  /** One port for every node (needs distinct `hosts`), as a configuration endpoint has. */
  port?: number;
  password?: string;
  /** TLS for clients, replication and the cluster bus (`true`: the test CA's default cert). */
  tls?: boolean | ServerCert;
  /**
   * Announce `node-<i>.cluster.test` hostnames (`cluster-announce-hostname` with
   * `cluster-preferred-endpoint-type hostname`): redirects and CLUSTER SLOTS then name hosts, as
   * ElastiCache does with TLS. With `dns`, those names get A records.
   */
  announceHostnames?: boolean;
  /** Publishes the node names and a configuration endpoint name in this DNS server. */
  dns?: DnsServer;
  /** Configuration endpoint name (A records: every node's IP). Default `clustercfg.cluster.test`. */
  configEndpoint?: string;
  /** TTL of the published records. Default 15 s. */
  ttl?: number;
  /** Bound on forming the cluster. Default 20 s. */
  startTimeoutMs?: number;
}

/** A CLUSTER FAILOVER flavour: default (coordinated), FORCE (primary unreachable), TAKEOVER (no vote). */
export type ClusterFailoverMode = 'FORCE' | 'TAKEOVER' | undefined;

/** Starts and forms a cluster; resolves once every node agrees and every replica is in sync. */
export async function startCluster(options: ClusterLabOptions = {}): Promise<ClusterLab> {
  const primaries = options.primaries ?? 3;
  const replicasPerPrimary = options.replicasPerPrimary ?? 1;
  const total = primaries * (1 + replicasPerPrimary);
  const host = options.host ?? '127.0.0.1';
  const started = await Promise.allSettled(
    Array.from({ length: total }, (_, i) =>
      startRedisNode({
        host: options.hosts?.[i] ?? host,
        ...(options.port === undefined ? {} : { port: options.port }),
        label: i < primaries ? `cluster-p${i}` : `cluster-r${i - primaries}`,
        ...(options.password === undefined ? {} : { password: options.password }),
        ...(options.tls ? { tls: options.tls } : {}),
        cluster: {
          nodeTimeoutMs: options.nodeTimeoutMs ?? 1500,
          ...(options.announceHostnames ? { announceHostname: `node-${i}.cluster.test` } : {}),
        },
      }),
    ),
  );
  const nodes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const lab = new ClusterLab(nodes, options);
  try {
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const primaryNodes = nodes.slice(0, primaries);
    await formCluster(
      {
        primaries: primaryNodes,
        replicas: nodes.slice(primaries).map((node, i) => ({ node, primary: primaryNodes[i % primaries] as RedisNode })),
      },
      options.startTimeoutMs ?? 20_000,
    );
    lab.publishDns();
  } catch (error) {
    await lab.stop();
    throw error;
  }
  return lab;
}

/** Handle on a running lab cluster. Node handles stay valid across failovers and restarts. */
export class ClusterLab {
  /** Every node, in start order: the initial primaries first, then their replicas. */
  readonly nodes: readonly RedisNode[];
  readonly #options: ClusterLabOptions;

  /** Use {@link startCluster}. */
  constructor(nodes: readonly RedisNode[], options: ClusterLabOptions) {
    this.nodes = nodes;
    this.#options = options;
  }

  /** Current `host:port` of every node, as ioredis Cluster seeds. */
  seeds(): { host: string; port: number }[] {
    return this.nodes.map((n) => ({ host: n.host, port: n.port }));
  }

  /** The configuration endpoint name, when a DNS server was given. */
  get configEndpoint(): string | undefined {
    return this.#options.dns ? (this.#options.configEndpoint ?? 'clustercfg.cluster.test') : undefined;
  }

  /** The node handle with this cluster id. */
  nodeById(id: string): RedisNode {
    const node = this.nodes.find((n) => n.nodeId === id);
    if (!node) throw new Error(`no lab node has id ${id}`);
    return node;
  }

  /** `CLUSTER NODES` as seen by the first running node that answers. */
  async view(): Promise<ClusterNodeInfo[]> {
    const errors: string[] = [];
    for (const node of this.nodes) {
      if (node.status !== 'running') continue;
      try {
        return await clusterNodesOf(node);
      } catch (error) {
        errors.push(`${node.address}: ${errorText(error)}`);
      }
    }
    throw new Error(`no running node answered CLUSTER NODES (${errors.join('; ') || 'none running'})`);
  }

  /** Primaries with their slots and replicas, from a healthy node's view. */
  async shards(): Promise<ShardInfo[]> {
    return shardsOf(await this.view());
  }

  /** The node serving `slot` now, according to a healthy node. */
  async slotOwner(slot: number): Promise<RedisNode> {
    const owner = (await this.view()).find((n) => n.role === 'master' && inRanges(slot, n.slots));
    if (!owner) throw new Error(`no node serves slot ${slot}`);
    return this.nodeById(owner.id);
  }

  /** Alias of {@link slotOwner}: the primary handle for a slot. */
  primaryOf(slot: number): Promise<RedisNode> {
    return this.slotOwner(slot);
  }

  /** Current primaries (serving slots), in slot order. */
  async primaries(): Promise<RedisNode[]> {
    return (await this.shards()).map((s) => this.nodeById(s.primary.id));
  }

  /** A replica of `primary` (the first one listed), per a healthy node. */
  async replicaOf(primary: RedisNode): Promise<RedisNode> {
    const replica = (await this.view()).find((n) => n.role === 'slave' && n.masterId === primary.nodeId);
    if (!replica) throw new Error(`${primary.address} has no replica`);
    return this.nodeById(replica.id);
  }

  /** One key (hash-tagged) whose slot `node` serves now. */
  async keyForNode(node: RedisNode, prefix = 'k'): Promise<string> {
    const [key] = await this.keysForShard(node, 1, prefix);
    return key as string;
  }

  /** `count` keys with distinct hash tags whose slots `node` serves now. */
  async keysForShard(node: RedisNode, count: number, prefix = 'k'): Promise<string[]> {
    const self = (await this.view()).find((n) => n.id === node.nodeId);
    if (!self || self.slots.length === 0) throw new Error(`${node.address} serves no slots`);
    return keysInRanges(self.slots, count, `${prefix}-${node.label}`);
  }

  /**
   * Polls ROLE on `node` every ~20 ms and returns the moment it first reported master: "when did
   * the promotion happen", to within one poll interval.
   */
  async waitForPromotion(node: RedisNode, timeoutMs: number): Promise<Moment> {
    return this.waitForRole(node, 'master', timeoutMs);
  }

  /** Returns the moment `node` first reported `role` (polled every ~20 ms). */
  async waitForRole(node: RedisNode, role: 'master' | 'slave', timeoutMs: number): Promise<Moment> {
    return waitFor(async () => ((await node.role()).role === role ? now() : undefined), {
      timeoutMs,
      what: `${node.label} ${node.address} to report role ${role}`,
      diagnose: () => node.logTail(15),
    });
  }

  /**
   * Returns the moment every running node reported `cluster_state:ok` with all 16384 slots ok,
   * i.e. the cluster, as seen by all reachable nodes, serves every slot again. Call it once the
   * outage has been observed (e.g. after {@link waitForPromotion}): right after a fault, the
   * other nodes have not noticed anything yet and still report ok.
   */
  async waitForClusterOk(timeoutMs: number): Promise<Moment> {
    return this.waitForClusterState('ok', timeoutMs);
  }

  /** Returns the moment every running node (or just `nodes`) reported `cluster_state` = `state`. */
  async waitForClusterState(state: 'ok' | 'fail', timeoutMs: number, nodes?: readonly RedisNode[]): Promise<Moment> {
    return waitFor(
      async () => {
        for (const node of nodes ?? this.nodes) {
          if (node.status !== 'running') continue;
          const info = parseInfo(String(await node.command('CLUSTER', 'INFO')));
          if (info.cluster_state !== state) return undefined;
          if (state === 'ok' && info.cluster_slots_ok !== '16384') return undefined;
        }
        return now();
      },
      { timeoutMs, what: `cluster_state:${state} on every running node` },
    );
  }

  /** Waits until every running node agrees on the layout and every replica is in sync. */
  async waitForStable(timeoutMs: number): Promise<void> {
    await waitForConvergence(this.nodes, undefined, timeoutMs);
  }

  /**
   * `CLUSTER FAILOVER [FORCE|TAKEOVER]` on `replica`, then waits for it to report master and
   * returns that moment. Default mode needs the primary reachable; FORCE does not wait for it;
   * TAKEOVER also skips the vote of the other primaries.
   */
  async failover(replica: RedisNode, mode?: ClusterFailoverMode, timeoutMs = 10_000): Promise<Moment> {
    await (mode ? replica.command('CLUSTER', 'FAILOVER', mode) : replica.command('CLUSTER', 'FAILOVER'));
    return this.waitForPromotion(replica, timeoutMs);
  }

  /**
   * Kills every node and restarts each on a new port, keeping its nodes.conf (so its id, slots and
   * role survive). No node can find the others at their old ports, so each node MEETs every other
   * at its new address; a MEET reply from a known id updates that node's address in place.
   * Data is lost (no persistence): the cluster comes back with the same layout, empty.
   */
  async restartAllOnNewPorts(timeoutMs = 20_000): Promise<void> {
    await Promise.all(
      this.nodes.map(async (node) => {
        // Persist the latest epochs and roles before the crash; best effort (a paused node).
        if (node.status === 'running') await node.command('CLUSTER', 'SAVECONFIG').catch(() => {});
        await node.kill();
      }),
    );
    await Promise.all(this.nodes.map((node) => node.restart({ port: 'new' })));
    for (const node of this.nodes) await meetAll(node, this.nodes);
    await this.waitForStable(timeoutMs);
    this.publishDns();
  }

  /** (Re)publishes node names and the configuration endpoint in the DNS server, if any. */
  publishDns(): void {
    const dns = this.#options.dns;
    if (!dns) return;
    const ttl = this.#options.ttl ?? 15;
    if (this.#options.announceHostnames) {
      this.nodes.forEach((node, i) => dns.setRecord(`node-${i}.cluster.test`, [node.host], ttl));
    }
    dns.setRecord(this.configEndpoint as string, [...new Set(this.nodes.map((n) => n.host))], ttl);
  }

  /** Stops every node (by pid). Safe to call more than once. */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
  }
}
