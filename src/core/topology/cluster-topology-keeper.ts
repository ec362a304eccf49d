import type { Subscription } from 'rxjs';
import type { ClusterNodeSet } from './cluster-node-set.js';
import type { Endpoint } from '../endpoint/endpoint.js';
import type { ResolveFn } from '../dns/endpoint-resolver.js';
import type { EventBus } from '../events/event-bus.js';
import type { TopologyTrigger } from '../events/resilience-event.js';
import type { ClusterModeOptions } from '../options/resilient-redis-options.js';
import type { ResolvedOptions } from '../options/validate-options.js';
import { diffTopology, withPromotedReplica, type ClusterTopology } from './cluster-topology.js';
import { ClusterTopologySource, type SeedView } from './cluster-topology-source.js';
import { NoAnswerError } from './first-answer.js';
import { PromotionWatch, type WatchedReplica } from './promotion-watch.js';
import { TopologyRefresher } from './topology-refresher.js';

/** Cluster topology refresh settings, all in milliseconds except `timeoutsToRefresh`. */
export interface ClusterTopologySettings {
  refreshIntervalMs: number;
  minRefreshGapMs: number;
  timeoutsToRefresh: number;
  timeoutWindowMs: number;
  maxRefreshBackoffMs: number;
}

/** Cluster refresh defaults; `ClusterModeOptions.topology` overrides the first four. */
export const CLUSTER_TOPOLOGY_DEFAULTS: Readonly<ClusterTopologySettings> = Object.freeze({
  refreshIntervalMs: 5000,
  /** The refresh-storm bound: at most one refresh starts per 250 ms, per client. */
  minRefreshGapMs: 250,
  timeoutsToRefresh: 2,
  timeoutWindowMs: 1000,
  /**
   * Longest gap between refreshes while they fail (every node down). Bounds both the load a
   * client adds to a cluster that is down and how long it takes to notice it is back.
   */
  maxRefreshBackoffMs: 2000,
});

/**
 * Keeps a cluster's slot map fresh and publishes it as an immutable snapshot:
 * - periodically (jittered), and on triggers: MOVED, ASK, CLUSTERDOWN, connection errors,
 *   N timeouts in a window on one node, an uncovered slot, an unknown node, a breaker opening;
 * - one refresh in flight, at most one started per `minRefreshGapMs` (the refresh-storm bound
 *   per client, whatever fires), with backoff while refreshes fail;
 * - every `minRefreshGapMs` while a shard is degraded, asking its replicas first; meanwhile the
 *   replicas of the failing shard are asked for their ROLE every 50 ms, and a promotion is
 *   adopted the moment one says master — so traffic follows a promotion within ~50 ms, without
 *   waiting for a MOVED that a hung primary never sends, and without touching healthy shards;
 * - when every known node fails, the configuration endpoint is resolved again, so a cluster
 *   whose nodes all changed address is found without a restart.
 */
export class ClusterTopologyKeeper {
  private topology: ClusterTopology | undefined;
  private readonly source: ClusterTopologySource;
  private readonly refresher: TopologyRefresher;
  private readonly promotions: PromotionWatch;
  private readonly timeouts = new WeakMap<Endpoint, number[]>();
  private readonly subscription: Subscription;
  private lastFailure: unknown;
  readonly settings: Readonly<ClusterTopologySettings>;

  constructor(
    options: ResolvedOptions & ClusterModeOptions,
    private readonly nodes: ClusterNodeSet,
    resolve: ResolveFn,
    private readonly bus: EventBus,
    /** Called after a snapshot with a different layout was applied. */
    private readonly onChanged: () => void,
  ) {
    const given = Object.fromEntries(Object.entries(options.topology ?? {}).filter(([, v]) => v !== undefined));
    this.settings = Object.freeze({ ...CLUSTER_TOPOLOGY_DEFAULTS, ...given });
    this.source = new ClusterTopologySource(options, nodes, resolve, bus);
    this.refresher = new TopologyRefresher(
      {
        intervalMs: this.settings.refreshIntervalMs,
        minGapMs: this.settings.minRefreshGapMs,
        maxBackoffMs: Math.max(this.settings.minRefreshGapMs, this.settings.maxRefreshBackoffMs),
      },
      (trigger) => this.refreshOnce(trigger),
      () => this.isDegraded(),
    );
    this.promotions = new PromotionWatch(() => this.watchedReplicas(), (w) => this.adoptPromotion(w), options.policy.attemptTimeoutMs);
    this.subscription = bus.events$.subscribe((e) => {
      if (e.type === 'breaker.opened' && !e.forced) this.evidence('breaker-opened');
      else if (e.type === 'connection.lost' && this.nodes.primaries().some((p) => p.id === e.node)) this.evidence('connection');
    });
  }

