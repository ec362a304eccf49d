/**
 * A primary/replica pair on two loopback hosts (127.0.0.2 and 127.0.0.3), optionally behind DNS
 * names, like an ElastiCache replication group with a primary endpoint and a reader endpoint.
 * Faults: the managed-failover shapes (planned FAILOVER, promotion, demotion) and the DNS flip.
 */
import type { DnsServer } from './dns-server.js';
import { type RedisNode, startRedisNode } from './redis-node.js';
import type { ServerCert } from './tls-ca.js';
import { type Moment, now, waitFor } from './wait.js';

/** Options for {@link startReplicationPair}. */
export interface ReplicationLabOptions {
  password?: string;
  /** TLS for clients and replication (`true`: the test CA's default cert). */
  tls?: boolean | ServerCert;
  /** When given, the pair is published as `primaryName` and `readerName` A records. */
  dns?: DnsServer;
  primaryName?: string;
  readerName?: string;
  /** TTL of both records, in seconds. Default 15. */
  ttl?: number;
  /** Hosts of the two nodes. Default 127.0.0.2 (primary) and 127.0.0.3 (replica). */
  hosts?: readonly [string, string];
  /** Extra redis.conf settings for both nodes. */
  extraConfig?: Readonly<Record<string, string>>;
}

/** Role and link status of both nodes. */
export interface ReplicationState {
  readonly nodes: readonly { address: string; role: string; linkStatus: string | undefined; error?: string }[];
}

/** Starts the pair, links the replica, waits for `master_link_status:up`, publishes DNS. */
export async function startReplicationPair(options: ReplicationLabOptions = {}): Promise<ReplicationLab> {
  const [primaryHost, replicaHost] = options.hosts ?? ['127.0.0.2', '127.0.0.3'];
  const common = {
    ...(options.password === undefined ? {} : { password: options.password }),
    ...(options.tls ? { tls: options.tls } : {}),
    ...(options.extraConfig ? { extraConfig: options.extraConfig } : {}),
  };
  const nodes: RedisNode[] = [];
  let startError: unknown;
  try {
    // One port number on both hosts when possible: it mirrors a managed endpoint (same port, the
    // address moves) and keeps logs readable. The primary's port is checked free on both hosts.
    const primary = await startRedisNode({ ...common, host: primaryHost, portHosts: [primaryHost, replicaHost], label: 'repl-primary' });
    nodes.push(primary);
    const replica = await startRedisNode({ ...common, host: replicaHost, port: primary.port, label: 'repl-replica' }).catch(
      // Someone took that number on the replica's host meanwhile: any free port will do.
      () => startRedisNode({ ...common, host: replicaHost, label: 'repl-replica' }),
    );
    nodes.push(replica);
  } catch (error) {
    startError = error;
  }
  const lab = new ReplicationLab(nodes, options);
  try {
    if (startError !== undefined) throw startError;
    await lab.demote(lab.replica, lab.primary);
    if (options.dns) {
      const ttl = options.ttl ?? 15;
      options.dns.setRecord(lab.primaryName, [lab.primary.host], ttl);
      options.dns.setRecord(lab.readerName, [lab.replica.host], ttl);
    }
  } catch (error) {
    await lab.stop();
    throw error;
  }
  return lab;
}

/** Handle on a running replication pair. */
export class ReplicationLab {
  /** The node that started as primary (127.0.0.2). Its role may change: see {@link currentPrimary}. */
  readonly primary: RedisNode;
  /** The node that started as replica (127.0.0.3). */
  readonly replica: RedisNode;
  readonly primaryName: string;
  readonly readerName: string;
  readonly #options: ReplicationLabOptions;

  /** Use {@link startReplicationPair}. */
  constructor(nodes: readonly RedisNode[], options: ReplicationLabOptions) {
    [this.primary, this.replica] = nodes as [RedisNode, RedisNode];
    this.#options = options;
    this.primaryName = options.primaryName ?? 'primary.repl.test';
    this.readerName = options.readerName ?? 'reader.repl.test';
  }

