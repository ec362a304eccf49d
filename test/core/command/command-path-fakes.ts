// Fakes for unit tests of the command path: an endpoint, a breaker and a router, each with
// just the surface the attempt loop uses, recording what was done to them. No server.
import type { Command } from 'ioredis';
import { AttemptFailure, BreakerRejection, type ShardBreaker } from '../../../src/core/breaker/shard-breaker.js';
import { EndpointStats } from '../../../src/core/endpoint/endpoint-stats.js';
import type { CommandRouter } from '../../../src/core/command/command-router.js';
import type { Endpoint } from '../../../src/core/endpoint/endpoint.js';
import type { BreakerStateName } from '../../../src/core/events/resilience-event.js';
import type { FailureClass } from '../../../src/core/policy/failure-scenario.js';

export class FakeBreaker implements ShardBreaker {
  state: BreakerStateName = 'closed';
  successes = 0;
  failures = 0;
  /** When set, `run` refuses with this retry-after (a half-open breaker with its probe out). */
  busyRetryAfterMs: number | undefined;
  get isClosed(): boolean {
    return this.state === 'closed';
  }
  run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.state === 'open') return Promise.reject(new BreakerRejection(100));
    if (this.busyRetryAfterMs !== undefined) return Promise.reject(new BreakerRejection(this.busyRetryAfterMs));
    return fn().then(
      (v) => {
        this.successes++;
        return v;
      },
      (e: unknown) => {
        if (e instanceof AttemptFailure && e.failure.countsAgainstBreaker) this.failures++;
        throw e;
      },
    );
  }
  recordSuccess(): void {
    this.successes++;
  }
  recordFailure(): void {
    this.failures++;
  }
  retryAfterMs(): number {
    return this.state === 'open' ? 100 : 0;
  }
  failureRate(): number {
    return 0;
  }
  noteRecovered(): void {}
  forceOpen(): void {
    this.state = 'open';
  }
  forceClose(): void {
    this.state = 'closed';
  }
  dispose(): void {}
}

/** An endpoint whose connection is always ready (or not), with a real stats object. */
export class FakeEndpoint {
  readonly stats = new EndpointStats();
  readonly breaker = new FakeBreaker();
  ready = true;
  holding = 0;
  shed = 0;
  overflowNoted = 0;
  readonly connectionEpoch = 1;
  constructor(readonly id: string) {}
  get acceptsTraffic(): boolean {
    return this.ready && this.breaker.isClosed;
  }
  get queueDepth(): number {
    return 0;
  }
  queueFullError(): undefined {
    return undefined;
  }
  readyForAttempt(): Promise<void> {
    return Promise.resolve();
  }
  shedWaiters(): void {
    this.shed++;
  }
  beginHold(limit: number): boolean {
    if (this.holding >= limit) return false;
    this.holding++;
    return true;
  }
  endHold(): void {
    this.holding--;
  }
  noteOverflow(): boolean {
    return this.overflowNoted++ === 0;
  }
  asEndpoint(): Endpoint {
    return this as unknown as Endpoint;
  }
}

/** A router that sends everything to `primary` and reads, when asked to fall back, to `fallbackTo`. */
export class FakeRouter implements CommandRouter {
  readonly failures: Array<{ node: string; scenario: string }> = [];
  fallbackTo: FakeEndpoint | undefined;
  failover: Promise<void> | undefined;
  constructor(public primary: FakeEndpoint) {}
  route(_command: Command, _isRead: boolean, _previous: FailureClass | undefined): Endpoint {
    return this.primary.asEndpoint();
  }
  fallback(_from: Endpoint, _command: Command, isRead: boolean): Endpoint | undefined {
    return isRead ? this.fallbackTo?.asEndpoint() : undefined;
  }
  onFailure(endpoint: Endpoint, failure: FailureClass): void {
    this.failures.push({ node: endpoint.id, scenario: failure.scenario });
  }
  failoverInProgress(): Promise<void> | undefined {
    return this.failover;
  }
  endpoints(): readonly Endpoint[] {
    return [this.primary.asEndpoint()];
  }
  connect(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}
