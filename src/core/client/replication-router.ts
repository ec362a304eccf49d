import type { Command } from 'ioredis';
import type { CommandRouter } from '../command/command-router.js';
import type { Endpoint } from '../command/endpoint.js';
import { createResolver, type ResolveFn } from '../dns/endpoint-resolver.js';
import { DEFAULT_WATCHER_OPTIONS, EndpointWatcher, type DnsView } from '../dns/endpoint-watcher.js';
import type { EventBus } from '../events/event-bus.js';
import type { NodeAddress, ReplicationOptions } from '../options/resilient-redis-options.js';
import type { ResolvedOptions } from '../options/validate-options.js';
import type { FailureClass } from '../policy/failure-scenario.js';
import type { EndpointFactory } from './endpoint-factory.js';
import { closeEndpoint, waitUntilReady } from './endpoint-lifecycle.js';
import { queryRole } from './role-query.js';

type Slot = 'primary' | 'reader';

/**
 * Replication mode (ElastiCache cluster mode disabled): writes through the primary endpoint
 * name, reads through the reader name. On failover the primary name moves to the promoted
 * replica, and the old primary often stays up as a replica answering READONLY. This router
 * resolves both names itself, follows a demoted primary to its new master, verifies ROLE
 * before swapping connections, and drains the old connection instead of dropping calls.
 */
export class ReplicationRouter implements CommandRouter {
  private primary: Endpoint | undefined;
  private reader: Endpoint | undefined;
  private readonly watchers: Partial<Record<Slot, EndpointWatcher>> = {};
  private readonly swaps: Partial<Record<Slot, Promise<boolean>>> = {};
  private initial: Promise<void> | undefined;
  private readerAvoidUntil = 0;
  private closed = false;
  private readonly retired = new Set<Endpoint>();
  private readonly resolve: ResolveFn;

  constructor(
    private readonly options: ResolvedOptions & ReplicationOptions,
    private readonly factory: EndpointFactory,
    private readonly bus: EventBus,
  ) {
    this.resolve = createResolver(options.dns);
    const watcherOptions = {
      ...DEFAULT_WATCHER_OPTIONS,
      minIntervalMs: options.dns?.minIntervalMs ?? DEFAULT_WATCHER_OPTIONS.minIntervalMs,
      maxIntervalMs: options.dns?.maxIntervalMs ?? DEFAULT_WATCHER_OPTIONS.maxIntervalMs,
    };
    for (const slot of ['primary', 'reader'] as const) {
      const address = options[slot];
      if (!address) continue;
      this.watchers[slot] = new EndpointWatcher(address.host, this.resolve, watcherOptions, bus, (next) => {
        void this.switchTo(slot, next, address.port, 'dns');
      });
    }
  }

  private configured(slot: Slot): NodeAddress {
    return slot === 'primary' ? this.options.primary : this.options.reader!;
  }

  private start(): Promise<void> {
    if (!this.initial) {
      this.initial = (async () => {
        for (const slot of ['primary', 'reader'] as const) {
          const watcher = this.watchers[slot];
          if (!watcher) continue;
          const configured = this.configured(slot);
          const address = (await watcher.resolveNow()) ?? configured.host;
          this[slot] = this.factory.create(
            { address: { host: address, port: configured.port }, servername: configured.host, purpose: slot },
            slot === 'primary' ? 'primary' : 'replica',
            slot,
          );
          this[slot]!.client.connect().catch(() => {});
          watcher.start();
        }
      })();
    }
    return this.initial;
  }

  pending(): Promise<void> | undefined {
    if (!this.primary) return this.start();
    return this.swaps.primary?.then(() => undefined);
  }

  route(_command: Command, isRead: boolean): Endpoint {
    if (!this.primary) throw new Error('replication router used before start');
    const reader = this.reader;
    if (isRead && reader && reader.ready && reader.breaker.state !== 'open' && Date.now() >= this.readerAvoidUntil) return reader;
    return this.primary;
  }

