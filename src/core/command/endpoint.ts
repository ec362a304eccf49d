import type { Redis } from 'ioredis';
import type { ShardBreaker } from '../breaker/shard-breaker.js';
import { AttemptFailure } from '../breaker/shard-breaker.js';
import { classifyFailure } from '../policy/classify-failure.js';
import { SCENARIO_TRAITS, type FailureClass } from '../policy/failure-scenario.js';
import { QueueFullError } from '../errors/queue-full.error.js';
import { EndpointStats } from './endpoint-stats.js';
import type { Command } from 'ioredis';

export type EndpointRole = 'primary' | 'replica';

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout | undefined;
}

/** Why a wait for readiness ended without the node becoming ready. */
export class WaitExpired {
  /** `retired`: the endpoint was swapped out (failover); the call was not sent and may go elsewhere. */
  constructor(readonly reason: 'deadline' | 'closed' | 'retired') {}
}

/**
 * The node did not become ready within the call's deadline: as much evidence of an outage as
 * a refused connection, and nothing was sent.
 */
const NODE_UNREACHABLE: FailureClass = Object.freeze({
  scenario: 'connection',
  execution: 'not-executed',
  ...SCENARIO_TRAITS.connection,
});

/**
 * Our own refusal (client closed, endpoint retired, budget used up): the node did nothing
 * wrong, so it must not count against its breaker. The executor looks at the wrapped
 * `WaitExpired` before the class, so the class never drives a retry.
 */
const OWN_REFUSAL: FailureClass = Object.freeze({
  scenario: 'closed',
  execution: 'not-executed',
  ...SCENARIO_TRAITS.closed,
});

/** A `WaitExpired` wrapped for the breaker as something that is not the node's fault. */
export function ownRefusal(reason: WaitExpired['reason']): AttemptFailure {
  return new AttemptFailure(new WaitExpired(reason), OWN_REFUSAL);
}

/**
 * One Redis node as the command path sees it: its connection, its breaker, a bounded queue
 * of calls waiting for it to become ready, and plain-number stats.
 */
export class Endpoint {
  readonly stats = new EndpointStats();
  private readonly waiters: Waiter[] = [];
  private closed = false;
  private retired = false;
  /** Address currently connected to, `host:port`. */
  readonly id: string;
  /** Wall-clock ms when this node's breaker first opened in the current failure episode, else 0. */
  failingSince = 0;
  /** Wall-clock ms when the connection was last lost, 0 while connected. */
  lostAt = 0;
  /** Set while the wait queue overflows, so the overflow is reported once per episode. */
  overflowing = false;

  constructor(
    readonly client: Redis,
    readonly breaker: ShardBreaker,
    public role: EndpointRole,
    private readonly maxQueueLength: number,
    private readonly clientName: string,
    /** A stable label: the shard's slot range in cluster mode, the endpoint name otherwise. */
    public label: string,
  ) {
    this.id = `${client.options.host}:${client.options.port}`;
    client.on('ready', () => this.flushWaiters());
  }

  get ready(): boolean {
    return this.client.status === 'ready';
  }

  /**
   * Sends one attempt. Rejects with `AttemptFailure` so the breaker can tell user errors
   * (never counted) from node failures.
   */
  send(command: Command, timeoutMs: number): Promise<unknown> {
    // Armed only here, once the command is really handed to ioredis: a timer on a command
    // that never gets sent would reject a promise nobody listens to.
    if (timeoutMs > 0) command.setTimeout(timeoutMs);
    return (this.client.sendCommand(command) as Promise<unknown>).catch(toAttemptFailure);
  }

  /**
   * Resolves when the connection is ready. Waits at most until `deadline` (performance.now
   * ms); rejects at once with `QueueFullError` when too many calls already wait.
   */
  waitReady(deadline: number): Promise<void> {
    if (this.closed) return Promise.reject(new WaitExpired(this.retired ? 'retired' : 'closed'));
    if (this.ready) return Promise.resolve();
    const full = this.queueFullError();
    if (full) return Promise.reject(full);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, timer: undefined };
      // A call that blocks forever by request (BLPOP 0) has no deadline: setTimeout would
      // clamp Infinity to 1 ms and expire the wait at once.
      if (Number.isFinite(deadline)) {
        waiter.timer = setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(new WaitExpired('deadline'));
        }, Math.max(0, deadline - performance.now()));
      }
      this.waiters.push(waiter);
    });
  }

  /**
   * `waitReady` for use inside the breaker: rejects with an `AttemptFailure` that counts
   * against the node only when the wait timed out and the node is still not ready.
   */
  readyForAttempt(deadline: number): Promise<void> {
    return this.waitReady(deadline).catch((error: unknown) => {
      if (error instanceof WaitExpired && error.reason === 'deadline' && !this.ready) {
        throw new AttemptFailure(error, NODE_UNREACHABLE);
      }
      throw new AttemptFailure(error, OWN_REFUSAL);
    });
  }

  /**
   * The error a new waiter would get right now, if the queue is full; counted as an overflow.
   * Checked before an attempt enters the breaker: our own refusal is neither a success nor
   * a failure of the node, and opossum has no third outcome.
   */
  queueFullError(): QueueFullError | undefined {
    if (this.closed || this.ready || this.waiters.length < this.maxQueueLength) return undefined;
    this.stats.overflows++;
    return new QueueFullError({ client: this.clientName, node: this.id }, this.maxQueueLength);
  }

  get queueDepth(): number {
    return this.waiters.length;
  }

  private flushWaiters(): void {
    this.overflowing = false;
    const waiting = this.waiters.splice(0);
    for (const w of waiting) {
      clearTimeout(w.timer);
      w.resolve();
    }
  }

  /**
   * Swapped out by a failover: calls waiting for it are released to be routed again (they
   * were never sent). In-flight calls settle on the old connection.
   */
  retire(): void {
    this.retired = true;
    this.closed = true;
    this.rejectWaiters('retired');
  }

  /** Rejects every waiter and disposes of the breaker. In-flight commands settle with their own errors. */
  close(): void {
    if (!this.closed) this.rejectWaiters('closed');
    this.closed = true;
    this.breaker.dispose();
  }

  private rejectWaiters(reason: 'closed' | 'retired'): void {
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new WaitExpired(reason));
    }
  }
}

function toAttemptFailure(error: unknown): never {
  throw new AttemptFailure(error, classifyFailure(error, { sent: true }));
}
