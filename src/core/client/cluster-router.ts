import { Command } from 'ioredis';
import type { CommandRouter } from '../command/command-router.js';
import type { Endpoint } from '../endpoint/endpoint.js';
import { createResolver } from '../dns/endpoint-resolver.js';
import { ConnectFailedError } from '../errors/connect-failed.error.js';
import { CrossSlotError } from '../errors/cross-slot.error.js';
import { isResilienceError } from '../errors/resilience.error.js';
import type { EventBus } from '../events/event-bus.js';
import type { ClusterModeOptions } from '../options/resilient-redis-options.js';
import type { ResolvedOptions } from '../options/validate-options.js';
import type { FailureClass, FailureScenario, Redirect } from '../policy/failure-scenario.js';
import { isIpAddress, nodeKeys, type ClusterTopology } from '../topology/cluster-topology.js';
import { ClusterTopologyKeeper, refreshErrors } from '../topology/cluster-topology-keeper.js';
import { RetryRelease } from '../topology/retry-release.js';
import { ReplicaPicker } from '../topology/replica-picker.js';
import { ReplicaReadEpisodes } from '../topology/replica-read-episodes.js';
import { deferred, within } from '../topology/deferred.js';
import { ClusterNodeSet } from '../topology/cluster-node-set.js';
import { keySlot } from './key-slot.js';
import type { EndpointFactory } from '../endpoint/endpoint-factory.js';
import { waitUntilReady } from '../endpoint/endpoint-lifecycle.js';

type ClusterOptions = ResolvedOptions & ClusterModeOptions;

/** How long a retry after TRYAGAIN waits for a migration to move on, at most, ms. */
const TRYAGAIN_WAIT_MS = 250;

