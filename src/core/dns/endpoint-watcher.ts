import type { EventBus } from '../events/event-bus.js';
import type { DnsOptions } from '../options/resilient-redis-options.js';
import type { ResolveFn, ResolvedAddress } from './endpoint-resolver.js';

/** Timing of one watched name. Every field is in milliseconds. */
export interface WatcherOptions {
  /**
   * Floor of the re-resolve interval. A TTL of 0 or 1 s (common on failover-ready records)
   * must not turn every client into a resolver hammer.
   */
  minIntervalMs: number;
  /**
   * Ceiling of the re-resolve interval. A long TTL (or none, from /etc/hosts) must not leave
   * a client on a moved name for an hour: nobody may have told us about the failover.
   */
  maxIntervalMs: number;
  /** Interval while polling quickly after evidence of a failover. */
  fastPollMs: number;
  /**
   * How long one episode of fast polling lasts, counted from the evidence that started it.
   * Evidence during an episode does not extend it; evidence after it starts a new one, so
   * polling stays fast exactly as long as something keeps going wrong, and stops otherwise.
   */
  fastPollForMs: number;
}

/**
 * Defaults. Floor 1 s, ceiling 30 s: ElastiCache-style endpoint records carry short TTLs
 * (the lab uses 15 s), and within these bounds the record's own TTL wins. Fast polling at
 * 250 ms for 30 s covers the usual gap between a promotion and the DNS flip (about 10 s to a
 * minute) at four small queries a second, and only while there is evidence.
 */
export const DEFAULT_WATCHER_OPTIONS: Readonly<WatcherOptions> = Object.freeze({
  minIntervalMs: 1000,
  maxIntervalMs: 30_000,
  fastPollMs: 250,
  fastPollForMs: 30_000,
});

/** The watcher timing for the user's `dns` options, defaults filled in. */
export function watcherOptionsFrom(dns: DnsOptions | undefined): WatcherOptions {
  return {
    minIntervalMs: dns?.minIntervalMs ?? DEFAULT_WATCHER_OPTIONS.minIntervalMs,
    maxIntervalMs: dns?.maxIntervalMs ?? DEFAULT_WATCHER_OPTIONS.maxIntervalMs,
    fastPollMs: dns?.fastPollMs ?? DEFAULT_WATCHER_OPTIONS.fastPollMs,
    fastPollForMs: dns?.fastPollForMs ?? DEFAULT_WATCHER_OPTIONS.fastPollForMs,
  };
}

/** The watcher's current view of one name (part of the health snapshot). */
export interface DnsView {
  name: string;
  /** The address in use for the name (sticky: kept while it stays in the answer). */
  address: string | undefined;
  /** Every address of the last successful answer. */
  addresses: readonly string[];
  /** TTL of the last answer, seconds; undefined when the source has none (hosts file). */
  ttlSeconds: number | undefined;
  /** Epoch ms when `address` last changed. */
  lastChangeAt: number | undefined;
  /** Epoch ms of the last successful resolution. */
  lastResolvedAt: number | undefined;
  /** Why the last resolution failed, if it did (the previous address stays in use). */
  lastError: string | undefined;
  /** Epoch ms until which the name is polled quickly (evidence of a failover), if it is. */
  fastPollUntil: number | undefined;
}

/** Called after every successful resolution. `changed`: `address` differs from before. */
export type ResolvedListener = (address: string, changed: boolean) => void;

/**
 * Delay before the next resolution: the TTL clamped to [floor, ceiling], or the fast-poll
 * interval while an episode of fast polling runs. Without a TTL the ceiling applies.
 */
export function nextResolveDelayMs(ttlSeconds: number | undefined, options: Readonly<WatcherOptions>, fast: boolean): number {
  const ttlMs = ttlSeconds === undefined ? options.maxIntervalMs : ttlSeconds * 1000;
  const clamped = Math.min(options.maxIntervalMs, Math.max(options.minIntervalMs, ttlMs));
  return fast ? Math.min(clamped, options.fastPollMs) : clamped;
}

