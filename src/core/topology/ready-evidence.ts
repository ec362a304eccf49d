import type { Endpoint } from '../endpoint/endpoint.js';

/**
 * How often waiters look for the evidence that comes without a reply, ms: a connection back,
 * a breaker closed by its half-open probe, a waiter's own limit. The look is a few field reads
 * per waiter, with no network, and it only runs while some call waits. A success needs no
 * look: it releases its node's waiters at the reply itself.
 */
export const EVIDENCE_POLL_MS = 2;

interface Waiter {
  readonly endpoints: readonly Endpoint[];
  readonly readyAtStart: boolean[];
  readonly closedAtStart: boolean[];
  readonly expiresAt: number;
  readonly resolve: () => void;
  done: boolean;
}

/**
 * Releases calls that wait out a failure (CLUSTERDOWN, a reconnect, a timeout, LOADING, a
 * failover hold) on evidence that a retry can succeed, instead of on their own jittered
 * backoff:
 * - a success on the node they failed on (another call got through, so the server serves
 *   again): released in the same turn of the event loop as that reply, with no timer between,
 *   so that a loaded machine adds no poll delay to the release, and their retries written to
 *   the node in one go;
 * - its connection coming back (a reconnect);
 * - its breaker closing (its half-open probe got through, with no user call needed).
 * When the server accepts again, every waiter follows at once, rather than 100-400 ms later
 * when its backoff happens to end (DESIGN §10, the physical floor).
 */
export class ReadyEvidence {
  private waiters: Waiter[] = [];
  /** Waiters not yet released, by the endpoint a success on which releases them. */
  private readonly byEndpoint = new Map<Endpoint, Set<Waiter>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** A waiter nobody released is dropped after this by default, ms: its call has moved on by then. */
    private readonly maxWaitMs: number,
    private readonly pollMs = EVIDENCE_POLL_MS,
  ) {}

  /**
   * Resolves on the next success on one of `endpoints`, when one that was down reconnects, or
   * when one whose breaker was not closed closes; at the latest after `maxWaitMs` (how long
   * the caller waits at most: a longer-lived waiter would only cost the poll).
   */
  next(endpoints: readonly Endpoint[], maxWaitMs = this.maxWaitMs): Promise<void> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        endpoints,
        readyAtStart: endpoints.map((e) => e.ready),
        closedAtStart: endpoints.map((e) => e.breaker.isClosed),
        expiresAt: performance.now() + maxWaitMs,
        resolve,
        done: false,
      };
      this.waiters.push(waiter);
      for (const e of endpoints) this.listen(e).add(waiter);
      this.timer ??= setInterval(() => this.check(), this.pollMs).unref();
    });
  }

  /** Waiters now. */
  get waiting(): number {
    return this.waiters.filter((w) => !w.done).length;
  }

  /** Releases every waiter (the client is closing). */
  stop(): void {
    for (const w of this.waiters) this.release(w);
    this.waiters = [];
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The waiters of `endpoint`, listening to its successes while there are any. */
  private listen(endpoint: Endpoint): Set<Waiter> {
    let set = this.byEndpoint.get(endpoint);
    if (!set) {
      set = new Set();
      this.byEndpoint.set(endpoint, set);
      endpoint.stats.onSuccess = () => this.succeeded(endpoint);
    }
    return set;
  }

  private succeeded(endpoint: Endpoint): void {
    const set = this.byEndpoint.get(endpoint);
    if (!set) return;
    // The released calls retry on this node within this tick, one socket write each: on a
    // busy machine a hundred write calls cost as much as the wait they end. Corked until the
    // tick's promise jobs have run, they leave in one write.
    if (set.size > 1) endpoint.holdWritesForTick();
    // Released waiters leave the list at the next poll: a burst of successes costs no sweep
    // each. (Deleting the entry being visited is safe while iterating a Set.)
    for (const w of set) this.release(w);
  }

  private release(w: Waiter): void {
    if (w.done) return;
    w.done = true;
    w.resolve();
    for (const e of w.endpoints) {
      const set = this.byEndpoint.get(e);
      if (!set) continue;
      set.delete(w);
      if (set.size === 0) {
        this.byEndpoint.delete(e);
        e.stats.onSuccess = undefined;
      }
    }
  }

  private check(): void {
    const now = performance.now();
    for (const w of this.waiters) {
      const seen =
        now >= w.expiresAt || w.endpoints.some((e, i) => (e.ready && !w.readyAtStart[i]) || (e.breaker.isClosed && !w.closedAtStart[i]));
      if (seen) this.release(w);
    }
    this.waiters = this.waiters.filter((w) => !w.done);
    if (this.waiters.length === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
