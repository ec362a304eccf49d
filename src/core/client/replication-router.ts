import type { Command, Redis } from 'ioredis';
import { isIP } from 'node:net';
import { sleep } from '../command/retry-decision.js';
import type { Subscription } from 'rxjs';
import type { CommandRouter } from '../command/command-router.js';
import type { Endpoint } from '../endpoint/endpoint.js';
import { createResolver, type CancellableResolveFn } from '../dns/endpoint-resolver.js';
import { ClientClosedError } from '../errors/client-closed.error.js';
import { ConnectFailedError } from '../errors/connect-failed.error.js';
import { type DnsView, watcherOptionsFrom } from '../dns/endpoint-watcher.js';
import { WatchedEndpoint } from '../dns/watched-endpoint.js';
import type { EventBus } from '../events/event-bus.js';
import type { ReplicationOptions } from '../options/resilient-redis-options.js';
import type { ResolvedOptions } from '../options/validate-options.js';
import type { FailureClass } from '../policy/failure-scenario.js';
import type { EndpointFactory } from '../endpoint/endpoint-factory.js';
import { waitUntilReady } from '../endpoint/endpoint-lifecycle.js';
import { FollowTrust } from './follow-trust.js';
import { failoverInProgress, openSideConnection, queryRole, waitForMasterRole } from './role-query.js';
import { ReplicationEvidence } from './replication-evidence.js';
import { ReplicationReads } from './replication-reads.js';
import { ReplicaReadEpisodes } from '../topology/replica-read-episodes.js';

/** How long the node a demoted primary names may take to report master (FAILOVER hand-over). */
const FOLLOW_VERIFY_MS = 1000;
/**
 * Least gap between two checks of whether a timing-out primary is in a planned failover; much
 * longer after a check that got no answer (a hung host: asking again and again only adds load).
 */
const INSPECT_GAP_MS = 250;
const INSPECT_GAP_UNANSWERED_MS = 2000;

const noop = (): void => {};

/**
 * Replication mode (ElastiCache cluster mode disabled): writes through the primary endpoint
 * name, reads through the reader name. On failover the primary name moves to the promoted
 * replica, and the old primary often stays up as a replica answering READONLY. Each name is a
 * {@link WatchedEndpoint} (own resolution, TTL-driven and evidence-driven re-resolution,
 * verified atomic swaps with draining). This router adds what is specific to replication:
 * where reads go (`readFrom`, {@link ReplicationReads}), evidence from failures
 * ({@link ReplicationEvidence}), and following a demoted primary to the master it names before
 * DNS catches up.
 */
export class ReplicationRouter implements CommandRouter {
  private readonly primary: WatchedEndpoint;
  private readonly reader: WatchedEndpoint | undefined;
  private readonly reads: ReplicationReads;
  private readonly evidence: ReplicationEvidence;
  private readonly replicaReads: ReplicaReadEpisodes | undefined;
  private following: Promise<void> | undefined;
  private inspecting: Promise<void> | undefined;
  private nextInspectAt = 0;
  private initial: Promise<void> | undefined;
  private closed = false;
  private readonly subscription: Subscription;
  private readonly resolve: CancellableResolveFn;
  /** Where a demoted primary may send us. */
  private readonly trust: FollowTrust;

  constructor(
    private readonly options: ResolvedOptions & ReplicationOptions,
    private readonly factory: EndpointFactory,
    private readonly bus: EventBus,
  ) {
    this.resolve = createResolver(options.dns);
    this.trust = new FollowTrust(options, this.resolve);
    const deps = {
      factory,
      bus,
      options,
      resolve: this.resolve,
      watcherOptions: watcherOptionsFrom(options.dns),
      watchIps: options.dns?.resolve !== undefined,
    };
    const { attemptTimeoutMs } = options.policy;
    this.primary = new WatchedEndpoint(
      {
        name: options.primary.host,
        port: options.primary.port,
        role: 'primary',
        purpose: 'primary',
        // Never swap a replica in as the primary, whatever DNS says (a stale or early answer).
        verify: (candidate, waitMs) => waitForMasterRole(candidate.client, attemptTimeoutMs, waitMs),
      },
      deps,
    );
    this.reads = new ReplicationReads(options.readFrom ?? (options.reader ? 'replica-preferred' : 'primary'));
    this.replicaReads = this.reads.readFrom === 'primary-preferred' ? new ReplicaReadEpisodes(bus) : undefined;
    // With readFrom 'primary' the reader serves nothing: no connection, no health entry.
    if (options.reader && ReplicationReads.usesReader(this.reads.readFrom)) {
      this.reader = new WatchedEndpoint({ name: options.reader.host, port: options.reader.port, role: 'replica', purpose: 'reader' }, deps);
    }
    this.evidence = new ReplicationEvidence({
      current: (slot) => (slot === 'primary' ? this.primary : this.reader)?.current,
      poke: (slot) => (slot === 'primary' ? this.primary : this.reader)?.poke(),
      followDemotion: (endpoint) => void this.followDemotion(endpoint, 'readonly'),
      inspectPrimary: (endpoint) => this.inspectPrimary(endpoint),
      avoidReader: () => this.reads.avoidReader(),
    });
    // A breaker opening is evidence that the name may have moved: re-resolve now.
    const names = new Set([options.primary.host, ...(options.reader ? [options.reader.host] : [])]);
    this.subscription = bus.events$.subscribe((event) => {
      if (event.type === 'dns.resolved' && event.outcome === 'success' && names.has(event.name)) {
        this.trust.noteResolved(event.addresses);
      }
      if (event.type !== 'breaker.opened') return;
      for (const slot of this.slots()) if (slot.current?.id === event.node) slot.poke();
    });
  }

