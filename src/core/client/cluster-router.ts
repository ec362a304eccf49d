import { Command } from 'ioredis';
import type { CommandRouter } from '../command/command-router.js';
import type { Endpoint } from '../command/endpoint.js';
import { createResolver } from '../dns/endpoint-resolver.js';
import { ConnectFailedError } from '../errors/connect-failed.error.js';
import { CrossSlotError } from '../errors/cross-slot.error.js';
import { isResilienceError } from '../errors/resilience.error.js';
import type { EventBus } from '../events/event-bus.js';
import type { ClusterModeOptions } from '../options/resilient-redis-options.js';
import type { ResolvedOptions } from '../options/validate-options.js';
import type { FailureClass, FailureScenario, Redirect } from '../policy/failure-scenario.js';
import { isIpAddress, type ClusterTopology } from '../topology/cluster-topology.js';
import { ClusterTopologyKeeper, refreshErrors } from '../topology/cluster-topology-keeper.js';
import { ClusterNodeSet } from './cluster-node-set.js';
import { keySlot } from './key-slot.js';
import type { EndpointFactory } from './endpoint-factory.js';
import { waitUntilReady } from './endpoint-lifecycle.js';

type ClusterOptions = ResolvedOptions & ClusterModeOptions;

/** A replica that answered LOADING/MASTERDOWN gets no reads for this long. */
const AVOID_REPLICA_MS = 1000;

/**
 * Cluster mode: routes each command to the shard that owns its slot in the current topology
 * snapshot, follows MOVED/ASK, sends reads to replicas when asked to (skipping replicas behind
 * an open breaker or answering LOADING), and reports the failures that should refresh the
 * snapshot to the {@link ClusterTopologyKeeper} — which rate-limits refreshes to at most one per
 * `minRefreshGapMs` per client, whatever fires.
 */
export class ClusterRouter implements CommandRouter {
  private readonly nodes: ClusterNodeSet;
  private readonly keeper: ClusterTopologyKeeper;
  /** Slots moved by a MOVED reply since the topology last changed. */
  private readonly slotOverride = new Map<number, Endpoint>();
  private readonly avoidUntil = new WeakMap<Endpoint, number>();
  private initial: Promise<boolean> | undefined;
  private roundRobin = 0;
  /** Settles at the next change of the slot layout (a promotion, a node added or removed). */
  private layoutChanged = deferred();

  constructor(
    private readonly options: ClusterOptions,
    factory: EndpointFactory,
    bus: EventBus,
  ) {
    const seedName = options.nodes.find((n) => !isIpAddress(n.host))?.host;
    this.nodes = new ClusterNodeSet(factory, options, seedName);
    this.keeper = new ClusterTopologyKeeper(options, this.nodes, createResolver(options.dns), bus, () => {
      this.slotOverride.clear();
      const changed = this.layoutChanged;
      this.layoutChanged = deferred();
      changed.resolve();
    });
  }

  private get topology(): ClusterTopology | undefined {
    return this.keeper.snapshot;
  }

  // ---- routing -------------------------------------------------------------------------

  failoverInProgress(endpoint: Endpoint): Promise<void> | undefined {
    const shard = this.nodes.shardOf(endpoint);
    // Only a primary with replicas gets rescued by a promotion; anything else would wait in vain.
    if (shard < 0 || this.nodes.primaryOf(shard) !== endpoint || this.nodes.replicasOf(shard).length === 0) return undefined;
    return this.layoutChanged.promise;
  }

  route(command: Command, isRead: boolean, previous: FailureClass | undefined): Endpoint {
    const redirect = previous?.redirect;
    if (redirect && (previous.scenario === 'moved' || previous.scenario === 'ask')) {
      const target = this.redirectTarget(redirect);
      if (target) {
        if (previous.scenario === 'moved') this.slotOverride.set(redirect.slot, target);
        return target;
      }
    }
    const slot = this.slotOf(command);
    if (slot < 0) return this.anyPrimary();
    const moved = this.slotOverride.get(slot);
    if (moved) return moved;
    const shard = this.topology?.slotOwner[slot] ?? -1;
    if (shard < 0) {
      void this.keeper.trigger('uncovered-slot');
      return this.anyPrimary();
    }
    // A retry of a read goes to the primary: the replica may be what just failed it.
    if (isRead && !previous && this.options.readFrom === 'replica-preferred') {
      const replica = this.healthyReplica(shard);
      if (replica) return replica;
    }
    return this.nodes.primaryOf(shard)!;
  }

  /** The node a MOVED/ASK names; undefined for a hostname we cannot map yet (refresh first). */
  private redirectTarget(redirect: Redirect): Endpoint | undefined {
    if (redirect.host === '') return this.nodes.findByPort(redirect.port);
    const known = this.nodes.find(redirect.host, redirect.port);
    if (known) return known;
    // A node we have not heard of: the slot map is behind.
    void this.keeper.trigger('unknown-node');
    return isIpAddress(redirect.host) ? this.nodes.ensure({ host: redirect.host, port: redirect.port }) : undefined;
  }

  /** Slot of the command's keys; -1 for keyless commands. Multi-key commands must share one. */
  private slotOf(command: Command): number {
    const keys = command.getKeys();
    if (keys.length === 0) return -1;
    const slot = keySlot(keys[0]!);
    for (let i = 1; i < keys.length; i++) {
      if (keySlot(keys[i]!) !== slot) throw new CrossSlotError(this.options.name, command.name);
    }
    return slot;
  }

  partition(commands: readonly Command[]): number[][] | undefined {
    const groups = new Map<Endpoint, number[]>();
    commands.forEach((c, i) => {
      const target = this.route(c, false, undefined);
      const list = groups.get(target);
      if (list) list.push(i);
      else groups.set(target, [i]);
    });
    return groups.size > 1 ? [...groups.values()] : undefined;
  }

