import type { ResolvedOptions } from '../options/validate-options.js';
import { openSession, type ClientSession } from './client-session.js';
import { aggregateStatus, type ClientPhase, type ClientStatus } from './client-status.js';

/** What the lifecycle needs from the client it runs: ioredis-style events and its subscriber. */
export interface LifecycleHost {
  emit(event: string, ...args: unknown[]): boolean;
  listenerCount(event: string): number;
  /** Ends the pub/sub connection (close) or forgets it (a new session subscribes afresh). */
  closeSubscriber(): void;
}

/**
 * A client's life, as ioredis clients live it: connect on construction (unless lazy), the
 * status and events ioredis emits, close or disconnect, and connect again after either.
 * Each connect-to-close span is one `ClientSession`.
 */
export class ClientLifecycle {
  session: ClientSession;
  phase: ClientPhase = 'wait';
  private assignedStatus: ClientStatus | undefined;
  private lastStatus: ClientStatus = 'wait';
  private connecting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private backgroundConnect: NodeJS.Timeout | undefined;
  private backgroundDelayMs = 250;

  constructor(
    private readonly resolved: ResolvedOptions,
    private readonly host: LifecycleHost,
  ) {
    this.session = this.open();
  }

  /** Closing or closed: calls are refused with ClientClosedError. */
  get ended(): boolean {
    return this.phase === 'closing' || this.phase === 'closed';
  }

  get status(): ClientStatus {
    return this.assignedStatus ?? aggregateStatus(this.phase, this.session.router.endpoints());
  }

  /** Libraries assign it (bullmq sets `'end'` after closing); it holds until the state next changes. */
  set status(value: ClientStatus) {
    this.assignedStatus = value;
  }

  private open(): ClientSession {
    const session = openSession(this.resolved);
    session.bus.events$.subscribe((e) => {
      if (e.type === 'connection.lost' || e.type === 'connection.restored') this.changed();
    });
    return session;
  }

  /** Emits ioredis's lifecycle events when the aggregated status moves. */
  private changed(): void {
    this.assignedStatus = undefined;
    const now = this.status;
    const before = this.lastStatus;
    if (now === before) return;
    this.lastStatus = now;
    const host = this.host;
    if (now === 'ready') {
      host.emit('connect');
      host.emit('ready');
    } else if (now === 'reconnecting' && before === 'ready') {
      host.emit('close');
      host.emit('reconnecting', 0);
    } else if (now === 'end') {
      if (before !== 'close') host.emit('close');
      host.emit('end');
    } else if (now === 'close') {
      host.emit('close');
    }
  }

  /** ioredis prints unhandled 'error' events instead of throwing; so do we (through the logger). */
  private emitError(error: unknown): void {
    if (this.host.listenerCount('error') > 0) this.host.emit('error', error);
    else this.session.logger.warn(`Unhandled error event: ${error instanceof Error ? error.message : String(error)}`);
  }

  connect(): Promise<void> {
    if (this.phase === 'closing') return this.closing!.then(() => this.connect());
    if (this.phase === 'closed') this.reopen();
    if (this.phase === 'ready') return Promise.resolve();
    if (!this.connecting) {
      this.phase = 'connecting';
      this.changed();
      const session = this.session;
      this.connecting = session.router.connect().then(
        () => {
          if (this.phase === 'connecting' && this.session === session) {
            this.phase = 'ready';
            session.bus.emit({ type: 'client.ready' });
            this.changed();
          }
        },
        (error: unknown) => {
          this.connecting = undefined;
          this.retryConnectInBackground();
          this.emitError(error);
          throw error;
        },
      );
    }
    return this.connecting;
  }

  private reopen(): void {
    this.session = this.open();
    this.phase = 'wait';
    this.closing = undefined;
    this.connecting = undefined;
    this.backgroundDelayMs = 250;
  }

  /**
   * After a failed `connect()` the connections keep retrying on their own; this notices when
   * the client is usable again, so `status` turns `ready` and `client.ready` is emitted.
   */
  private retryConnectInBackground(): void {
    if (this.backgroundConnect || this.phase !== 'connecting') return;
    const delay = this.backgroundDelayMs;
    this.backgroundDelayMs = Math.min(delay * 2, this.resolved.policy.reconnectMaxMs * 5);
    this.backgroundConnect = setTimeout(
      () => {
        this.backgroundConnect = undefined;
        if (this.phase !== 'connecting' || this.connecting) return;
        // A failure lands in connect()'s handler, which schedules the next try.
        this.connect().catch(() => {});
      },
      delay * (0.5 + Math.random() / 2),
    );
    this.backgroundConnect.unref();
  }

  close(): Promise<void> {
    if (this.phase === 'closed') return Promise.resolve();
    if (!this.closing) this.closing = this.shutDown(true);
    return this.closing;
  }

  disconnect(reconnect: boolean): void {
    if (this.phase !== 'closed' && !this.closing) this.closing = this.shutDown(false);
    if (reconnect) this.connect().catch(() => {});
  }

  private async shutDown(drain: boolean): Promise<void> {
    const session = this.session;
    this.phase = 'closing';
    this.changed();
    clearTimeout(this.backgroundConnect);
    this.backgroundConnect = undefined;
    if (drain) await session.executor.drain(this.resolved.policy.closeDrainMs);
    // Calls still in flight past the drain (or at once, without one) fail as closed, not as
    // whatever the closing connections and disposed breakers make of them.
    session.executor.close();
    this.host.closeSubscriber();
    // Without QUIT: the router's close would otherwise wait for each node's polite goodbye.
    if (!drain) for (const e of session.router.endpoints()) e.client.disconnect(false);
    // Before the first await: a disconnect() leaves no metric series behind, at once.
    session.detachMetrics();
    await session.router.close().catch(() => {});
    this.phase = 'closed';
    this.connecting = undefined;
    session.bus.emit({ type: 'client.closed' });
    this.changed();
    session.bus.complete();
  }
}
