import calculateSlot from 'cluster-key-slot';
import { Command } from 'ioredis';
import type { CommandRouter } from '../command/command-router.js';
import type { Endpoint } from '../command/endpoint.js';
import { createResolver, type ResolveFn } from '../dns/endpoint-resolver.js';
import { ConnectFailedError } from '../errors/connect-failed.error.js';
import { CrossSlotError } from '../errors/cross-slot.error.js';
import type { EventBus } from '../events/event-bus.js';
import type { TopologyTrigger } from '../events/resilience-event.js';
import type { ClusterModeOptions, NodeAddress } from '../options/resilient-redis-options.js';
import type { ResolvedOptions } from '../options/validate-options.js';
import type { FailureClass } from '../policy/failure-scenario.js';
import { diffTopology, parseClusterSlots, type ClusterTopology } from '../topology/cluster-topology.js';
import { TopologyRefresher } from '../topology/topology-refresher.js';
import { ClusterNodeSet } from './cluster-node-set.js';
import { waitUntilReady } from './endpoint-lifecycle.js';

type ClusterOptions = ResolvedOptions & ClusterModeOptions;

/**
 * Cluster mode: routes each command to the shard that owns its slot, follows MOVED/ASK,
 * and keeps the slot map fresh with a refresher that polls fast while a shard is degraded,
 * so traffic moves to a promoted replica as soon as the cluster has promoted it — without
 * waiting for a MOVED that a hung primary never sends, and without touching healthy shards.
 */
export class ClusterRouter implements CommandRouter {
  private topology: ClusterTopology | undefined;
  private readonly nodes: ClusterNodeSet;
  /** Slots moved by a MOVED reply since the last refresh. */
  private readonly slotOverride = new Map<number, Endpoint>();
  private readonly refresher: TopologyRefresher;
  private readonly resolve: ResolveFn;
  private readonly timeouts = new Map<Endpoint, number[]>();
  private readonly avoidUntil = new Map<Endpoint, number>();
  private initial: Promise<boolean> | undefined;
  private roundRobin = 0;

  constructor(
    private readonly options: ClusterOptions,
    factory: import('./endpoint-factory.js').EndpointFactory,
    private readonly bus: EventBus,
  ) {
    this.resolve = createResolver(options.dns);
    const seedName = options.nodes.find((n) => !/^[\d.]+$/.test(n.host))?.host;
    this.nodes = new ClusterNodeSet(factory, options, seedName);
    const t = options.topology ?? {};
    this.refresher = new TopologyRefresher(
      { intervalMs: t.refreshIntervalMs ?? 5000, minGapMs: t.minRefreshGapMs ?? 250, maxBackoffMs: 5000 },
      (trigger) => this.refreshOnce(trigger),
      () => this.isDegraded(),
    );
    bus.events$.subscribe((e) => {
      if (e.type === 'breaker.opened' && !e.forced) void this.refresher.trigger('breaker-opened');
    });
  }

  // ---- routing -------------------------------------------------------------------------

  route(command: Command, isRead: boolean, previous: FailureClass | undefined): Endpoint {
    const redirect = previous?.redirect;
    if (redirect && (previous.scenario === 'moved' || previous.scenario === 'ask')) {
      const target = this.nodes.ensure({ host: redirect.host || this.options.nodes[0]!.host, port: redirect.port }, () =>
        void this.refresher.trigger('unknown-node'),
      );
      if (previous.scenario === 'moved') this.slotOverride.set(redirect.slot, target);
      return target;
    }
    const slot = this.slotOf(command);
    if (slot < 0) return this.anyPrimary();
    const moved = this.slotOverride.get(slot);
    if (moved) return moved;
    const shard = this.topology?.slotOwner[slot] ?? -1;
    if (shard < 0) {
      void this.refresher.trigger('uncovered-slot');
      return this.anyPrimary();
    }
    if (isRead && this.options.readFrom === 'replica-preferred') {
      const replica = this.healthyReplica(shard);
      if (replica) return replica;
    }
    return this.nodes.primaryOf(shard)!;
  }