  private anyPrimary(): Endpoint {
    const all = this.nodes.primaries();
    const usable = all.filter((e) => e.breaker.state !== 'open');
    const pool = usable.length > 0 ? usable : all.length > 0 ? all : this.nodes.all();
    if (pool.length === 0) throw new ConnectFailedError(this.options.name, 'no cluster node is known yet', 'connection');
    return pool[this.roundRobin++ % pool.length]!;
  }

  /** A replica of `shard` that is connected, not behind an open breaker, and not LOADING. */
  private healthyReplica(shard: number): Endpoint | undefined {
    const replicas = this.nodes.replicasOf(shard);
    const now = performance.now();
    for (let i = 0; i < replicas.length; i++) {
      const r = replicas[(this.roundRobin++ + i) % replicas.length]!;
      if (r.ready && r.breaker.state !== 'open' && (this.avoidUntil.get(r) ?? 0) <= now) return r;
    }
    return undefined;
  }

  fallback(from: Endpoint, _command: Command, isRead: boolean): Endpoint | undefined {
    if (!isRead) return undefined;
    const shard = this.nodes.shardOf(from);
    if (shard < 0) return undefined;
    if (from.role === 'replica') {
      const primary = this.nodes.primaryOf(shard);
      return primary && primary.breaker.state !== 'open' ? primary : undefined;
    }
    return this.options.readFrom === 'replica-preferred' ? this.healthyReplica(shard) : undefined;
  }

  prepare(endpoint: Endpoint, _command: Command, previous: FailureClass | undefined): undefined {
    // ASKING must directly precede the command on the same connection: sent in the same
    // tick, it is written just before it.
    if (previous?.scenario === 'ask') (endpoint.client.sendCommand(new Command('asking', [])) as Promise<unknown>).catch(() => {});
    return undefined;
  }

  pending(previous: FailureClass | undefined): Promise<void> | undefined {
    if (!this.topology) return (this.initial ?? this.keeper.trigger('initial')).then(() => undefined);
    if (!previous) return undefined;
    const redirect = previous.redirect;
    const unknownName = redirect !== undefined && redirect.host !== '' && !isIpAddress(redirect.host) && !this.nodes.find(redirect.host, redirect.port);
    // CLUSTERDOWN is not waited on: a refresh cannot end a failover vote, only time can, and
    // the executor's backoff already spaces the retries out.
    const current = unknownName || previous.scenario === 'connection' || previous.scenario === 'timeout' ? this.keeper.current() : undefined;
    if (!current) return undefined;
    // A healthy cluster answers a refresh in a few ms (one stagger if a node hangs); when every
    // node hangs it takes far longer, and a retry waiting on it would only hold its caller.
    // A redirect to a node we cannot name yet needs the map, so it may wait for one attempt.
    return within(current, unknownName ? this.options.policy.attemptTimeoutMs : this.keeper.settings.minRefreshGapMs);
  }

  onFailure(endpoint: Endpoint, failure: FailureClass): void {
    switch (failure.scenario) {
      case 'moved':
      case 'ask':
      case 'clusterdown':
        void this.keeper.trigger(failure.scenario);
        break;
      case 'connection':
        this.keeper.evidence('connection');
        break;
      case 'timeout':
        this.keeper.noteTimeout(endpoint);
        break;
      case 'loading':
      case 'masterdown':
        this.avoidUntil.set(endpoint, performance.now() + AVOID_REPLICA_MS);
        break;
      default:
        break;
    }
  }

  // ---- topology and lifecycle -----------------------------------------------------------

  topologyAgeMs(): number | undefined {
    return this.topology ? Date.now() - this.topology.fetchedAt : undefined;
  }

  /** What the configuration endpoint name resolved to last, for health. */
  dnsView(): Array<{ name: string; address: string | undefined; ttlSeconds: number | undefined; lastChangeAt: number | undefined }> {
    return this.keeper.seedViews().map((v) => ({ name: v.name, address: v.addresses.join(','), ttlSeconds: v.ttlSeconds, lastChangeAt: v.lastChangeAt }));
  }

  /** Refreshes the topology now (trigger `manual`), within the same rate limit as any trigger. */
  refreshNow(): Promise<boolean> {
    return this.keeper.trigger('manual');
  }

  /** The current slot-map snapshot (immutable). */
  snapshot(): ClusterTopology | undefined {
    return this.topology;
  }

  endpoints(): readonly Endpoint[] {
    return this.nodes.all();
  }

  async connect(): Promise<void> {
    this.initial ??= this.keeper.start();
    if (!(await this.initial)) {
      this.initial = undefined;
      const failure = this.keeper.lastRefreshFailure;
      const detail = failure instanceof Error ? failure.message : 'no node answered';
      throw new ConnectFailedError(this.options.name, `no seed node answered CLUSTER SLOTS (${detail})`, fatalScenario(failure), failure);
    }
    await Promise.all(this.nodes.primaries().map((e) => waitUntilReady(e, this.options)));
  }

  async close(): Promise<void> {
    this.keeper.stop();
    await this.nodes.closeAll();
  }
}

/** `auth`/`config` when a node refused us for a reason retrying cannot fix, else `connection`. */
function fatalScenario(failure: unknown): FailureScenario {
  for (const e of refreshErrors(failure)) {
    if (isResilienceError(e) && (e.scenario === 'auth' || e.scenario === 'config')) return e.scenario;
  }
  return 'connection';
}

/** Resolves when `work` settles or after `ms`, whichever comes first; never rejects. */
function within(work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    work.then(done, done);
  });
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