/**
 * Watches one DNS name. Re-resolves on the record's TTL clamped to [floor, ceiling], and, on
 * evidence of a failover (READONLY, connection errors, repeated timeouts, a breaker opening),
 * at once and then every `fastPollMs` for `fastPollForMs`: managed services move the name
 * during a failover, and waiting a full TTL plus caches costs seconds to minutes of writes.
 * A failed resolution keeps the previous address: a DNS outage must not take Redis down too.
 */
export class EndpointWatcher {
  private timer: NodeJS.Timeout | undefined;
  private fastUntil = 0;
  private inFlight: Promise<string | undefined> | undefined;
  private stopped = false;
  private readonly view: DnsView;

  constructor(
    readonly name: string,
    private readonly resolve: ResolveFn,
    private readonly options: Readonly<WatcherOptions>,
    private readonly bus: EventBus,
    private readonly onResolved: ResolvedListener,
  ) {
    this.view = {
      name,
      address: undefined,
      addresses: [],
      ttlSeconds: undefined,
      lastChangeAt: undefined,
      lastResolvedAt: undefined,
      lastError: undefined,
      fastPollUntil: undefined,
    };
  }

  snapshot(): DnsView {
    return { ...this.view, fastPollUntil: this.fastPolling ? this.fastUntil : undefined };
  }

  /** The address in use for the name, if one was ever resolved. */
  get address(): string | undefined {
    return this.view.address;
  }

  get fastPolling(): boolean {
    return this.fastUntil > Date.now();
  }

  /** Resolves now (joining a resolution in flight); returns the address in use afterwards. */
  resolveNow(): Promise<string | undefined> {
    if (this.stopped) return Promise.resolve(this.view.address);
    if (!this.inFlight) {
      this.inFlight = this.run().finally(() => {
        this.inFlight = undefined;
      });
    }
    return this.inFlight;
  }

  /**
   * Evidence of a failover: resolve at once, then poll fast for `fastPollForMs`. Evidence
   * during a running episode changes nothing, so a burst of errors costs one query.
   */
  poke(): void {
    if (this.stopped || this.fastPolling) return;
    this.fastUntil = Date.now() + this.options.fastPollForMs;
    void this.resolveNow();
  }

  /** Starts the periodic re-resolution (after the first `resolveNow`). */
  start(): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async run(): Promise<string | undefined> {
    let answers: ResolvedAddress[];
    try {
      answers = await this.resolve(this.name);
      if (answers.length === 0) throw new Error('no A records');
    } catch (error) {
      this.view.lastError = error instanceof Error ? error.message : String(error);
      this.bus.emit({ type: 'dns.resolved', name: this.name, outcome: 'failure', addresses: [], ttlSeconds: undefined });
      this.schedule();
      return this.view.address;
    }
    if (this.stopped) return this.view.address;
    const addresses = answers.map((a) => a.address);
    // The shortest TTL in the answer: the record set is only as fresh as its freshest entry.
    const ttls = answers.map((a) => a.ttl).filter((t): t is number => t !== undefined);
    const ttl = ttls.length > 0 ? Math.min(...ttls) : undefined;
    const previous = this.view.address;
    // Sticky: a round-robin reader name lists several replicas in turn; moving between them on
    // every answer would churn connections for nothing.
    const address = previous !== undefined && addresses.includes(previous) ? previous : addresses[0]!;
    const changed = previous !== undefined && address !== previous;
    Object.assign(this.view, { addresses, ttlSeconds: ttl, lastResolvedAt: Date.now(), lastError: undefined });
    if (address !== previous) {
      this.view.address = address;
      this.view.lastChangeAt = Date.now();
    }
    this.bus.emit({ type: 'dns.resolved', name: this.name, outcome: 'success', addresses, ttlSeconds: ttl });
    this.schedule();
    this.onResolved(address, changed);
    return address;
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    // After a failure, retry at the floor rather than wait out a long TTL with a stale answer.
    const ttl = this.view.lastError === undefined ? this.view.ttlSeconds : 0;
    this.timer = setTimeout(() => void this.resolveNow(), nextResolveDelayMs(ttl, this.options, this.fastPolling));
    this.timer.unref();
  }
}
