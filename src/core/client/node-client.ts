import type { Command } from 'ioredis';
import { Commander, ScanStream } from '../connection/ioredis-internals.js';
import { CommandExecutor } from '../command/command-executor.js';
import type { CommandRouter } from '../command/command-router.js';
import type { Endpoint } from '../endpoint/endpoint.js';
import type { EventBus } from '../events/event-bus.js';
import type { ResolvedOptions } from '../options/validate-options.js';
import type { FailureClass } from '../policy/failure-scenario.js';
import { attachCallback, detachCallback } from './node-callback.js';

/** ioredis's node roles for `Cluster.nodes(role)`. */
export type NodeRole = 'all' | 'master' | 'slave';

/**
 * Routes every attempt to one endpoint. Failures still reach the client's own router, so a
 * node that fails a per-node call triggers the same refresh or re-resolve as any other call.
 */
class PinnedRouter implements CommandRouter {
  private readonly only: readonly Endpoint[];

  constructor(
    private readonly endpoint: Endpoint,
    private readonly parent: CommandRouter,
  ) {
    this.only = [endpoint];
  }

  route(): Endpoint {
    return this.endpoint;
  }

  fallback(): undefined {
    return undefined;
  }

  onFailure(endpoint: Endpoint, failure: FailureClass): void {
    this.parent.onFailure(endpoint, failure);
  }

  endpoints(): readonly Endpoint[] {
    return this.only;
  }

  connect(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * One node of a client, as ioredis's `cluster.nodes()` returns them: ioredis's typed command
 * methods, with every call through that node's breaker, attempt timeout, deadline and retry
 * policy. It shares the node's connection; closing it is the owning client's job.
 */
export class ResilientNode extends Commander<{ type: 'default' }> {
  private readonly executor: CommandExecutor;

  constructor(
    readonly endpoint: Endpoint,
    router: CommandRouter,
    options: ResolvedOptions,
    bus: EventBus,
  ) {
    super();
    this.options = { keyPrefix: options.keyPrefix, showFriendlyErrorStack: false };
    this.executor = new CommandExecutor(options.name, options.policy, new PinnedRouter(endpoint, router), bus);
  }

  /** ioredis's status for this node's connection. */
  get status(): string {
    return this.endpoint.client.status;
  }

  /** `host:port` of the node. */
  get address(): string {
    return this.endpoint.id;
  }

  /** @internal */
  override sendCommand(command: Command): unknown {
    const callback = detachCallback(command);
    return attachCallback(this.executor.execute(command), callback);
  }

  /** What `JSON.stringify` shows: the node, never the connection (which holds the password). */
  toJSON(): Record<string, unknown> {
    return { address: this.address, role: this.endpoint.role, status: this.status };
  }

  /** What `util.inspect` shows, at any depth. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `ResilientNode ${JSON.stringify(this.toJSON())}`;
  }

  /** SCAN over this node's keys, as ioredis's `scanStream`. */
  scanStream(options: { match?: string; type?: string; count?: number } = {}): InstanceType<typeof ScanStream> {
    return new ScanStream({ ...options, objectMode: true, redis: this, command: 'scan' });
  }
}

/** The endpoints `nodes(role)` stands for: primaries for 'master', replicas for 'slave'. */
export function endpointsFor(endpoints: readonly Endpoint[], role: NodeRole): Endpoint[] {
  if (role === 'master') return endpoints.filter((e) => e.role === 'primary');
  if (role === 'slave') return endpoints.filter((e) => e.role === 'replica');
  return [...endpoints];
}