  private slots(): WatchedEndpoint[] {
    return this.reader ? [this.primary, this.reader] : [this.primary];
  }

  private start(): Promise<void> {
    if (!this.initial) {
      this.initial = Promise.all(this.slots().map((s) => s.start())).then(noop);
      this.learnReaderHosts();
    }
    return this.initial;
  }

  /**
   * readFrom 'primary' leaves the reader unconnected, but its name still lists the group's other
   * hosts, where a demoted primary's ROLE reply points after a failover. Resolved once (in the
   * background: the client does not wait for it), its answer makes that follow trusted, as with
   * a connected reader; the primary name's own answers add the rest over time.
   */
  private learnReaderHosts(): void {
    const reader = this.options.reader;
    if (this.reader || !reader || (isIP(reader.host) && !this.options.dns?.resolve)) return;
    this.resolve(reader.host).then(
      (answers) => {
        if (this.closed) return;
        const addresses = answers.map((a) => a.address);
        this.bus.emit({ type: 'dns.resolved', name: reader.host, outcome: 'success', addresses, ttlSeconds: answers[0]?.ttl });
      },
      () => {
        if (!this.closed)
          this.bus.emit({ type: 'dns.resolved', name: reader.host, outcome: 'failure', addresses: [], ttlSeconds: undefined });
      },
    );
  }

  pending(previous: FailureClass | undefined, isRead = false): Promise<void> | undefined {
    const primary = this.primary.current;
    if (!primary) return this.start();
    // Reads never wait for the primary's recovery: they have the reader, or a demoted
    // primary that still serves reads.
    if (isRead) return undefined;
    // A demoted (or handing-over) primary can only answer READONLY or stall: wait for the node
    // it names, bounded by each call's deadline, rather than fail or feed its breaker.
    if (this.following) return this.following;
    // A write timed out and we are asking whether a hand-over is under way: its answer decides
    // between waiting for the new primary and the breaker's fail-fast.
    if (this.inspecting && (previous?.scenario === 'timeout' || primary.breaker.state !== 'closed')) return this.inspecting;
    const swap = this.primary.swapping;
    // A DNS-driven swap is speculative while the current primary is healthy: don't hold calls for it.
    if (swap && (previous !== undefined || !primary.acceptsTraffic)) return swap.then(noop);
    return undefined;
  }

  route(_command: Command, isRead: boolean, previous?: FailureClass): Endpoint {
    const primary = this.primary.current;
    // Only reachable once the first resolution has finished without an endpoint: closed meanwhile.
    if (!primary) {
      if (this.closed) throw new ClientClosedError(this.options.name, _command.name);
      throw new ConnectFailedError(this.options.name, `the primary endpoint ${this.options.primary.host} is not set up yet`, 'connection');
    }
    if (!isRead) return primary;
    const target = this.reads.route(primary, this.reader?.current, previous);
    // 'primary-preferred': one event when reads move to the reader, one when they are back.
    if (this.replicaReads) {
      if (target === primary) this.replicaReads.served(primary.label, primary);
      else this.replicaReads.rerouted(primary.label, primary, target, _command);
    }
    return target;
  }

  fallback(from: Endpoint, command: Command, isRead: boolean): Endpoint | undefined {
    if (!isRead) return undefined;
    // Reads fall back to the primary while the reader is unavailable, and the other way round.
    const primary = this.primary.current;
    const target = this.reads.fallback(from, primary, this.reader?.current);
    // 'primary-preferred': a read the primary just failed, served by the reader, is one too.
    if (this.replicaReads && primary && from === primary && target) this.replicaReads.rerouted(primary.label, primary, target, command);
    return target;
  }