  get nodes(): readonly RedisNode[] {
    return [this.primary, this.replica];
  }

  /** The node that reports role master now (the first, if a split brain left two). */
  async currentPrimary(): Promise<RedisNode> {
    for (const node of this.nodes) {
      if (node.status === 'running' && (await node.role()).role === 'master') return node;
    }
    throw new Error('no node of the pair reports role master');
  }

  /**
   * `FAILOVER` on the current primary (Redis 6.2+): it pauses writes, lets the replica catch up,
   * hands over, and becomes a replica of the promoted node. Resolves once both report their new
   * roles and the new replica's link is up; returns the moment the promotion was seen.
   */
  async plannedFailover(timeoutMs = 10_000): Promise<Moment> {
    const oldPrimary = await this.currentPrimary();
    const newPrimary = oldPrimary === this.primary ? this.replica : this.primary;
    await oldPrimary.command('FAILOVER');
    const promoted = await this.waitForRole(newPrimary, 'master', timeoutMs);
    await this.waitForLinkUp(oldPrimary, timeoutMs);
    return promoted;
  }

  /** `REPLICAOF NO ONE` on `node` (default: the initial replica). The old primary stays master. */
  async promoteReplica(node: RedisNode = this.replica): Promise<Moment> {
    await node.command('REPLICAOF', 'NO', 'ONE');
    return this.waitForRole(node, 'master', 5000);
  }

  /** `REPLICAOF toNode` on `node`; waits until its link to `toNode` is up. */
  async demote(node: RedisNode, toNode: RedisNode, timeoutMs = 10_000): Promise<void> {
    await node.command('REPLICAOF', toNode.host, toNode.port);
    await this.waitForLinkUp(node, timeoutMs);
  }

  /**
   * Points the primary name at the current primary (or at `to`), and the reader name at the other
   * node, as a managed service does after a failover. Returns the moment of the flip.
   */
  async flipDns(to?: RedisNode): Promise<Moment> {
    const dns = this.#requireDns();
    const primary = to ?? (await this.currentPrimary());
    const reader = primary === this.primary ? this.replica : this.primary;
    const ttl = this.#options.ttl ?? 15;
    dns.setRecord(this.primaryName, [primary.host], ttl);
    dns.setRecord(this.readerName, [reader.host], ttl);
    return now();
  }

  /** Role and `master_link_status` of both nodes (errors reported per node, never thrown). */
  async replicationState(): Promise<ReplicationState> {
    const nodes = await Promise.all(
      this.nodes.map(async (node) => {
        try {
          const info = await node.info('replication');
          return { address: node.address, role: info.role ?? '?', linkStatus: info.master_link_status };
        } catch (error) {
          return { address: node.address, role: '?', linkStatus: undefined, error: String(error) };
        }
      }),
    );
    return { nodes };
  }

  /** Returns the moment `node` first reported `role` (ROLE polled every ~20 ms). */
  async waitForRole(node: RedisNode, role: 'master' | 'slave', timeoutMs: number): Promise<Moment> {
    return waitFor(async () => ((await node.role()).role === role ? now() : undefined), {
      timeoutMs,
      what: `${node.label} ${node.address} to report role ${role}`,
      diagnose: () => node.logTail(15),
    });
  }

  /** Waits for `master_link_status:up` on a replica. */
  async waitForLinkUp(node: RedisNode, timeoutMs: number): Promise<void> {
    await waitFor(async () => (await node.info('replication')).master_link_status === 'up', {
      timeoutMs,
      what: `${node.label} ${node.address} master_link_status:up`,
      diagnose: () => node.logTail(15),
    });
  }

  /** Stops both nodes (by pid). Safe to call more than once. */
  async stop(): Promise<void> {
    // Either node may be missing if the start failed half way.
    await Promise.all(this.nodes.filter(Boolean).map((n) => n.stop()));
  }

  #requireDns(): DnsServer {
    if (!this.#options.dns) throw new Error('this replication pair was started without a DNS server');
    return this.#options.dns;
  }
}
