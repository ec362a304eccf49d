import type { Subscription } from 'rxjs';
import type { ClusterNodeSet } from './cluster-node-set.js';
import type { Endpoint } from '../endpoint/endpoint.js';
import type { ResolveFn } from '../dns/endpoint-resolver.js';
import type { EventBus } from '../events/event-bus.js';
import type { TopologyTrigger } from '../events/resilience-event.js';
import type { ClusterModeOptions } from '../options/resilient-redis-options.js';
import type { ResolvedOptions } from '../options/validate-options.js';
import { diffTopology, nodeKeys, withPromotedReplica, type ClusterTopology } from './cluster-topology.js';
import { ClusterTopologySource, type SeedView } from './cluster-topology-source.js';
import { NoAnswerError } from './first-answer.js';
import { ChangeWatch, layoutMayDiffer, type ClusterFingerprint } from './change-detector.js';
import { FailoverEpisode } from './failover-episode.js';
import { PromotionWatch, type WatchedReplica } from './promotion-watch.js';
import { refuseTopology } from './topology-acceptance.js';
import { TopologyRefresher } from './topology-refresher.js';
import { PromotionConfirm } from './promotion-confirm.js';
import { TimeoutTally } from './timeout-tally.js';
import { CLUSTER_TOPOLOGY_DEFAULTS, type ClusterTopologySettings } from './cluster-topology-settings.js';

/** First gap between full reads while the cluster knows more nodes than our map lists, ms. */
const MISSING_NODES_FIRST_GAP_MS = 5000;

/**
 * Keeps a cluster's slot map fresh and publishes it as an immutable snapshot, within a fleet
 * budget (every probe multiplies by the number of pods):
 * - steady state: one full read (CLUSTER SLOTS) per `refreshIntervalMs`, and between them a
 *   cheap CLUSTER INFO on one node every `changeCheckIntervalMs`; a grown epoch, a node count
 *   or assigned-slot count that moved, or the cluster coming back to ok cost one full read;
 * - on triggers: MOVED, an uncovered slot, an unknown node: one refresh in flight, at most one
 *   started per `minRefreshGapMs`, with backoff while refreshes fail;
 * - through a failover, at most two full reads however long it lasts (see
 *   {@link FailoverEpisode}): one on the first evidence, one to confirm the promotion, which is
 *   seen in between by ROLE probes of the failing shard's replicas (at most 4 per second per
 *   client, jittered) and adopted the moment one says master;
 * - when every known node fails, the configuration endpoint is resolved again, so a cluster
 *   whose nodes all changed address is found without a restart.
 */
export class ClusterTopologyKeeper {
  private topology: ClusterTopology | undefined;
  private baseline: ClusterFingerprint | undefined;
  private readonly source: ClusterTopologySource;
  private readonly refresher: TopologyRefresher;
  private readonly promotions: PromotionWatch;
  private readonly changes: ChangeWatch;
  private readonly episode: FailoverEpisode;
  private readonly confirm: PromotionConfirm;
  private readonly timeouts: TimeoutTally;
  private readonly subscription: Subscription;
  private lastFailure: unknown;
  private stopped = false;
  private missingGapMs = MISSING_NODES_FIRST_GAP_MS;
  private nextMissingReadAt = 0;
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
    this.source = new ClusterTopologySource(options, nodes, resolve, bus, (next) => refuseTopology(this.topology, next));
    this.episode = new FailoverEpisode(this.settings.episodeQuietMs);
    this.timeouts = new TimeoutTally(this.settings.timeoutWindowMs);
    this.confirm = new PromotionConfirm(this.settings.confirmDelayMs, this.episode, () => this.refresher.trigger('promotion-confirm'));
    this.refresher = new TopologyRefresher(
      {
        intervalMs: this.settings.refreshIntervalMs,
        minGapMs: this.settings.minRefreshGapMs,
        maxBackoffMs: Math.max(this.settings.minRefreshGapMs, this.settings.maxRefreshBackoffMs),
      },
      (trigger) => this.refreshOnce(trigger),
      // Only the first read is retried on the gap; a degraded shard is followed by ROLE and
      // CLUSTER INFO, not by polling the full map.
      () => this.topology === undefined,
    );
    const attemptMs = options.policy.attemptTimeoutMs;
    this.promotions = new PromotionWatch(
      () => this.watchedReplicas(),
      (w) => this.adoptPromotion(w),
      attemptMs,
    );
    this.changes = new ChangeWatch(
      (e) => e.acceptsTraffic && !this.suspect(e),
      () => this.nodes.refreshCandidates(this.degradedShards(), (e) => this.suspect(e)),
      (f) => this.onFingerprint(f),
      attemptMs,
      () =>
        this.isDegraded() && !this.promotions.active ? this.settings.degradedChangeCheckIntervalMs : this.settings.changeCheckIntervalMs,
      // Every known node is down (a cluster replaced wholesale): only a refresh, which resolves
      // the configuration endpoint again, can find it; the refresher's backoff paces it.
      () => void this.refresher.trigger('connection'),
    );
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

