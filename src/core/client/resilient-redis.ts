import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import type { ChainableCommander, Command } from 'ioredis';
import type { Observable } from 'rxjs';
import type { CommandRouter } from '../command/command-router.js';
import { Commander } from '../connection/ioredis-internals.js';
import type { Endpoint } from '../endpoint/endpoint.js';
import { ClientClosedError } from '../errors/client-closed.error.js';
import type { EventBus } from '../events/event-bus.js';
import type { ResilienceEvent } from '../events/resilience-event.js';
import type { ClientHealthSnapshot } from '../health/client-health.js';
import type { ResilientRedisOptions } from '../options/resilient-redis-options.js';
import { resolveOptions, type ResolvedOptions } from '../options/validate-options.js';
import type { ClientStatus } from './client-status.js';
import { ClientLifecycle } from './client-lifecycle.js';
import type { ClientSession } from './client-session.js';
import { healthSnapshot } from './client-health-snapshot.js';
import { fanOut, fanOutRule, scanEveryNode } from './cluster-fan-out.js';
import { duplicateOptions } from './duplicate-options.js';
import { asRedisFlavour, brand, clusterFlavourOf, isResilientRedis } from './client-identity.js';
import { attachCallback, detachCallback } from './node-callback.js';
import { endpointsFor, ResilientNode, type NodeRole } from './node-client.js';
import { hideSecrets, redactOptions } from './redacted-view.js';
import { createPipeline, type PipelineRunner } from './resilient-pipeline.js';
import { defineScript } from './script-command.js';
import { Subscriber, isSubscriberCommand } from './subscriber.js';
import { createCrossSlotSplitter, type CrossSlotSplitter } from './cross-slot-split.js';
import { batchRefusal } from './batch-refusal.js';

export type { ClientStatus } from './client-status.js';

// ResilientRedis is an EventEmitter too (pub/sub 'message' events, lifecycle events), as
// ioredis's Redis is.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface ResilientRedis extends EventEmitter {}

/**
 * A Redis client with ioredis's command methods and typings, where every call goes through
 * one resilient path: routing, a per-shard breaker, an attempt timeout, a total deadline,
 * failure classification and retries only where they are safe. It passes for an ioredis
 * client: `instanceof Redis` (standalone, replication) or `instanceof Cluster` (cluster),
 * ioredis's `status` and lifecycle events, `duplicate()`, `nodes()`, `scanStream()`.
 */
