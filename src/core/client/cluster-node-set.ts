import type { Endpoint } from '../command/endpoint.js';
import type { NodeAddress } from '../options/resilient-redis-options.js';
import type { ResolvedOptions } from '../options/validate-options.js';
import type { ClusterModeOptions } from '../options/resilient-redis-options.js';
import type { ClusterTopology, NodeInfo } from '../topology/cluster-topology.js';
import { closeEndpoint } from './endpoint-lifecycle.js';
import type { EndpointFactory } from './endpoint-factory.js';

/**
 * The endpoints of a cluster, kept in step with the topology: an endpoint (connection and
 * breaker) is created when a node appears and retired when it leaves.
 */
export class ClusterNodeSet {
  private readonly byKey = new Map<string, Endpoint>();
  private primariesByShard: Endpoint[] = [];
  private replicasByShard: Endpoint[][] = [];
  private readonly shardIndex = new Map<Endpoint, number>();

  constructor(
    private readonly factory: EndpointFactory,
    private readonly options: ResolvedOptions & ClusterModeOptions,
    /** The configuration endpoint name, for TLS verification when nodes are announced by IP. */
    private readonly seedName: string | undefined,
  ) {}

  /** The endpoint for `address`, created (and connecting) if it is new. */
  ensure(address: NodeAddress | NodeInfo, onNew: () => void, role: 'primary' | 'replica' = 'primary'): Endpoint {
    const key = `${address.host}:${address.port}`;
    let endpoint = this.byKey.get(key);
    if (!endpoint) {
      const hostname = 'hostname' in address ? address.hostname : undefined;
      endpoint = this.factory.create(
        {
          address: { host: address.host, port: address.port },
          servername: hostname ?? this.seedName,
          readOnly: role === 'replica' && this.options.readFrom === 'replica-preferred',
          purpose: role,
        },
        role,
        key,
      );
      endpoint.client.connect().catch(() => {});
      this.byKey.set(key, endpoint);
      onNew();
    }
    return endpoint;
  }

  /**
   * Follows a new topology. Returns the failing primaries whose slots now have a new owner:
   * their failover is over from the client's point of view.
   */
  sync(topology: ClusterTopology): Array<{ node: string; since: number }> {
    const oldPrimaries = new Set(this.primariesByShard);
    const keep = new Set<Endpoint>();
    const primaries: Endpoint[] = [];
    const replicas: Endpoint[][] = [];
    this.shardIndex.clear();
    topology.shards.forEach((shard, i) => {
      const primary = this.ensure(shard.primary, () => {}, 'primary');
      primary.role = 'primary';
      primary.label = shard.label;
      primaries.push(primary);
      keep.add(primary);
      this.shardIndex.set(primary, i);
      const list: Endpoint[] = [];
      for (const r of shard.replicas) {
        const replica = this.ensure(r, () => {}, 'replica');
        replica.role = 'replica';
        replica.label = shard.label;
        list.push(replica);
        keep.add(replica);
        this.shardIndex.set(replica, i);
      }
      replicas.push(list);
    });
    this.primariesByShard = primaries;
    this.replicasByShard = replicas;
    const recovered: Array<{ node: string; since: number }> = [];
    for (const old of oldPrimaries) {
      if (!primaries.includes(old) && old.failingSince > 0) {
        recovered.push({ node: old.id, since: old.failingSince });
        old.failingSince = 0;
      }
    }
    for (const [key, endpoint] of this.byKey) {
      if (keep.has(endpoint)) continue;
      this.byKey.delete(key);
      endpoint.retire();
      // In-flight attempts on it settle within one attempt timeout.
      setTimeout(() => void closeEndpoint(endpoint), this.options.policy.attemptTimeoutMs + 100).unref();
    }
    return recovered;
  }

  primaries(): Endpoint[] {
    return this.primariesByShard;
  }

  primaryOf(shard: number): Endpoint | undefined {
    return this.primariesByShard[shard];
  }

  replicasOf(shard: number): readonly Endpoint[] {
    return this.replicasByShard[shard] ?? [];
  }

  shardOf(endpoint: Endpoint): number {
    return this.shardIndex.get(endpoint) ?? -1;
  }

  all(): Endpoint[] {
    return [...this.byKey.values()];
  }

  /**
   * Nodes to ask for the topology, in batches of two asked in parallel: connected nodes with
   * a closed breaker first, shuffled so many clients spread their refreshes over the cluster.
   */
  refreshCandidates(): Endpoint[][] {
    const healthy: Endpoint[] = [];
    const rest: Endpoint[] = [];
    for (const e of this.byKey.values()) {
      if (!e.ready) continue;
      (e.breaker.state === 'closed' ? healthy : rest).push(e);
    }
    const ordered = [...shuffle(healthy), ...shuffle(rest)];
    const batches: Endpoint[][] = [];
    for (let i = 0; i < ordered.length; i += 2) batches.push(ordered.slice(i, i + 2));
    return batches;
  }

  async closeAll(): Promise<void> {
    const all = [...this.byKey.values()];
    this.byKey.clear();
    await Promise.all(all.map((e) => closeEndpoint(e)));
  }
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