  /**
   * A failure that hints at a failover: watch the failing shard's replicas, and read the full
   * map only if this opens a failover episode (the budget: two full reads per failover).
   */
  evidence(trigger: TopologyTrigger): void {
    const opens = this.episode.admit(this.isDegraded());
    // With no node left to ask for CLUSTER INFO or ROLE, only refreshes (which fall back to
    // the seeds) can find the cluster again.
    if (opens || !this.nodes.all().some((e) => e.ready)) void this.refresher.trigger(trigger);
    this.promotions.poke();
    if (!this.promotions.active) this.changes.hurry();
  }

  /** Counts a timeout on `endpoint`; N of them within the window trigger a refresh. */
  noteTimeout(endpoint: Endpoint): void {
    if (this.timeouts.note(endpoint) >= this.settings.timeoutsToRefresh) this.evidence('timeouts');
    else this.promotions.poke();
  }

  /** First refresh, and the periodic schedule (which keeps retrying if this one failed). */
  start(): Promise<boolean> {
    const first = this.refresher.trigger('initial');
    this.refresher.start();
    this.changes.start();
    return first;
  }

  stop(): void {
    this.stopped = true;
    this.subscription.unsubscribe();
    this.refresher.stop();
    this.promotions.stop();
    this.changes.stop();
    this.confirm.stop();
  }

  /** Probes sent so far, for the bench: ROLE probes and CLUSTER INFO samples. */
  probeCounts(): { role: number; info: number } {
    return { role: this.promotions.probeCount, info: this.changes.sampleCount };
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
      if (!e.acceptsTraffic) out.add(i);
    });
    return out;
  }

  private isDegraded(): boolean {
    if (!this.topology) return true;
    return this.degradedShards().size > 0;
  }

  /**
   * A cheap sample came in. A layout that may have moved costs a full read, except while a
   * failover episode is being followed by ROLE: its promotion is adopted from there and then
   * confirmed by one read, which takes a new baseline.
   */
  private onFingerprint(now: ClusterFingerprint): void {
    const base = this.baseline;
    if (!base) {
      this.baseline = now;
      return;
    }
    const changed = (now.state === 'ok' && base.state !== 'ok') || layoutMayDiffer(base, now);
    // The cluster knows nodes our map lacks: a replica that has not synced yet, or a failed
    // node coming back (CLUSTER SLOTS leaves both out). Nothing else in CLUSTER INFO shows it
    // when they join, so ask again, at a gap that doubles while the count stays apart.
    const missing = this.topology !== undefined && now.knownNodes > nodeKeys(this.topology).size;
    if (!missing) {
      this.missingGapMs = MISSING_NODES_FIRST_GAP_MS;
      this.nextMissingReadAt = 0;
    }
    if (!changed && !missing) return;
    const inEpisode = this.episode.active(this.isDegraded());
    if (inEpisode && (this.promotions.active || this.episode.confirmPending)) return;
    if (!changed) {
      // The old primary of a failover rejoins as a replica soon after it: counted once the
      // episode is over, and one gap after the count was first seen apart.
      const t = performance.now();
      if (inEpisode) return;
      if (this.nextMissingReadAt === 0) this.nextMissingReadAt = t + this.missingGapMs;
      if (t < this.nextMissingReadAt) return;
      this.nextMissingReadAt = t + this.missingGapMs;
      this.missingGapMs = Math.min(this.settings.refreshIntervalMs, this.missingGapMs * 2);
    }
    void this.refresher.trigger('epoch-changed');
  }

  /** Timed out lately: maybe hung, so asked for the topology last. */
  private suspect(endpoint: Endpoint): boolean {
    return this.timeouts.suspect(endpoint);
  }

  /** Replicas of failing shards that can still answer: where a promotion shows first. */
  private watchedReplicas(): WatchedReplica[] {
    const out: WatchedReplica[] = [];
    for (const shard of this.degradedShards()) {
      for (const replica of this.nodes.replicasOf(shard)) {
        if (replica.acceptsTraffic) out.push({ shard, replica });
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
    // One full read, a little after the promotion, confirms the locally patched map.
    this.confirm.schedule(watched.replica);
  }

  private async refreshOnce(trigger: TopologyTrigger): Promise<boolean> {
    const started = performance.now();
    try {
      const known = this.nodes.refreshCandidates(this.degradedShards(), (e) => this.suspect(e));
      const candidates = trigger === 'promotion-confirm' ? this.confirm.order(known) : known;
      const next = await this.source.fetch(candidates);
      if (this.stopped) return false;
      this.apply(next, trigger, performance.now() - started);
      this.baseline = next.fingerprint ?? this.baseline;
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
    // Nodes beyond the map's own: endpoints a MOVED to a node we had not heard of created.
    // An unchanged map that does not list them retires them too.
    const strays = !diff.changed && this.nodes.all().length > nodeKeys(next).size;
    if (diff.changed || strays) {
      this.nodes.sync(next);
    }
    this.topology = next;
    if (diff.changed || strays) this.onChanged();
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
