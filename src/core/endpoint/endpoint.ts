import type { Redis } from 'ioredis';
import type { ShardBreaker } from '../breaker/shard-breaker.js';
import { AttemptFailure } from '../breaker/shard-breaker.js';
import { classifyFailure } from '../policy/classify-failure.js';
import { QueueFullError } from '../errors/queue-full.error.js';
import { EndpointStats } from './endpoint-stats.js';
import { AttemptTimer } from './attempt-timer.js';
import { Command } from 'ioredis';
import type { EventBus } from '../events/event-bus.js';
import { rejectUnanswered } from '../connection/ioredis-internals.js';
import { OneWrite } from '../connection/one-write.js';
import { BlockingPool } from './blocking-pool.js';
import { NODE_UNREACHABLE, OWN_REFUSAL, ownRefusal, sentFailure } from './attempt-failures.js';
import { FailoverEpisode } from './failover-episode.js';
import { WaitExpired, WaitQueue } from './wait-queue.js';

export { WaitExpired } from './wait-queue.js';
export { ownRefusal, sentFailure } from './attempt-failures.js';

export type EndpointRole = 'primary' | 'replica';

/**
 * Dedicated connections for blocking commands per node. Each holds one blocked call; past
 * this many, further blocking calls wait for one to free up (within their deadline).
 */
const MAX_BLOCKING_CONNECTIONS = 16;

/**
 * One Redis node as the command path sees it: its connection, its breaker, a bounded queue
 * of calls waiting for it to become ready, and plain-number stats. What it records of its
 * failover episode is in failover-episode.ts.
 */
export class Endpoint extends FailoverEpisode {
  readonly stats = new EndpointStats();
  private readonly waiters = new WaitQueue();
  private closed = false;
  private retired = false;
  private readonly timer: AttemptTimer;
  private blockingPool: BlockingPool | undefined;
  private epoch = 0;
  /** Write coalescing: the socket corked until the end of the current tick, if any. */
  private corked: Redis['stream'] | undefined;
  private readonly uncork = (): void => {
    // The stream that was corked, even if a reconnect has replaced it since.
    const stream = this.corked;
    this.corked = undefined;
    stream?.uncork();
  };

  constructor(
    readonly client: Redis,
    readonly breaker: ShardBreaker,
    public role: EndpointRole,
    private readonly maxQueueLength: number,
    private readonly clientName: string,
    /** A stable label: the shard's slot range in cluster mode, the endpoint name otherwise. */
    public label: string,
    /** Sweep interval of the attempt deadlines, ms: the precision of attempt timeouts. */
    timerTickMs: number,
    /**
     * Coalesce the writes of one tick into one socket write (`coalesceWrites`), the gain of
     * ioredis's auto-pipelining without building a pipeline per tick.
     */
    private readonly coalesceWrites: boolean,
    /** Where the endpoint reports its own failover episode (failover.detected / .recovered). */
    events?: Pick<EventBus, 'emit'>,
  ) {
    super(`${client.options.host}:${client.options.port}`, events);
    this.timer = new AttemptTimer(timerTickMs);
    client.on('ready', () => {
      this.epoch++;
      this.flushWaiters();
    });
    client.on('close', () => rejectUnanswered(client));
    client.on('error', (error: unknown) => this.onConnectionError(error));
  }

  /**
   * A failed (re)connect attempt (refused, connect timeout, name not resolved) is evidence of
   * an outage even when no call is in flight: a killed standalone node opens its breaker after
   * a few reconnect attempts, calls fail fast instead of queueing for their whole deadline,
   * and health shows it without traffic. Errors on an established socket are not counted
   * here: the calls they break are counted one by one.
   */
  private onConnectionError(error: unknown): void {
    if (this.closed || !this.breaker.isClosed) return;
    const failure = classifyFailure(error);
    if (failure.scenario === 'connection' && failure.execution === 'not-executed') {
      this.breaker.recordFailure(new AttemptFailure(error, failure));
      // opossum decides on its own promise chain; look once it has, and release the calls
      // that queued while the breaker was still closed.
      if (this.waiters.length > 0) setImmediate(() => this.breaker.state === 'open' && this.shedWaiters());
    }
  }

  /** Whether writes of one tick are coalesced into one socket write (`coalesceWrites`). */
  get coalescesWrites(): boolean {
    return this.coalesceWrites;
  }

  get ready(): boolean {
    return this.client.status === 'ready';
  }

  /**
   * Counts the connection's (re)connects: state a connection holds (a WATCH) is gone once it
   * changes.
   */
  get connectionEpoch(): number {
    return this.epoch;
  }

  /**
   * Connected and not cut off by its breaker: it may be tried (a half-open breaker lets its
   * one probe through). Routing falls back elsewhere when this is false.
   */
  get usable(): boolean {
    return this.client.status === 'ready' && this.breaker.state !== 'open';
  }

  /** Connected and its breaker closed: a call may be sent straight away (the fast lane). */
  get acceptsTraffic(): boolean {
    return this.client.status === 'ready' && this.breaker.isClosed;
  }

