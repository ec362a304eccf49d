import type { ChainableCommander, Command } from 'ioredis';
import type { Observable } from 'rxjs';
import { CommandExecutor } from '../command/command-executor.js';
import type { CommandRouter } from '../command/command-router.js';
import type { PipelineResult } from '../command/command-executor.js';
import { ClientClosedError } from '../errors/client-closed.error.js';
import { EventBus } from '../events/event-bus.js';
import type { ResilienceEvent } from '../events/resilience-event.js';
import { createConsoleLogger } from '../events/resilience-logger.js';
import type { ClientHealthSnapshot } from '../health/client-health.js';
import type { ResilientRedisOptions } from '../options/resilient-redis-options.js';
import { resolveOptions, type ResolvedOptions } from '../options/validate-options.js';
import { EndpointFactory } from '../endpoint/endpoint-factory.js';
import { createPipeline } from './resilient-pipeline.js';
import { createRouter } from './create-router.js';
import { attachClientMetrics } from '../metrics/client-metrics.js';
import { EventEmitter } from 'node:events';
import { Subscriber, isSubscriberCommand } from './subscriber.js';
import { Commander } from '../connection/ioredis-internals.js';
import { createCrossSlotSplitter, type CrossSlotSplitter } from './cross-slot-split.js';


// ResilientRedis is an EventEmitter too (pub/sub 'message' events), as ioredis's Redis is.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface ResilientRedis extends EventEmitter {}

export type ClientStatus = 'wait' | 'connecting' | 'ready' | 'closing' | 'closed';

/**
 * A Redis client with ioredis's command methods and typings, where every call goes through
 * one resilient path: routing, a per-shard breaker, an attempt timeout, a total deadline,
 * failure classification and retries only where they are safe.
 */
export class ResilientRedis extends Commander<{ type: 'default' }> {
  readonly name: string;
  readonly mode: ResolvedOptions['mode'];
  /** Typed stream of state transitions and retries. Costs nothing when nobody subscribes. */
  readonly events$: Observable<ResilienceEvent>;
  /** @internal */
  readonly bus: EventBus;
  /** @internal */
  readonly router: CommandRouter;
  /** @internal the validated options (contains the password: never serialize it). */
  readonly resolved: ResolvedOptions;
  private readonly executor: CommandExecutor;
  private readonly detachMetrics: () => void;
  private state: ClientStatus = 'wait';
  private connecting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private backgroundConnect: NodeJS.Timeout | undefined;
  private backgroundDelayMs = 250;
  private subscriber: Subscriber | undefined;
  private readonly crossSlot: CrossSlotSplitter | undefined;

  constructor(options: ResilientRedisOptions) {
    super();
    EventEmitter.call(this as unknown as EventEmitter);
    const resolved = resolveOptions(options);
    this.resolved = resolved;
    this.name = resolved.name;
    this.mode = resolved.mode;
    this.options = { keyPrefix: resolved.keyPrefix, showFriendlyErrorStack: false };
    this.bus = new EventBus(resolved.name, resolved.logger ?? createConsoleLogger());
    this.events$ = this.bus.events$;
    this.router = createRouter(resolved, new EndpointFactory(resolved, this.bus), this.bus);
    this.executor = new CommandExecutor(resolved.name, resolved.policy, this.router, this.bus);
    const router = this.router;
    const executor = this.executor;
    this.crossSlot = createCrossSlotSplitter(resolved, (c) => executor.execute(c));
    this.detachMetrics = attachClientMetrics(
      {
        client: resolved.name,
        *nodes() {
          for (const e of router.endpoints()) {
            yield { node: e.id, role: e.role, stats: e.stats, breaker: e.breaker.state, ready: e.ready, queueDepth: e.queueDepth };
          }
        },
        inFlight: () => executor.pending,
      },
      this.events$,
      resolved.metrics,
    );
  }

  get status(): ClientStatus {
    return this.state;
  }

  /** @internal Every command method of ioredis ends up here. */
  override sendCommand(command: Command): unknown {
    if (isSubscriberCommand(command.name)) {
      if (this.state === 'closing' || this.state === 'closed') return Promise.reject(new ClientClosedError(this.name, command.name));
      this.subscriber ??= new Subscriber(this.resolved, this.router, this.bus, this);
      return this.subscriber.send(command);
    }
    if (this.state === 'closing' || this.state === 'closed') {
      return Promise.reject(new ClientClosedError(this.name, command.name));
    }
    if (this.state === 'wait') this.connect().catch(() => {});
    return this.crossSlot?.trySplit(command) ?? this.executor.execute(command);
  }

  /**
   * Connects every endpoint. Resolves when the client can serve commands; rejects with a
   * `ConnectFailedError` that says why otherwise. The client keeps reconnecting in the
   * background after a rejection, so an app may start while Redis is down.
   */
  connect(): Promise<void> {
    if (this.state === 'closing' || this.state === 'closed') return Promise.reject(new ClientClosedError(this.name));
    if (this.state === 'ready') return Promise.resolve();
    if (!this.connecting) {
      this.state = 'connecting';
      this.connecting = this.router.connect().then(
        () => {
          if (this.state === 'connecting') {
            this.state = 'ready';
            this.bus.emit({ type: 'client.ready' });
          }
        },
        (error: unknown) => {
          this.connecting = undefined;
          this.retryConnectInBackground();
          throw error;
        },
      );
    }
    return this.connecting;
  }

