import type { Endpoint } from '../endpoint/endpoint.js';

/**
 * How often waiters look for evidence, ms. The look is a few field reads per waiter, with no
 * network: it only runs while some call waits, and it bounds how late a released call is.
 */
export const EVIDENCE_POLL_MS = 2;

interface Waiter {
  readonly endpoints: readonly Endpoint[];
  readonly okAtStart: number[];
  readonly readyAtStart: boolean[];
  readonly expiresAt: number;
  readonly resolve: () => void;
}

/**
 * Releases calls that wait out a failure (CLUSTERDOWN, a reconnect, a timeout, LOADING) on
 * evidence that a retry can succeed, instead of on their own jittered backoff: a success on the
 * node they failed on (another call got through, so the server serves again), or its connection
 * coming back. When the server accepts again, every waiter follows within one poll, rather
 * than 100-400 ms later when its backoff happens to end (DESIGN §10, the physical floor).
 */
export class ReadyEvidence {
  private waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** A waiter nobody released is dropped after this, ms: its call has moved on by then. */
    private readonly maxWaitMs: number,
    private readonly pollMs = EVIDENCE_POLL_MS,
  ) {}

  /** Resolves on the next success on one of `endpoints`, or when one that was down reconnects. */
  next(endpoints: readonly Endpoint[]): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push({
        endpoints,
        okAtStart: endpoints.map((e) => e.stats.ok),
        readyAtStart: endpoints.map((e) => e.ready),
        expiresAt: performance.now() + this.maxWaitMs,
        resolve,
      });
      this.timer ??= setInterval(() => this.check(), this.pollMs).unref();
    });
  }

  /** Waiters now. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Releases every waiter (the client is closing). */
  stop(): void {
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    const now = performance.now();
    this.waiters = this.waiters.filter((w) => {
      const seen = now >= w.expiresAt || w.endpoints.some((e, i) => e.stats.ok > w.okAtStart[i]! || (e.ready && !w.readyAtStart[i]));
      if (seen) w.resolve();
      return !seen;
    });
    if (this.waiters.length === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