/** Most endpoints MOVED/ASK replies may create beyond the slot map's nodes, until a refresh. */
export const MAX_REDIRECT_NODES = 8;

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
  private readonly replicas: ReplicaPicker;
  private initial: Promise<boolean> | undefined;
  private roundRobin = 0;
  /** Settles at the next MOVED: a migration has moved a slot on. */
  private slotMoved = deferred();
  private readonly replicaReads: ReplicaReadEpisodes;
  private readonly release: RetryRelease;

  constructor(
    private readonly options: ClusterOptions,
    factory: EndpointFactory,
    bus: EventBus,
  ) {
    const seedName = options.nodes.find((n) => !isIpAddress(n.host))?.host;
    this.nodes = new ClusterNodeSet(factory, options, seedName);
    this.replicaReads = new ReplicaReadEpisodes(bus);
    this.replicas = new ReplicaPicker(this.nodes);
    this.release = new RetryRelease(this.nodes, options.policy);
    this.keeper = new ClusterTopologyKeeper(options, this.nodes, createResolver(options.dns), bus, () => {
      this.slotOverride.clear();
      this.release.layoutMoved();
    });
  }

  private get topology(): ClusterTopology | undefined {
    return this.keeper.snapshot;
  }

  // ---- routing -------------------------------------------------------------------------

  /** See {@link RetryRelease.failover}: a held call goes again on the promotion or the primary serving. */
  failoverInProgress(endpoint: Endpoint): Promise<void> | undefined {
    return this.release.failover(endpoint);
  }

  /** See {@link RetryRelease.retry}: a retry goes again on evidence, not on its own backoff. */
  readySignal(endpoint: Endpoint, failure: FailureClass): Promise<void> | undefined {
    return this.release.retry(endpoint, failure);
  }

  route(command: Command, isRead: boolean, previous: FailureClass | undefined, knownSlot?: number): Endpoint {
    const redirect = previous?.redirect;
    if (redirect && (previous.scenario === 'moved' || previous.scenario === 'ask')) {
      const target = this.redirectTarget(redirect);
      if (target) {
        if (previous.scenario === 'moved') this.slotOverride.set(redirect.slot, target);
        return target;
      }
    }
    const slot = knownSlot ?? this.slotOf(command);
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
      const replica = this.replicas.pick(shard);
      if (replica) return replica;
    }
    const primary = this.nodes.primaryOf(shard)!;
    if (isRead && this.options.readFrom === 'primary-preferred') return this.primaryPreferred(shard, primary, previous, command);
    return primary;
  }

  /**
   * The primary while it is up; a replica while its breaker is open, its connection is down,
   * or it just failed this read (timed out, refused): the replica holds the same data, behind
   * by the replication lag. The replica keeps its connection when it is promoted, so these
   * reads ride through the promotion too.
   */
  private primaryPreferred(shard: number, primary: Endpoint, previous: FailureClass | undefined, command: Command): Endpoint {
    const down = !primary.usable || (previous !== undefined && previous.countsAgainstBreaker && previous.scenario !== 'clusterdown');
    if (!down) {
      this.replicaReads.served(primary.label, primary);
      return primary;
    }
    const replica = this.replicas.pick(shard);
    if (!replica) return primary;
    this.replicaReads.rerouted(primary.label, primary, replica, command);
    return replica;
  }

  /** The node a MOVED/ASK names; undefined for a hostname we cannot map yet (refresh first). */
  private redirectTarget(redirect: Redirect): Endpoint | undefined {
    if (redirect.host === '') return this.nodes.findByPort(redirect.port);
    const known = this.nodes.find(redirect.host, redirect.port);
    if (known) return known;
    // A node we have not heard of: the slot map is behind.
    void this.keeper.trigger('unknown-node');
    if (!isIpAddress(redirect.host)) return undefined;
    // A server naming host after host must not make us open connection after connection: past
    // the cap, the call waits for the refresh, which also retires the ones it does not list.
    const mapped = this.topology ? nodeKeys(this.topology).size : 0;
    if (this.nodes.all().length - mapped >= MAX_REDIRECT_NODES) return undefined;
    return this.nodes.ensure({ host: redirect.host, port: redirect.port });
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

  fallback(from: Endpoint, command: Command, isRead: boolean): Endpoint | undefined {
    if (!isRead) return undefined;
    const shard = this.nodes.shardOf(from);
    if (shard < 0) return undefined;
    if (from.role === 'replica') {
      const primary = this.nodes.primaryOf(shard);
      return primary && primary.breaker.state !== 'open' ? primary : undefined;
    }
    if (this.options.readFrom === 'replica-preferred') return this.replicas.pick(shard);
    if (this.options.readFrom !== 'primary-preferred') return undefined;
    // The primary refused the read: the replica serves it for a primary that is down.
    const replica = this.replicas.pick(shard);
    if (replica) this.replicaReads.rerouted(from.label, from, replica, command);
    return replica;
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
    // TRYAGAIN: the keys of a multi-key call sit on both sides of a slot being migrated. Only
    // the migration moving on can help, so the retry waits for it (a MOVED, the slot assigned)
    // for a while, instead of spending the call's few attempts within one short backoff.
    if (previous.scenario === 'tryagain') return within(this.slotMoved.promise, TRYAGAIN_WAIT_MS);
    const redirect = previous.redirect;
    const unknownName =
      redirect !== undefined && redirect.host !== '' && !isIpAddress(redirect.host) && !this.nodes.find(redirect.host, redirect.port);
    // CLUSTERDOWN is not waited on: a refresh cannot end a failover vote, only time can, and
    // the executor's backoff already spaces the retries out.
    const current =
      unknownName || previous.scenario === 'connection' || previous.scenario === 'timeout' ? this.keeper.current() : undefined;
    if (!current) return undefined;
    // A healthy cluster answers a refresh in a few ms (one stagger if a node hangs); when every
    // node hangs it takes far longer, and a retry waiting on it would only hold its caller.
    // A redirect to a node we cannot name yet needs the map, so it may wait for one attempt.
    return within(current, unknownName ? this.options.policy.attemptTimeoutMs : this.keeper.settings.minRefreshGapMs);
  }

  onFailure(endpoint: Endpoint, failure: FailureClass): void {
    switch (failure.scenario) {
      case 'moved': {
        void this.keeper.trigger(failure.scenario);
        const moved = this.slotMoved;
        this.slotMoved = deferred();
        moved.resolve();
        break;
      }
      // ASK is a migration in progress: the map stays right until it ends, with a MOVED.
      case 'ask':
        break;
      // Part of a failover episode: costs a full read only if it opens one.
      case 'clusterdown':
        this.keeper.evidence('clusterdown');
        break;
      case 'connection':
        this.keeper.evidence('connection');
        break;
      case 'timeout':
        this.keeper.noteTimeout(endpoint);
        break;
      case 'loading':
      case 'masterdown':
        this.replicas.avoid(endpoint);
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
    return this.keeper
      .seedViews()
      .map((v) => ({ name: v.name, address: v.addresses.join(','), ttlSeconds: v.ttlSeconds, lastChangeAt: v.lastChangeAt }));
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
    this.release.stop();
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
