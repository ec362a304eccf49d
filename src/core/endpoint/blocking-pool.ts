import type { Command, Redis } from 'ioredis';
import { createDedicatedConnection } from '../connection/connection-factory.js';
import { rejectUnanswered } from '../connection/ioredis-internals.js';

/** Why a lease was not granted. */
export type LeaseRefusal = 'deadline' | 'closed' | 'full';

interface LeaseWaiter {
  resolve(connection: Redis): void;
  reject(reason: LeaseRefusal): void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Dedicated connections for blocking commands, per node, bounded. On the shared connection a
 * BLPOP 4 holds every call behind it for 4 s: they time out, the breaker opens and readiness
 * reports a healthy node down. Here each blocking call has a connection to itself; the shared
 * one never waits on it, and a blocked connection is never evidence against the node.
 *
 * Connections are opened on demand, reused, and closed after `idleMs` unused. When `max` are
 * busy, further calls wait (bounded by their deadline and `maxWaiting`) for one to free up.
 */
export class BlockingPool {
  private readonly idle: Redis[] = [];
  private readonly busy = new Set<Redis>();
  private readonly waiters: LeaseWaiter[] = [];
  private readonly idleTimers = new Map<Redis, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly base: Redis,
    private readonly max: number,
    private readonly maxWaiting: number,
    private readonly idleMs = 30_000,
  ) {}

  /** Connections open (idle or busy). */
  get size(): number {
    return this.idle.length + this.busy.size;
  }

  /**
   * Sends a blocking command on a dedicated connection, waiting for one until `deadline`
   * (performance.now ms). `prepare` builds the command once the connection is ready, from
   * what is left of the budget then (its block and timer must fit what remains, not what
   * was left when the call asked); it returns undefined when too little is left to send.
   * Rejects with a `LeaseRefusal` string when the command was not sent, or with its error.
   */
  async send(prepare: () => Command | undefined, deadline: number, connectTimeoutMs: number): Promise<unknown> {
    const connection = await this.lease(deadline);
    let command: Command | undefined;
    try {
      if (connection.status !== 'ready') await this.ready(connection, Math.min(deadline, performance.now() + connectTimeoutMs));
      command = prepare();
    } catch (reason) {
      this.release(connection, true);
      throw reason;
    }
    if (!command) {
      this.release(connection, false);
      throw 'deadline' satisfies LeaseRefusal;
    }
    let failed = true;
    try {
      const reply = await connection.sendCommand(command);
      failed = false;
      return reply;
    } finally {
      // A connection whose command failed (timed out, reset) may still be blocked on the
      // server: never hand it to the next call. Closing it also unblocks the server side.
      this.release(connection, failed);
    }
  }

  private lease(deadline: number): Promise<Redis> {
    if (this.closed) return Promise.reject<Redis>('closed');
    const free = this.idle.pop();
    if (free) {
      clearTimeout(this.idleTimers.get(free));
      this.idleTimers.delete(free);
      this.busy.add(free);
      return Promise.resolve(free);
    }
    if (this.busy.size < this.max) {
      const opened = createDedicatedConnection(this.base, 'blocking');
      opened.on('close', () => rejectUnanswered(opened));
      // Errors reach the command that was on it; an idle connection's error needs a listener.
      opened.on('error', () => {});
      this.busy.add(opened);
      return Promise.resolve(opened);
    }
    if (this.waiters.length >= this.maxWaiting) return Promise.reject<Redis>('full');
    return new Promise<Redis>((resolve, reject) => {
      const waiter: LeaseWaiter = { resolve, reject, timer: undefined };
      if (Number.isFinite(deadline)) {
        waiter.timer = setTimeout(
          () => {
            const i = this.waiters.indexOf(waiter);
            if (i >= 0) this.waiters.splice(i, 1);
            reject('deadline');
          },
          Math.max(0, deadline - performance.now()),
        );
      }
      this.waiters.push(waiter);
    });
  }

  private ready(connection: Redis, until: number): Promise<void> {
    if (connection.status === 'wait') connection.connect().catch(() => {});
    return new Promise<void>((resolve, reject) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        connection.off('ready', onReady);
        connection.off('end', onEnd);
        if (ok) resolve();
        else reject(this.closed ? 'closed' : 'deadline');
      };
      const onReady = (): void => done(true);
      const onEnd = (): void => done(false);
      const timer = setTimeout(() => done(false), Math.max(0, until - performance.now()));
      connection.once('ready', onReady);
      connection.once('end', onEnd);
    });
  }

  private release(connection: Redis, discard: boolean): void {
    this.busy.delete(connection);
    if (discard || this.closed) {
      connection.disconnect();
      // The slot freed: a waiter may open a new connection.
      const waiter = this.waiters.shift();
      if (waiter) {
        clearTimeout(waiter.timer);
        this.lease(Infinity).then(waiter.resolve, waiter.reject);
      }
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      this.busy.add(connection);
      waiter.resolve(connection);
      return;
    }
    this.idle.push(connection);
    const timer = setTimeout(() => {
      this.idleTimers.delete(connection);
      const i = this.idle.indexOf(connection);
      if (i >= 0) this.idle.splice(i, 1);
      connection.disconnect();
    }, this.idleMs);
    timer.unref();
    this.idleTimers.set(connection, timer);
  }

  /**
   * Closes idle connections now. Busy ones are closed too when `now`; otherwise (a failover
   * swapped the node out) their blocked calls finish on them first.
   */
  close(now: boolean): void {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject('closed');
    }
    for (const timer of this.idleTimers.values()) clearTimeout(timer);
    this.idleTimers.clear();
    for (const connection of this.idle.splice(0)) connection.disconnect();
    if (now) for (const connection of this.busy) connection.disconnect();
  }
}
