import type { TopologyTrigger } from '../events/resilience-event.js';

export interface RefresherOptions {
  /** Periodic refresh interval, ms (jittered ±20 % so many clients don't refresh in step). */
  intervalMs: number;
  /**
   * Minimum gap between two refreshes, ms. This is the storm bound: one client never runs
   * more than one refresh per gap, however many triggers fire.
   */
  minGapMs: number;
  /** Longest backoff after failed refreshes, ms. */
  maxBackoffMs: number;
}

/**
 * Schedules cluster topology refreshes: periodic with jitter, on triggers (rate-limited and
 * coalesced, one in flight at a time), fast polling while a shard is degraded (so a
 * promotion is seen within one gap of happening, not on the next MOVED a hung node never
 * sends), and exponential backoff while refreshes fail.
 */
export class TopologyRefresher {
  private inFlight: Promise<boolean> | undefined;
  private queued: { trigger: TopologyTrigger; promise: Promise<boolean> } | undefined;
  private lastStartedAt = 0;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly options: RefresherOptions,
    /** Runs one refresh; resolves true on success. Must never reject. */
    private readonly refresh: (trigger: TopologyTrigger) => Promise<boolean>,
    /** Whether a shard is degraded right now (breaker open, primary unreachable). */
    private readonly isDegraded: () => boolean,
    private readonly random: () => number = Math.random,
  ) {}

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** The refresh running now, if any. */
  current(): Promise<boolean> | undefined {
    return this.inFlight ?? this.queued?.promise;
  }

  /**
   * Asks for a refresh because of `trigger`. Joins the one in flight or the one already
   * queued; otherwise runs now, or as soon as the minimum gap allows.
   */
  trigger(trigger: TopologyTrigger): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    if (this.queued) return this.queued.promise;
    const wait = this.lastStartedAt + this.options.minGapMs - Date.now();
    if (this.inFlight || wait > 0) {
      const after = this.inFlight ?? Promise.resolve(true);
      const promise = after
        .then(() => new Promise((r) => setTimeout(r, Math.max(0, this.lastStartedAt + this.options.minGapMs - Date.now())).unref()))
        .then(() => {
          this.queued = undefined;
          return this.run(trigger);
        });
      this.queued = { trigger, promise };
      return promise;
    }
    return this.run(trigger);
  }

  private run(trigger: TopologyTrigger): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    if (this.inFlight) return this.inFlight;
    this.lastStartedAt = Date.now();
    const running = this.refresh(trigger).then((ok) => {
      this.failures = ok ? 0 : this.failures + 1;
      return ok;
    });
    this.inFlight = running.finally(() => {
      this.inFlight = undefined;
      this.schedule();
    });
    return this.inFlight;
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    let delay: number;
    if (this.failures > 0) {
      delay = Math.min(this.options.maxBackoffMs, this.options.minGapMs * 2 ** (this.failures - 1));
    } else if (this.isDegraded()) {
      delay = this.options.minGapMs;
    } else {
      delay = this.options.intervalMs * (0.8 + 0.4 * this.random());
    }
    this.timer = setTimeout(() => {
      void this.trigger('scheduled');
    }, delay);
    this.timer.unref();
  }
}