  onFailure(endpoint: Endpoint, failure: FailureClass): void {
    if (!this.closed) this.evidence.onFailure(endpoint, failure);
  }

  /**
   * A write timed out on the primary. During a planned `FAILOVER` the primary pauses writes
   * until its replica has caught up (up to a second or more), so writes time out there while
   * reads and INFO still answer: ask, and if a hand-over is under way, hold writes for it and
   * follow it, instead of letting the timeouts open the breaker on callers.
   */
  private inspectPrimary(endpoint: Endpoint): void {
    if (this.inspecting || this.following || Date.now() < this.nextInspectAt) return;
    const { attemptTimeoutMs } = this.options.policy;
    this.nextInspectAt = Date.now() + INSPECT_GAP_UNANSWERED_MS;
    this.inspecting = (async () => {
      const side = await openSideConnection(this.factory, endpoint, attemptTimeoutMs);
      let inProgress = false;
      try {
        inProgress = await failoverInProgress(side, attemptTimeoutMs);
        this.nextInspectAt = Date.now() + INSPECT_GAP_MS;
      } finally {
        if (!inProgress) side.disconnect();
      }
      // The follow owns the side connection from here, and the inspection lasts as long.
      if (inProgress) await this.followDemotion(endpoint, 'failover', side);
    })()
      .catch(noop)
      .finally(() => {
        this.inspecting = undefined;
      });
  }

  /**
   * READONLY proves the write did not run and that we are talking to a demoted primary
   * (typical right after a managed failover: the old primary stays up as a replica and DNS
   * still names it). It knows its new master: go there now, still verifying ROLE there,
   * instead of waiting out the TTL. With `failover`, the primary is still handing over (on a
   * side connection, as its own stalls behind paused writes): wait for it to become a replica
   * first. Writes wait for this, bounded by their deadlines.
   */
  private followDemotion(old: Endpoint, cause: 'readonly' | 'failover', side?: Redis): Promise<void> {
    if (this.following || old !== this.primary.current) {
      side?.disconnect();
      return this.following ?? Promise.resolve();
    }
    old.markFailing(cause === 'readonly' ? 'readonly' : 'timeout');
    const until = performance.now() + this.options.policy.totalTimeoutMs;
    const { attemptTimeoutMs } = this.options.policy;
    const asker = side ?? old.client;
    this.following = (async () => {
      while (!this.closed && this.primary.current === old && performance.now() < until) {
        let role;
        try {
          role = await queryRole(asker, attemptTimeoutMs);
        } catch {
          return; // It cannot answer: the DNS watcher, already poked, takes over.
        }
        if (role.role === 'replica') {
          const target = await this.trust.target(role.masterHost);
          // An untrusted address is never connected to (it would get our AUTH): DNS takes over.
          if (target === undefined) return;
          if (await this.primary.switchTo(target, role.masterPort, 'role-follow', FOLLOW_VERIFY_MS)) return;
        } else if (cause === 'readonly' || role.role !== 'master' || !(await failoverInProgress(asker, attemptTimeoutMs))) {
          return; // Master again, or the hand-over was aborted: nothing to follow.
        }
        await sleep(25);
      }
    })().finally(() => {
      this.following = undefined;
      side?.disconnect();
    });
    return this.following;
  }

  endpoints(): readonly Endpoint[] {
    return this.slots()
      .map((s) => s.current)
      .filter((e): e is Endpoint => e !== undefined);
  }

  dnsView(): DnsView[] {
    return this.slots()
      .map((s) => s.dnsView())
      .filter((v): v is DnsView => v !== undefined);
  }

  async connect(): Promise<void> {
    // One budget for the whole connect, DNS stage included: the readiness wait gets what the
    // resolution left (the lifecycle guard bounds the resolution itself).
    const until = performance.now() + this.options.policy.connectTimeoutMs;
    await this.start();
    if (this.closed) throw new ClientClosedError(this.options.name);
    const left = Math.max(1, Math.round(until - performance.now()));
    // A reader that is down must not keep the client from starting: reads fall back.
    const reader = this.reader?.current;
    if (reader) waitUntilReady(reader, this.options, left).catch(noop);
    const primary = this.primary.current;
    if (!primary)
      throw new ConnectFailedError(this.options.name, `the primary endpoint ${this.options.primary.host} is not set up`, 'connection');
    await waitUntilReady(primary, this.options, left);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subscription.unsubscribe();
    this.resolve.cancel();
    await Promise.all(this.slots().map((s) => s.close()));
  }
}
