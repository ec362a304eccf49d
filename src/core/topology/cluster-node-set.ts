import type { Endpoint } from '../endpoint/endpoint.js';
import type { ClusterModeOptions } from '../options/resilient-redis-options.js';
import type { ResolvedOptions } from '../options/validate-options.js';
import type { ClusterTopology } from './cluster-topology.js';
import { closeEndpoint } from '../endpoint/endpoint-lifecycle.js';
import type { EndpointFactory } from '../endpoint/endpoint-factory.js';

/** Where to connect: an IP (or a name the user gave), and the name to verify TLS against. */
export interface NodeTarget {
  readonly host: string;
  readonly port: number;
  /** The node's announced hostname, if any: TLS verifies against it, MOVED may name it. */
  readonly hostname?: string | undefined;
  /** The name TLS verifies against when the node announced none (the configuration endpoint). */
  readonly servername?: string | undefined;
}

/** A connection younger than this may belong to a node that just restarted with a stale view. */
const FRESH_CONNECTION_MS = 3000;

/**
 * The endpoints of a cluster, kept in step with the topology snapshot: an endpoint (connection
 * plus breaker) is created when a node appears and retired — breaker disposed — when it leaves.
 */
export class ClusterNodeSet {
  private readonly byKey = new Map<string, Endpoint>();
  /** `hostname:port` → endpoint, for MOVED/ASK replies that name hosts (TLS clusters). */
  private readonly byName = new Map<string, Endpoint>();
  private primariesByShard: Endpoint[] = [];
  private replicasByShard: Endpoint[][] = [];
  private readonly shardIndex = new Map<Endpoint, number>();
  private readonly readyAt = new WeakMap<Endpoint, number>();

  constructor(
    private readonly factory: EndpointFactory,
    private readonly options: ResolvedOptions & ClusterModeOptions,
    /** The configuration endpoint name: the TLS name of nodes that announce only an IP. */
    private readonly seedName: string | undefined,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The endpoint for `target`, created (and connecting) if it is new. */
  ensure(target: NodeTarget): Endpoint {
    const key = `${target.host}:${target.port}`;
    let endpoint = this.byKey.get(key);
    if (!endpoint) {
      endpoint = this.factory.create(
        {
          address: { host: target.host, port: target.port },
          servername: target.hostname ?? target.servername ?? this.seedName,
          // Every connection sends READONLY when replicas serve reads: a node created as a
          // seed or a primary may become a replica after a failover, and READONLY is a no-op
          // on a primary.
          readOnly: this.options.readFrom === 'replica-preferred' || this.options.readFrom === 'primary-preferred',
          purpose: 'cluster',
        },
        'primary',
        key,
      );
      const created = endpoint;
      created.client.on('ready', () => this.readyAt.set(created, this.now()));
      created.client.connect().catch(() => {});
      this.byKey.set(key, created);
    }
    if (target.hostname) this.byName.set(`${target.hostname}:${target.port}`, endpoint);
    return endpoint;
  }

  /** A known endpoint by `host:port`, where host may be an IP or an announced hostname. */
  find(host: string, port: number): Endpoint | undefined {
    const key = `${host}:${port}`;
    return this.byKey.get(key) ?? this.byName.get(key);
  }

  /** A known endpoint on `port`, when exactly one has it (MOVED `:port` names no host). */
  findByPort(port: number): Endpoint | undefined {
    const found = [...this.byKey.values()].filter((e) => e.client.options.port === port);
    return found.length === 1 ? found[0] : undefined;
  }

  /**
   * Follows a new topology: creates endpoints for new nodes, updates roles, retires the ones
   * that left. A failing primary whose slots now have a new owner ends its failure episode:
   * its failover is over from the client's point of view.
   */
  sync(topology: ClusterTopology): void {
    const oldPrimaries = new Set(this.primariesByShard);
    const keep = new Set<Endpoint>();
    const primaries: Endpoint[] = [];
    const replicas: Endpoint[][] = [];
    this.shardIndex.clear();
    topology.shards.forEach((shard, i) => {
      const primary = this.ensure(shard.primary);
      primary.role = 'primary';
      primary.label = shard.label;
      primaries.push(primary);
      keep.add(primary);
      this.shardIndex.set(primary, i);
      const list: Endpoint[] = [];
      for (const r of shard.replicas) {
        const replica = this.ensure(r);
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
    // A primary that is no longer one handed its shard to a promoted replica: its episode ends.
    for (const old of oldPrimaries) if (!primaries.includes(old)) old.markRecovered();
    for (const [key, endpoint] of this.byKey) {
      if (!keep.has(endpoint)) this.remove(key, endpoint);
    }
  }

  private remove(key: string, endpoint: Endpoint): void {
    this.byKey.delete(key);
    for (const [name, e] of this.byName) if (e === endpoint) this.byName.delete(name);
    // Calls waiting for it are released to be routed again; in-flight attempts settle within
    // one attempt timeout, then the connection closes and the breaker is disposed.
    endpoint.retire();
    setTimeout(() => void closeEndpoint(endpoint), this.options.policy.attemptTimeoutMs + 100).unref();
  }

  primaries(): readonly Endpoint[] {
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
   * Connected nodes to ask for the topology, best first:
   * 1. replicas of degraded shards: a promoted replica knows of its promotion before anyone;
   * 2. healthy nodes (breaker closed, no recent timeout, connection not brand new), shuffled
   *    so that many clients spread their refreshes over the cluster;
   * 3. nodes that just (re)connected: a restarted node may still claim the slots it lost;
   * 4. last, nodes whose breaker is not closed or that timed out lately (maybe hung).
   * Nodes without a connection are left out: asking them can only wait.
   */
  refreshCandidates(degradedShards: ReadonlySet<number>, suspect: (e: Endpoint) => boolean): Endpoint[] {
    const first: Endpoint[] = [];
    const healthy: Endpoint[] = [];
    const fresh: Endpoint[] = [];
    const doubtful: Endpoint[] = [];
    const now = this.now();
    for (const e of this.byKey.values()) {
      if (!e.ready) continue;
      const fine = e.breaker.state === 'closed' && !suspect(e);
      if (!fine) doubtful.push(e);
      else if (e.role === 'replica' && degradedShards.has(this.shardOf(e))) first.push(e);
      else if (now - (this.readyAt.get(e) ?? 0) < FRESH_CONNECTION_MS) fresh.push(e);
      else healthy.push(e);
    }
    return [...shuffle(first), ...shuffle(healthy), ...shuffle(fresh), ...doubtful];
  }

  async closeAll(): Promise<void> {
    const all = [...this.byKey.values()];
    this.byKey.clear();
    this.byName.clear();
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