  /** The current slot map; undefined until the first refresh succeeded. */
  get snapshot(): ClusterTopology | undefined {
    return this.topology;
  }

  /** Asks for a refresh (rate-limited, coalesced); resolves true when it succeeded. */
  trigger(trigger: TopologyTrigger): Promise<boolean> {
    return this.refresher.trigger(trigger);
  }

  /** The refresh in flight or queued, if any. */
  current(): Promise<boolean> | undefined {
    return this.refresher.current();
  }

  /** A failure that hints at a failover: refresh, and watch the failing shard's replicas. */
  evidence(trigger: TopologyTrigger): void {
    void this.refresher.trigger(trigger);
    this.promotions.poke();
  }

  /** Counts a timeout on `endpoint`; N of them within the window trigger a refresh. */
  noteTimeout(endpoint: Endpoint): void {
    const now = performance.now();
    const list = (this.timeouts.get(endpoint) ?? []).filter((t) => now - t < this.settings.timeoutWindowMs);
    list.push(now);
    this.timeouts.set(endpoint, list);
    if (list.length >= this.settings.timeoutsToRefresh) void this.refresher.trigger('timeouts');
    this.promotions.poke();
  }

  /** First refresh, and the periodic schedule (which keeps retrying if this one failed). */
  start(): Promise<boolean> {
    const first = this.refresher.trigger('initial');
    this.refresher.start();
    return first;
  }

  stop(): void {
    this.subscription.unsubscribe();
    this.refresher.stop();
    this.promotions.stop();
  }

  /** Why the last refresh failed, if it did. */
  get lastRefreshFailure(): unknown {
    return this.lastFailure;
  }

  /** What the configuration endpoint resolved to last. */
  seedViews(): SeedView[] {
    return this.source.views();
  }

  /** Shards whose primary is unreachable or behind a breaker that is not closed. */
  degradedShards(): Set<number> {
    const out = new Set<number>();
    this.nodes.primaries().forEach((e, i) => {
      if (!e.ready || e.breaker.state !== 'closed') out.add(i);
    });
    return out;
  }

  private isDegraded(): boolean {
    if (!this.topology || this.topology.uncovered > 0) return true;
    return this.degradedShards().size > 0;
  }

  /** Timed out lately: maybe hung, so asked for the topology last. */
  private suspect(endpoint: Endpoint): boolean {
    const last = this.timeouts.get(endpoint)?.at(-1);
    return last !== undefined && performance.now() - last < this.settings.timeoutWindowMs * 5;
  }

  /** Replicas of failing shards that can still answer: where a promotion shows first. */
  private watchedReplicas(): WatchedReplica[] {
    const out: WatchedReplica[] = [];
    for (const shard of this.degradedShards()) {
      for (const replica of this.nodes.replicasOf(shard)) {
        if (replica.ready && replica.breaker.state === 'closed') out.push({ shard, replica });
      }
    }
    return out;
  }

  /** A replica of a failing shard says it is master: move the shard to it now, confirm later. */
  private adoptPromotion(watched: WatchedReplica): void {
    if (!this.topology || this.nodes.shardOf(watched.replica) !== watched.shard) return;
    const next = withPromotedReplica(this.topology, watched.shard, watched.replica.id);
    if (!next) return;
    this.apply(next, 'replica-promoted', 0);
    void this.refresher.trigger('replica-promoted');
  }

  private async refreshOnce(trigger: TopologyTrigger): Promise<boolean> {
    const started = performance.now();
    try {
      const candidates = this.nodes.refreshCandidates(this.degradedShards(), (e) => this.suspect(e));
      this.apply(await this.source.fetch(candidates), trigger, performance.now() - started);
      this.lastFailure = undefined;
      return true;
    } catch (error) {
      this.lastFailure = error;
      this.bus.emit({ type: 'topology.refresh_failed', trigger, reason: describe(error) });
      return false;
    }
  }

  private apply(next: ClusterTopology, trigger: TopologyTrigger, durationMs: number): void {
    const diff = diffTopology(this.topology, next);
    if (diff.changed) {
      for (const { node, since } of this.nodes.sync(next)) {
        this.bus.emit({ type: 'failover.recovered', node, durationMs: Date.now() - since });
      }
    }
    this.topology = next;
    if (diff.changed) this.onChanged();
    if (this.degradedShards().size > 0) this.promotions.poke();
    this.bus.emit({
      type: 'topology.refreshed',
      trigger,
      changed: diff.changed,
      added: diff.added,
      removed: diff.removed,
      promoted: diff.promoted,
      durationMs: Math.round(durationMs * 100) / 100,
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The underlying errors of a failed refresh (each node's own error), for diagnosis. */
export function refreshErrors(error: unknown): unknown[] {
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof NoAnswerError ? [...cause.errors] : [];
}