export class ResilientRedis extends Commander<{ type: 'default' }> {
  readonly name: string;
  readonly mode: ResolvedOptions['mode'];
  /** @internal the validated options (contains the password: never serialize it). */
  readonly resolved: ResolvedOptions;
  private readonly lifecycle: ClientLifecycle;
  private subscriber: Subscriber | undefined;
  private readonly nodeClients = new WeakMap<Endpoint, ResilientNode>();
  private readonly crossSlot: CrossSlotSplitter | undefined;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return isResilientRedis(value);
  }

  constructor(options: ResilientRedisOptions) {
    super();
    // A copy: the validated options are frozen, and they need a view without the password.
    const resolved: ResolvedOptions = Object.freeze(hideSecrets({ ...resolveOptions(options) }, () => redactOptions(resolved)));
    if (resolved.mode === 'cluster') Object.setPrototypeOf(this, CLUSTER_PROTOTYPE);
    brand(this);
    EventEmitter.call(this as unknown as EventEmitter);
    this.resolved = resolved;
    this.name = resolved.name;
    this.mode = resolved.mode;
    this.options = { keyPrefix: resolved.keyPrefix, showFriendlyErrorStack: false };
    // ioredis Cluster keeps the per-node options here; bullmq reads and re-passes them to duplicate().
    if (resolved.mode === 'cluster') (this.options as Record<string, unknown>).redisOptions = {};
    this.lifecycle = new ClientLifecycle(resolved, {
      emit: (event, ...args) => this.emit(event, ...args),
      listenerCount: (event) => this.listenerCount(event),
      closeSubscriber: () => {
        this.subscriber?.close();
        this.subscriber = undefined;
      },
    });
    // Each part of a split cross-slot call is an ordinary command of the current session.
    this.crossSlot = createCrossSlotSplitter(resolved, (c, slot) => this.session.executor.execute(c, slot));
    if (!resolved.lazyConnect) this.connect().catch(() => {});
  }

  /** Typed stream of state transitions and retries. Completes when the client closes. */
  get events$(): Observable<ResilienceEvent> {
    return this.session.bus.events$;
  }

  private get session(): ClientSession {
    return this.lifecycle.session;
  }

  /** @internal */
  get bus(): EventBus {
    return this.session.bus;
  }

  /** @internal */
  get router(): CommandRouter {
    return this.session.router;
  }

  /** True for a cluster client, as on ioredis's `Cluster` (bullmq and socket.io check it). */
  get isCluster(): boolean {
    return this.mode === 'cluster';
  }

  /**
   * ioredis's status, over all the client's nodes (see `aggregateStatus`). Assignable, as on
   * an ioredis client (bullmq sets `'end'` after closing): the value holds until the client's
   * state next changes.
   */
  get status(): ClientStatus {
    return this.lifecycle.status;
  }

  set status(value: ClientStatus) {
    this.lifecycle.status = value;
  }

  /** @internal Every command method of ioredis ends up here. */
  override sendCommand(command: Command): unknown {
    const callback = detachCallback(command);
    return attachCallback(this.dispatch(command), callback);
  }

  private dispatch(command: Command): Promise<unknown> {
    if (this.lifecycle.ended) return Promise.reject(new ClientClosedError(this.name, command.name));
    if (isSubscriberCommand(command.name)) {
      this.subscriber ??= new Subscriber(this.resolved, this.router, this.bus, this);
      return this.subscriber.send(command) as Promise<unknown>;
    }
    if (this.lifecycle.phase === 'wait') this.connect().catch(() => {});
    const merge = this.mode === 'cluster' ? fanOutRule(command) : undefined;
    if (merge) return this.whenTopologyKnown().then(() => fanOut(command, this.nodes('master'), merge));
    return this.crossSlot?.trySplit(command) ?? this.session.executor.execute(command);
  }

  /** A cluster client knows no node before its first topology: fan-outs wait for it, bounded by connect(). */
  private whenTopologyKnown(): Promise<void> {
    return this.nodes('master').length > 0 ? Promise.resolve() : this.connect();
  }

  /**
   * Connects every endpoint. Resolves when the client can serve commands; rejects with a
   * `ConnectFailedError` that says why otherwise. The client keeps reconnecting in the
   * background after a rejection, so an app may start while Redis is down. Idempotent;
   * after `close()` or `disconnect()` it connects again, as ioredis does.
   */
  connect(): Promise<void> {
    return this.lifecycle.connect();
  }

  /** MONITOR on a connection of its own; resolves with it (it emits `monitor`), as ioredis does. */
  monitor(): Promise<import('ioredis').Redis> {
    return this.call('monitor') as Promise<import('ioredis').Redis>;
  }

  /** Defines a Lua script command (ioredis's `defineCommand`); pipelines and MULTI get it too. */
  override defineCommand(name: string, definition: { lua: string; numberOfKeys?: number; readOnly?: boolean }): void {
    super.defineCommand(name, definition);
    defineScript(this, name);
  }

  pipeline(commands?: unknown[][]): ChainableCommander {
    return this.batch(false, commands);
  }

  multi(commands?: unknown[][]): ChainableCommander {
    return this.batch(true, commands);
  }

  private batch(transaction: boolean, commands?: unknown[][]): ChainableCommander {
    const p = createPipeline(this.runner, transaction);
    if (commands) {
      for (const [name, ...args] of commands) (p as unknown as Record<string, (...a: unknown[]) => unknown>)[name as string]!(...args);
    }
    return p;
  }

  /** What every batch of this client runs through: one object per client, not per batch. */
  private readonly runner: PipelineRunner = {
    source: this,
    runPipeline: (queued, tx) => {
      if (this.lifecycle.ended) return Promise.reject(new ClientClosedError(this.name, tx ? 'multi' : 'pipeline'));
      const refused = batchRefusal(this.name, queued, tx, this.resolved.policy);
      if (refused) return Promise.reject(refused);
      // A batch as the first call of a lazy client must start it, as sendCommand does.
      if (this.lifecycle.phase === 'wait') this.connect().catch(() => {});
      return this.session.executor.executeBatch(queued, tx);
    },
  };

  /**
   * Per-node clients, as ioredis's `cluster.nodes(role)`: `'master'` for primaries, `'slave'`
   * for replicas in use, `'all'`. Each call goes through that node's breaker and deadlines.
   * Standalone and replication clients list their endpoints the same way.
   */
  nodes(role: NodeRole = 'all'): ResilientNode[] {
    const { router, bus } = this.session;
    return endpointsFor(router.endpoints(), role).map((e) => {
      let node = this.nodeClients.get(e);
      if (!node) {
        node = new ResilientNode(e, router, this.resolved, bus);
        this.nodeClients.set(e, node);
      }
      return node;
    });
  }

  /** SCAN as a stream of key batches; in cluster mode over every primary in turn. */
  scanStream(options: { match?: string; type?: string; count?: number } = {}): Readable {
    return scanEveryNode(this.nodes('master'), options);
  }

  /** Immutable snapshot per shard/endpoint: role, address, breaker state, queue depth. */
  health(): ClientHealthSnapshot {
    const { router, executor } = this.session;
    return healthSnapshot(this.resolved, this.lifecycle.phase, router, executor);
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
    return this.session.bus.recent(limit);
  }

  /**
   * Stops accepting commands, lets in-flight calls settle for up to `policy.closeDrainMs`,
   * then closes every connection. Calls made after this reject with `ClientClosedError`.
   */
  close(): Promise<void> {
    return this.lifecycle.close();
  }

  /** Alias of `close()` for ioredis compatibility. */
  override quit(): Promise<'OK'> {
    return this.close().then(() => 'OK' as const);
  }

  /**
   * Closes at once, without draining or QUIT (ioredis's `disconnect()`): in-flight calls
   * fail, `'end'` and `client.closed` follow within a tick or two. `reconnect: true`
   * connects again afterwards, as in ioredis.
   */
  disconnect(reconnect = false): void {
    this.lifecycle.disconnect(reconnect);
  }

  /**
   * A new client with the same options. Takes ioredis's connection options (see
   * `DUPLICATE_IOREDIS_OPTIONS`), in the `Redis.duplicate(options)` and the
   * `Cluster.duplicate(nodes, { redisOptions })` shapes, and this library's own options.
   * Throws `InvalidOptionsError` naming every option it does not support.
   */
  duplicate(overrides?: unknown, clusterOptions?: unknown): ResilientRedis {
    return new ResilientRedis(duplicateOptions(this.resolved, overrides, clusterOptions));
  }

  /** What `JSON.stringify` shows: no options, so no secret. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, mode: this.mode, status: this.status, nodes: this.router.endpoints().map((e) => e.id) };
  }

  /** What `util.inspect` and `console.log` show, at any depth: the same summary, no secret. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `ResilientRedis ${JSON.stringify(this.toJSON())}`;
  }
}

asRedisFlavour(ResilientRedis.prototype);
const CLUSTER_PROTOTYPE = clusterFlavourOf(ResilientRedis.prototype);

/** Creates a resilient client. Validates the options and throws `InvalidOptionsError` listing every problem. */
export function createResilientRedis(options: ResilientRedisOptions): ResilientRedis {
  return new ResilientRedis(options);
}