  /** Slot of the command's keys; -1 for keyless commands. Multi-key commands must share one. */
  private slotOf(command: Command): number {
    const keys = command.getKeys();
    if (keys.length === 0) return -1;
    const slot = calculateSlot(keys[0]!);
    for (let i = 1; i < keys.length; i++) {
      if (calculateSlot(keys[i]!) !== slot) throw new CrossSlotError(this.options.name, command.name);
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
    const primaries = this.nodes.primaries().filter((e) => e.breaker.state !== 'open');
    const pool = primaries.length > 0 ? primaries : this.nodes.all();
    if (pool.length === 0) throw new ConnectFailedError(this.options.name, 'no cluster node is known yet', 'connection');
    return pool[this.roundRobin++ % pool.length]!;
  }

  private healthyReplica(shard: number): Endpoint | undefined {
    const replicas = this.nodes.replicasOf(shard);
    const now = Date.now();
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
    if (!this.topology) return (this.initial ?? this.refresher.trigger('initial')).then(() => undefined);
    if (previous && (previous.scenario === 'clusterdown' || previous.scenario === 'connection' || previous.scenario === 'timeout')) {
      return this.refresher.current()?.then(() => undefined);
    }
    return undefined;
  }

  onFailure(endpoint: Endpoint, failure: FailureClass): void {
    switch (failure.scenario) {
      case 'moved':
        void this.refresher.trigger('moved');
        break;
      case 'clusterdown':
        void this.refresher.trigger('clusterdown');
        break;
      case 'connection':
        void this.refresher.trigger('connection');
        break;
      case 'loading':
      case 'masterdown':
        this.avoidUntil.set(endpoint, Date.now() + 1000);
        break;
      case 'timeout': {
        const window = this.options.topology?.timeoutWindowMs ?? 1000;
        const now = Date.now();
        const list = (this.timeouts.get(endpoint) ?? []).filter((t) => now - t < window);
        list.push(now);
        this.timeouts.set(endpoint, list);
        if (list.length >= (this.options.topology?.timeoutsToRefresh ?? 2)) void this.refresher.trigger('timeouts');
        break;
      }
      default:
        break;
    }
  }

  // ---- topology --------------------------------------------------------------------------

  private isDegraded(): boolean {
    if (!this.topology || this.topology.uncovered > 0) return true;
    return this.nodes.primaries().some((e) => !e.ready || e.breaker.state !== 'closed');
  }

  topologyAgeMs(): number | undefined {
    return this.topology ? Date.now() - this.topology.fetchedAt : undefined;
  }

  /** One refresh: ask healthy nodes first (never a hung one first); seeds re-resolved last. */
  private async refreshOnce(trigger: TopologyTrigger): Promise<boolean> {
    const started = performance.now();
    let topology: ClusterTopology | undefined;
    let reason = 'no node answered';
    for (const batch of this.nodes.refreshCandidates()) {
      try {
        topology = await Promise.any(batch.map((e) => this.fetchFrom(e)));
        break;
      } catch (error) {
        reason = error instanceof AggregateError ? String((error.errors[0] as Error | undefined)?.message ?? error.message) : String(error);
      }
    }
    if (!topology) {
      // Every known node failed: the cluster may have moved wholesale. Resolve the
      // configuration endpoint again and ask what it points to now.
      const seeds = await this.resolveSeeds();
      const fresh = seeds.map((s) => this.nodes.ensure(s, () => {}));
      try {
        topology = await Promise.any(fresh.map((e) => this.fetchFrom(e, true)));
      } catch {
        this.bus.emit({ type: 'topology.refresh_failed', trigger, reason });
        return false;
      }
    }
    this.apply(topology, trigger, performance.now() - started);
    return true;
  }

  private async fetchFrom(endpoint: Endpoint, waitForConnect = false): Promise<ClusterTopology> {
    if (!endpoint.ready) {
      if (!waitForConnect) throw new Error(`${endpoint.id} not connected`);
      await waitUntilReady(endpoint, this.options, this.options.policy.attemptTimeoutMs * 2);
    }
    const command = new Command('cluster', ['SLOTS'], { replyEncoding: 'utf8' });
    command.setTimeout(this.options.policy.attemptTimeoutMs);
    const reply = await endpoint.client.sendCommand(command);
    const host = String(endpoint.client.options.host);
    return parseClusterSlots(reply, { host, port: Number(endpoint.client.options.port) });
  }

  private async resolveSeeds(): Promise<NodeAddress[]> {
    const out: NodeAddress[] = [];
    for (const seed of this.options.nodes) {
      try {
        for (const a of await this.resolve(seed.host)) out.push({ host: a.address, port: seed.port });
      } catch {
        out.push(seed);
      }
    }
    return out;
  }

  private apply(next: ClusterTopology, trigger: TopologyTrigger, durationMs: number): void {
    const diff = diffTopology(this.topology, next);
    if (diff.changed) {
      const recovered = this.nodes.sync(next);
      this.slotOverride.clear();
      for (const { node, since } of recovered) {
        this.bus.emit({ type: 'failover.recovered', node, durationMs: Date.now() - since });
      }
    }
    this.topology = next;
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

  endpoints(): readonly Endpoint[] {
    return this.nodes.all();
  }

  async connect(): Promise<void> {
    if (!this.initial) {
      this.initial = (async () => {
        const seeds = await this.resolveSeeds();
        for (const s of seeds) this.nodes.ensure(s, () => {});
        const ok = await this.refresher.trigger('initial');
        if (ok) this.refresher.start();
        return ok;
      })();
    }
    if (!(await this.initial)) {
      this.initial = undefined;
      throw new ConnectFailedError(this.options.name, 'no seed node answered CLUSTER SLOTS', 'connection');
    }
    await Promise.all(this.nodes.primaries().map((e) => waitUntilReady(e, this.options)));
  }

  async close(): Promise<void> {
    this.refresher.stop();
    await this.nodes.closeAll();
  }
}
