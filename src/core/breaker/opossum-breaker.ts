// The only file that imports opossum: its states and events are mapped to ours here, so a
// version change of opossum stays in this file.
import CircuitBreaker from 'opossum';
import type { BreakerOptions } from '../options/policy-options.js';
import type { BreakerStateName } from '../events/resilience-event.js';
import { AttemptFailure, BreakerRejection, type BreakerListener, type ShardBreaker } from './shard-breaker.js';

type Action = (fn: () => Promise<unknown>) => Promise<unknown>;
const invoke: Action = (fn) => fn();
const notCounted = (failure: unknown): boolean => failure instanceof AttemptFailure && !failure.failure.countsAgainstBreaker;

/** A per-shard breaker backed by opossum 9. */
class OpossumBreaker implements ShardBreaker {
  private readonly circuit: CircuitBreaker<[() => Promise<unknown>], unknown>;
  private openedAt = 0;
  private forced = false;
  private transitionForced = false;
  private silent = false;
  private consecutive = 0;
  private readonly status: { increment(property: string): void };
  private successesAtLastFailure = -1;

  constructor(
    private readonly options: Readonly<BreakerOptions>,
    listener: BreakerListener,
  ) {
    this.circuit = new CircuitBreaker(invoke, {
      // Attempt deadlines are enforced by ioredis's own per-command timer; a second timer
      // per call here would double the cost of every command.
      timeout: false,
      errorThresholdPercentage: options.errorThresholdPercentage,
      volumeThreshold: options.volumeThreshold,
      rollingCountTimeout: options.rollingWindowMs,
      rollingCountBuckets: 10,
      resetTimeout: options.resetTimeoutMs,
      errorFilter: notCounted,
      // Per-call latency arrays and periodic snapshots cost memory and CPU on every command;
      // our own stats and metrics cover latency.
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
    });
    this.status = this.circuit.status as unknown as { increment(property: string): void };
    this.circuit.on('open', () => {
      this.openedAt = Date.now();
      if (this.silent) return;
      listener.opened(this.failureRate(), this.transitionForced);
    });
    this.circuit.on('halfOpen', () => {
      if (this.forced) {
        // An operator holds it open: go straight back without letting a probe through.
        this.silent = true;
        this.circuit.open();
        this.silent = false;
        return;
      }
      listener.halfOpened();
    });
    this.circuit.on('close', () => listener.closed(this.transitionForced));
    // Consecutive failures, tracked on the failure path only: a success in between shows up
    // as a changed success count in the rolling window, so the hot path pays nothing.
    this.circuit.on('failure', () => {
      const successes = this.circuit.stats.successes;
      this.consecutive = successes === this.successesAtLastFailure ? this.consecutive + 1 : 1;
      this.successesAtLastFailure = successes;
      if (this.consecutive >= options.consecutiveFailuresToOpen && !this.circuit.opened) this.circuit.open();
    });
    this.circuit.on('open', () => {
      this.consecutive = 0;
      this.successesAtLastFailure = -1;
    });
  }

  get state(): BreakerStateName {
    if (this.circuit.opened) return 'open';
    if (this.circuit.halfOpen) return 'half-open';
    return 'closed';
  }

  get isClosed(): boolean {
    return this.circuit.closed;
  }

  recordSuccess(): void {
    // The same two counters opossum bumps for a successful fire(), without its per-call
    // promise, event emissions and timestamps: the closed-state hot path costs two increments.
    this.status.increment('fires');
    this.status.increment('successes');
  }

  recordFailure(failure: AttemptFailure): void {
    // Failures take opossum's own path, so its threshold logic decides whether to open.
    this.circuit.fire(() => Promise.reject(failure)).catch(() => {});
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.circuit.opened) return Promise.reject(new BreakerRejection(this.retryAfterMs()));
    return (this.circuit.fire(fn) as Promise<T>).catch((error: unknown) => {
      if (error instanceof AttemptFailure) throw error;
      // opossum's own "Breaker is open" (a half-open breaker with its probe in flight).
      throw new BreakerRejection(this.retryAfterMs());
    });
  }

  retryAfterMs(): number {
    if (!this.circuit.opened) return this.circuit.halfOpen ? this.options.resetTimeoutMs : 0;
    return Math.max(0, this.openedAt + this.options.resetTimeoutMs - Date.now());
  }

  failureRate(): number {
    const s = this.circuit.stats;
    return s.fires > 0 ? Math.round((s.failures / s.fires) * 1000) / 10 : 0;
  }

  noteRecovered(): void {
    if (!this.forced && !this.circuit.closed) this.circuit.close();
  }

  forceOpen(): void {
    this.forced = true;
    this.transitionForced = true;
    this.circuit.open();
    this.transitionForced = false;
  }

  forceClose(): void {
    this.forced = false;
    this.transitionForced = true;
    this.circuit.close();
    this.transitionForced = false;
  }

  dispose(): void {
    this.circuit.removeAllListeners();
    this.circuit.shutdown();
  }
}

export function createShardBreaker(options: Readonly<BreakerOptions>, listener: BreakerListener): ShardBreaker {
  return new OpossumBreaker(options, listener);
}
