import type { TopologyTrigger } from '../events/resilience-event.js';

export interface RefresherOptions {
  /** Periodic refresh interval, ms (jittered ±20 % so many clients don't refresh in step). */
  intervalMs: number;
  /**
   * Minimum gap between the starts of two refreshes, ms. This is the storm bound: one client
   * never starts more than one refresh per gap, however many triggers fire. While a shard is
   * degraded the refresher polls at exactly this gap.
   */
  minGapMs: number;
  /** Longest gap after failed refreshes, ms (the gap doubles per failure from `minGapMs`). */
  maxBackoffMs: number;
}

/** Time and timers, injectable so the schedule can be tested without waiting. */
export interface RefresherClock {
  now(): number;
  setTimer(run: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/** Wall clock and unref'd Node timers: a pending refresh never keeps a process alive. */
export const systemClock: RefresherClock = {
  now: () => performance.now(),
  setTimer: (run, ms) => setTimeout(run, ms).unref(),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

interface Waiting {
  readonly trigger: TopologyTrigger;
  readonly promise: Promise<boolean>;
  readonly resolve: (ok: boolean) => void;
}

/**
 * Schedules cluster topology refreshes:
 * - periodic, every `intervalMs` ±20 % (jitter keeps a fleet of clients from asking in step);
 * - on triggers (MOVED, CLUSTERDOWN, timeouts, a breaker opening...), coalesced: one refresh
 *   in flight at a time, and triggers that arrive meanwhile share the one queued after it;
 * - rate-limited: a refresh starts at most once per `minGapMs` — the refresh-storm bound per
 *   client, whatever fires (a burst of 1 000 MOVED replies costs one refresh);
 * - every `minGapMs` while a shard is degraded, so a promotion is seen within one gap of
 *   happening, not on the next MOVED that a hung primary never sends;
 * - with exponential backoff (capped at `maxBackoffMs`) while refreshes fail, triggered ones
 *   included: when every node is down, asking harder only adds load.
 */
export class TopologyRefresher {
  private running: Promise<boolean> | undefined;
  private waiting: Waiting | undefined;
  private lastStartedAt = Number.NEGATIVE_INFINITY;
  private failures = 0;
  private timer: unknown;
  private stopped = false;
  private periodic = false;

  constructor(
    private readonly options: RefresherOptions,
    /** Runs one refresh; resolves true on success. A rejection counts as a failure. */
    private readonly refresh: (trigger: TopologyTrigger) => Promise<boolean>,
    /** Whether a shard is degraded right now (breaker open, primary unreachable). */
    private readonly isDegraded: () => boolean,
    private readonly random: () => number = Math.random,
    private readonly clock: RefresherClock = systemClock,
  ) {}

  /** Starts the periodic schedule (triggers work before it, too). */
  start(): void {
    this.periodic = true;
    if (!this.running && !this.waiting) this.scheduleNext();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer();
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.resolve(false);
  }

  /** Consecutive failed refreshes. */
  get failureCount(): number {
    return this.failures;
  }

  /** The refresh running now, or else the one queued; undefined when idle. */
  current(): Promise<boolean> | undefined {
    return this.running ?? this.waiting?.promise;
  }

  /**
   * Asks for a refresh because of `trigger`. Joins the queued one if there is one; otherwise
   * runs now if the gap allows, or queues one for when it does. Resolves true when the
   * refresh that covers this trigger succeeded.
   */
  trigger(trigger: TopologyTrigger): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    if (this.waiting) return this.waiting.promise;
    const wait = this.earliestStart() - this.clock.now();
    if (!this.running && wait <= 0) return this.run(trigger);
    let resolve!: (ok: boolean) => void;
    const promise = new Promise<boolean>((r) => (resolve = r));
    this.waiting = { trigger, promise, resolve };
    // While one runs, the queued one is armed when it ends (the gap depends on its outcome).
    if (!this.running) this.arm(wait, () => this.runWaiting());
    return promise;
  }

  /** The gap the next start must respect: `minGapMs`, doubled per consecutive failure. */
  gapMs(): number {
    if (this.failures === 0) return this.options.minGapMs;
    const grown = this.options.minGapMs * 2 ** Math.min(this.failures - 1, 30);
    return Math.max(this.options.minGapMs, Math.min(this.options.maxBackoffMs, grown));
  }

  private earliestStart(): number {
    return this.lastStartedAt + this.gapMs();
  }

  private run(trigger: TopologyTrigger): Promise<boolean> {
    this.clearTimer();
    this.lastStartedAt = this.clock.now();
    let attempt: Promise<boolean>;
    try {
      attempt = this.refresh(trigger);
    } catch {
      attempt = Promise.resolve(false);
    }
    const running = attempt
      .then(
        (ok) => ok === true,
        () => false,
      )
      .then((ok) => {
        this.failures = ok ? 0 : this.failures + 1;
        this.running = undefined;
        if (this.stopped) return ok;
        if (this.waiting) this.arm(this.earliestStart() - this.clock.now(), () => this.runWaiting());
        else this.scheduleNext();
        return ok;
      });
    this.running = running;
    return running;
  }

  private runWaiting(): void {
    const waiting = this.waiting;
    if (!waiting || this.stopped) return;
    this.waiting = undefined;
    void this.run(waiting.trigger).then(waiting.resolve);
  }

  /** The next unprompted refresh: a degraded-shard poll, a backoff retry, or the periodic one. */
  private scheduleNext(): void {
    if (this.stopped || !this.periodic) return;
    let delay: number;
    if (this.failures > 0 || this.isDegraded()) {
      delay = this.earliestStart() - this.clock.now();
    } else {
      delay = this.options.intervalMs * (0.8 + 0.4 * this.random());
    }
    this.arm(delay, () => void this.trigger('scheduled'));
  }

  private arm(delayMs: number, run: () => void): void {
    this.clearTimer();
    this.timer = this.clock.setTimer(
      () => {
        this.timer = undefined;
        run();
      },
      Math.max(0, delayMs),
    );
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }
}