  /**
   * Sends a blocking command on a dedicated connection of its own (see blocking-pool.ts).
   * Rejects with `AttemptFailure`, as `send` does; a refusal to lease is our own, never the
   * node's fault.
   */
  sendBlocking(prepare: () => Command | undefined, deadline: number, connectTimeoutMs: number): Promise<unknown> {
    if (this.closed) return Promise.reject(ownRefusal(this.retired ? 'retired' : 'closed'));
    this.blockingPool ??= new BlockingPool(this.client, MAX_BLOCKING_CONNECTIONS, this.maxQueueLength);
    return this.blockingPool.send(prepare, deadline, connectTimeoutMs).catch((error: unknown) => {
      if (error === 'deadline' || error === 'closed') throw ownRefusal(error);
      if (error === 'full')
        throw new AttemptFailure(new QueueFullError({ client: this.clientName, node: this.id }, this.maxQueueLength), OWN_REFUSAL);
      throw sentFailure(error);
    });
  }

  /**
   * Sends one attempt. Rejects with `AttemptFailure` so the breaker can tell user errors
   * (never counted) from node failures.
   */
  send(command: Command, timeoutMs: number): Promise<unknown> {
    return this.sendRaw(command, timeoutMs).catch((error: unknown) => {
      throw sentFailure(error, command.name);
    });
  }

  /**
   * Sends one attempt and returns ioredis's own promise (rejecting with the raw error): the
   * fast lane wraps failures itself, so the success path allocates nothing extra.
   */
  sendRaw(command: Command, timeoutMs: number, now: number = performance.now(), coalesce = this.coalesceWrites): Promise<unknown> {
    // Armed only here, once the command is really handed to ioredis: a deadline on a
    // command that never gets sent would reject a promise nobody listens to.
    if (timeoutMs > 0) this.timer.arm(command, timeoutMs, now);
    if (coalesce) this.holdWritesForTick();
    return this.client.sendCommand(command) as Promise<unknown>;
  }

  /** Holds this connection's writes until the end of the tick: those made meanwhile leave in one write. */
  holdWritesForTick(): void {
    const stream = this.client.stream;
    if (this.corked || !stream) return;
    this.corked = stream;
    stream.cork();
    process.nextTick(this.uncork);
  }

  /**
   * Sends the commands of one pipeline in one socket write and returns ioredis's promise of
   * each (rejecting with the raw error). ioredis queues each reply as for a single command; no
   * ioredis `Pipeline` is built. Only the last command is armed with the attempt timeout:
   * Redis answers in order, so the last reply is the last to come, and when it is late the
   * attempt as a whole is (see pipeline-send.ts).
   */
  sendAllRaw(commands: readonly Command[], timeoutMs: number, now: number): Array<Promise<unknown>> {
    const writer = OneWrite.on(this.client);
    const replies: Array<Promise<unknown>> = [];
    for (let i = 0; i < commands.length; i++) {
      const command = commands[i]!;
      // As ioredis's Pipeline numbers its commands: a connection that closes mid-pipeline
      // aborts the commands after a partial answer instead of resending them.
      command.pipelineIndex = i;
      replies.push(this.client.sendCommand(command, writer) as Promise<unknown>);
    }
    // Pipelines of one tick share a write too, as single commands do.
    if (writer && this.coalesceWrites) this.holdWritesForTick();
    writer?.flush();
    const last = commands.at(-1);
    if (last && timeoutMs > 0) this.timer.arm(last, timeoutMs, now);
    return replies;
  }

  /**
   * A health probe through the breaker (PING). Used when the breaker half-opens, so that a
   * recovered node closes its breaker without waiting for user traffic.
   */
  probe(timeoutMs: number): void {
    if (this.closed || this.breaker.state !== 'half-open') return;
    const ping = new Command('ping', []);
    const attempt = (): Promise<unknown> => this.send(ping, timeoutMs);
    this.breaker.run(() => (this.ready ? attempt() : this.readyForAttempt(performance.now() + timeoutMs).then(attempt))).catch(() => {});
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
    return this.waiters.wait(deadline);
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
    this.overflowEnded();
    this.waiters.release();
  }

  /**
   * The breaker opened while calls waited for the connection: release them now instead of
   * letting each sit until its deadline. They were never sent; routed again, they fail fast
   * (or a read falls back elsewhere), and a thousand of them no longer expire in one burst
   * that delays every other timer in the process.
   */
  shedWaiters(): void {
    if (this.waiters.length > 0) this.rejectWaiters('shed');
  }

  /**
   * Swapped out by a failover: calls waiting for it are released to be routed again (they
   * were never sent). In-flight calls settle on the old connection.
   */
  retire(): void {
    this.retired = true;
    this.closed = true;
    this.rejectWaiters('retired');
    this.blockingPool?.close(false);
  }

  /** Rejects every waiter and disposes of the breaker. In-flight commands settle with their own errors. */
  close(): void {
    if (!this.closed) this.rejectWaiters('closed');
    this.closed = true;
    this.timer.stop();
    this.blockingPool?.close(true);
    this.breaker.dispose();
  }

  private rejectWaiters(reason: 'closed' | 'retired' | 'shed'): void {
    this.waiters.reject(reason);
  }
}
