import type { EventBus } from '../events/event-bus.js';
import type { ResolveFn, ResolvedAddress } from './endpoint-resolver.js';

export interface WatcherOptions {
  /** Shortest re-resolve interval, ms. */
  minIntervalMs: number;
  /** Longest re-resolve interval, ms. */
  maxIntervalMs: number;
  /** Interval while polling quickly after evidence of a failover, ms. */
  fastPollMs: number;
  /** How long fast polling lasts after the last evidence, ms. */
  fastPollForMs: number;
}

export const DEFAULT_WATCHER_OPTIONS: WatcherOptions = {
  minIntervalMs: 1000,
  maxIntervalMs: 30_000,
  fastPollMs: 250,
  fastPollForMs: 30_000,
};

/** The watcher's current view of one name. */
export interface DnsView {
  name: string;
  address: string | undefined;
  ttlSeconds: number | undefined;
  lastChangeAt: number | undefined;
  lastResolvedAt: number | undefined;
}

/**
 * Watches one DNS name. Re-resolves on the record's TTL, clamped to [min, max], and, on
 * evidence of a failover (READONLY, connection errors, timeouts, a breaker opening), at once
 * and then every `fastPollMs` for `fastPollForMs`: managed services move the name during a
 * failover, and waiting a full TTL plus caches costs 30 s to minutes of writes.
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
    private readonly options: WatcherOptions,
    private readonly bus: EventBus,
    /** Called when the first address changes. */
    private readonly onChange: (address: string, previous: string | undefined) => void,
  ) {
    this.view = { name, address: undefined, ttlSeconds: undefined, lastChangeAt: undefined, lastResolvedAt: undefined };
  }

  snapshot(): DnsView {
    return { ...this.view };
  }

  /** Resolves now; returns the first address (or undefined on failure). */
  resolveNow(): Promise<string | undefined> {
    if (!this.inFlight) {
      this.inFlight = this.run().finally(() => {
        this.inFlight = undefined;
      });
    }
    return this.inFlight;
  }

  /** Evidence of a failover: resolve at once, then poll fast for a while. */
  poke(): void {
    if (this.stopped) return;
    const wasFast = this.fastUntil > Date.now();
    this.fastUntil = Date.now() + this.options.fastPollForMs;
    if (!wasFast) {
      void this.resolveNow();
    }
  }

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async run(): Promise<string | undefined> {
    let answers: ResolvedAddress[];
    try {
      answers = await this.resolve(this.name);
      if (answers.length === 0) throw new Error('no A records');
    } catch {
      this.bus.emit({ type: 'dns.resolved', name: this.name, outcome: 'failure', addresses: [], ttlSeconds: undefined });
      this.schedule();
      return undefined;
    }
    const first = answers[0]!;
    this.view.lastResolvedAt = Date.now();
    this.view.ttlSeconds = first.ttl;
    this.bus.emit({ type: 'dns.resolved', name: this.name, outcome: 'success', addresses: answers.map((a) => a.address), ttlSeconds: first.ttl });
    const previous = this.view.address;
    if (previous !== first.address) {
      this.view.address = first.address;
      this.view.lastChangeAt = Date.now();
      if (previous !== undefined) this.onChange(first.address, previous);
    }
    this.schedule();
    return first.address;
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    const ttlMs = (this.view.ttlSeconds ?? this.options.maxIntervalMs / 1000) * 1000;
    let delay = Math.min(this.options.maxIntervalMs, Math.max(this.options.minIntervalMs, ttlMs));
    if (this.fastUntil > Date.now()) delay = Math.min(delay, this.options.fastPollMs);
    this.timer = setTimeout(() => void this.resolveNow(), delay);
    this.timer.unref();
  }
}