  fallback(from: Endpoint, _command: Command, isRead: boolean): Endpoint | undefined {
    // Reads fall back to the primary while the reader is unavailable; writes have nowhere to go.
    if (isRead && from === this.reader && this.primary && this.primary.breaker.state !== 'open') return this.primary;
    return undefined;
  }

  onFailure(endpoint: Endpoint, failure: FailureClass): void {
    if (!failure.countsAgainstBreaker) return;
    if (endpoint === this.primary) {
      if (failure.scenario === 'readonly') void this.followDemotion(endpoint);
      this.watchers.primary?.poke();
    } else if (endpoint === this.reader) {
      if (failure.scenario === 'loading' || failure.scenario === 'masterdown') this.readerAvoidUntil = Date.now() + 1000;
      this.watchers.reader?.poke();
    }
  }

  /**
   * READONLY proves we are talking to a demoted primary. It knows its new master: go there
   * now instead of waiting for the DNS TTL and caches.
   */
  private async followDemotion(old: Endpoint): Promise<void> {
    try {
      const role = await queryRole(old.client, this.options.policy.attemptTimeoutMs);
      if (role.role === 'replica' && role.masterHost && role.masterPort) {
        await this.switchTo('primary', role.masterHost, role.masterPort, 'role-follow');
      }
    } catch {
      // The DNS watcher was poked as well; it will find the new primary.
    }
  }

  /**
   * Connects to `host:port`, verifies its role, then swaps it in atomically. The old
   * connection keeps serving its in-flight calls and is closed once they have settled.
   */
  private switchTo(slot: Slot, host: string, port: number, cause: 'dns' | 'role-follow'): Promise<boolean> {
    const current = this[slot];
    if (this.closed || (current && current.client.options.host === host && current.client.options.port === port)) {
      return Promise.resolve(false);
    }
    if (this.swaps[slot]) return this.swaps[slot]!;
    const configured = this.configured(slot);
    const swap = (async (): Promise<boolean> => {
      const candidate = this.factory.create(
        { address: { host, port }, servername: configured.host, purpose: slot },
        slot === 'primary' ? 'primary' : 'replica',
        slot,
      );
      try {
        await waitUntilReady(candidate, this.options, this.options.policy.attemptTimeoutMs * 2);
        if (slot === 'primary') {
          const role = await queryRole(candidate.client, this.options.policy.attemptTimeoutMs);
          if (role.role !== 'master') throw new Error(`${host}:${port} is not a master yet`);
        }
      } catch {
        await closeEndpoint(candidate);
        return false;
      }
      if (this.closed) {
        await closeEndpoint(candidate);
        return false;
      }
      const old = this[slot];
      this[slot] = candidate;
      this.bus.emit({
        type: 'endpoint.changed',
        node: candidate.id,
        name: configured.host,
        oldAddress: old?.id,
        newAddress: candidate.id,
        cause,
      });
      if (old) this.retire(old);
      return true;
    })().finally(() => {
      this.swaps[slot] = undefined;
    });
    this.swaps[slot] = swap;
    return swap;
  }

  /** Closes a swapped-out endpoint once every attempt on it has had time to settle. */
  private retire(old: Endpoint): void {
    this.retired.add(old);
    old.retire();
    const timer = setTimeout(() => {
      this.retired.delete(old);
      void closeEndpoint(old);
    }, this.options.policy.attemptTimeoutMs + 100);
    timer.unref();
  }

  endpoints(): readonly Endpoint[] {
    return [this.primary, this.reader].filter((e): e is Endpoint => e !== undefined);
  }

  dnsView(): DnsView[] {
    return Object.values(this.watchers).map((w) => w.snapshot());
  }

  async connect(): Promise<void> {
    await this.start();
    const waits = [waitUntilReady(this.primary!, this.options)];
    // A reader that is down must not keep the client from starting: reads fall back.
    if (this.reader) waitUntilReady(this.reader, this.options).catch(() => {});
    await Promise.all(waits);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of Object.values(this.watchers)) w.stop();
    await Promise.all([...this.endpoints(), ...this.retired].map((e) => closeEndpoint(e)));
    this.retired.clear();
  }
}