  /**
   * After a failed `connect()` the connections keep retrying on their own; this notices when
   * the client is usable again, so `status` turns `ready` and `client.ready` is emitted.
   */
  private retryConnectInBackground(): void {
    if (this.backgroundConnect || this.state !== 'connecting') return;
    const delay = this.backgroundDelayMs;
    this.backgroundDelayMs = Math.min(delay * 2, this.resolved.policy.reconnectMaxMs * 5);
    this.backgroundConnect = setTimeout(() => {
      this.backgroundConnect = undefined;
      if (this.state !== 'connecting' || this.connecting) return;
      // A failure lands in connect()'s handler, which schedules the next try.
      this.connect().catch(() => {});
    }, delay * (0.5 + Math.random() / 2));
    this.backgroundConnect.unref();
  }


  pipeline(commands?: unknown[][]): ChainableCommander {
    return this.batch(false, commands);
  }

  multi(commands?: unknown[][]): ChainableCommander {
    return this.batch(true, commands);
  }

  private batch(transaction: boolean, commands?: unknown[][]): ChainableCommander {
    const runner = {
      options: this.options,
      runPipeline: (queued: Command[], tx: boolean): Promise<PipelineResult | null> => {
        if (this.state === 'closing' || this.state === 'closed') {
          return Promise.reject(new ClientClosedError(this.name, tx ? 'multi' : 'pipeline'));
        }
        // Connections are lazy: a batch as the first call must start them, as sendCommand does.
        if (this.state === 'wait') this.connect().catch(() => {});
        return this.executor.executeBatch(queued, tx);
      },
    };
    const p = createPipeline(runner, transaction);
    if (commands) {
      for (const [name, ...args] of commands) (p as unknown as Record<string, (...a: unknown[]) => unknown>)[name as string]!(...args);
    }
    return p;
  }

  /** Immutable snapshot per shard/endpoint: role, address, breaker state, queue depth. */
  health(): ClientHealthSnapshot {
    const nodes = this.router.endpoints().map((e) => ({
      address: e.id,
      role: e.role,
      label: e.label,
      connected: e.ready,
      breaker: e.breaker.state,
      failureRate: e.breaker.failureRate(),
      queueDepth: e.queueDepth,
    }));
    return Object.freeze({
      client: this.name,
      mode: this.mode,
      required: this.resolved.required,
      allowPartial: this.resolved.allowPartialAvailability ?? false,
      status: this.state === 'wait' ? 'connecting' : this.state,
      nodes: Object.freeze(nodes),
      inFlight: this.executor.pending,
      topologyAgeMs: this.router.topologyAgeMs?.(),
      dns: this.router.dnsView?.(),
      takenAt: Date.now(),
    });
  }

  /**
   * Operator override (as resilience4j allows): force the breaker of one node (`host:port`)
   * open or closed, or release a forced state. Returns false for an unknown node.
   */
  controlBreaker(node: string, action: 'open' | 'close'): boolean {
    const endpoint = this.router.endpoints().find((e) => e.id === node || e.label === node);
    if (!endpoint) return false;
    if (action === 'open') endpoint.breaker.forceOpen();
    else endpoint.breaker.forceClose();
    return true;
  }

  /** The most recent events, oldest first (for status pages). */
  recentEvents(limit?: number): ResilienceEvent[] {
    return this.bus.recent(limit);
  }

  /**
   * Stops accepting commands, lets in-flight calls settle for up to `policy.closeDrainMs`,
   * then closes every connection. Calls made after this reject with `ClientClosedError`.
   */
  close(): Promise<void> {
    if (!this.closing) {
      this.state = 'closing';
      clearTimeout(this.backgroundConnect);
      this.closing = (async () => {
        await this.executor.drain(this.resolved.policy.closeDrainMs);
        // Calls still in flight past the drain fail as closed, not as whatever the closing
        // connections and disposed breakers make of them.
        this.executor.close();
        this.subscriber?.close();
        await this.router.close();
        this.detachMetrics();
        this.state = 'closed';
        this.bus.emit({ type: 'client.closed' });
        this.bus.complete();
      })();
    }
    return this.closing;
  }

  /** MONITOR on a connection of its own; resolves with it (it emits `monitor`), as ioredis does. */
  monitor(): Promise<import('ioredis').Redis> {
    return this.call('monitor') as Promise<import('ioredis').Redis>;
  }

  /** Alias of `close()` for ioredis compatibility. */
  override quit(): Promise<'OK'> {
    return this.close().then(() => 'OK' as const);
  }

  /** Closes at once without draining (ioredis compatibility). */
  disconnect(): void {
    this.state = 'closing';
    this.executor.close();
    this.subscriber?.close();
    void this.router.close();
    this.detachMetrics();
    this.state = 'closed';
  }

  /** A new client with the same options (e.g. a dedicated connection for blocking commands). */
  duplicate(overrides: Partial<ResilientRedisOptions> = {}): ResilientRedis {
    return new ResilientRedis({ ...this.resolved, ...overrides } as ResilientRedisOptions);
  }
}

for (const key of Reflect.ownKeys(EventEmitter.prototype)) {
  if (key !== 'constructor' && !(key in ResilientRedis.prototype)) {
    Object.defineProperty(ResilientRedis.prototype, key, Object.getOwnPropertyDescriptor(EventEmitter.prototype, key)!);
  }
}

/** Creates a resilient client. Validates the options and throws `InvalidOptionsError` listing every problem. */
export function createResilientRedis(options: ResilientRedisOptions): ResilientRedis {
  return new ResilientRedis(options);
}
