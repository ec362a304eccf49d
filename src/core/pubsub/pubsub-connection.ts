import type { Command, Redis } from 'ioredis';
import { createConnection } from '../connection/connection-factory.js';
import type { Endpoint } from '../command/endpoint.js';
import type { NodeAddress } from '../options/resilient-redis-options.js';
import type { ResolvedOptions } from '../options/validate-options.js';
import { waitUntilReady } from '../client/endpoint-lifecycle.js';

/** Message events of a subscriber connection, re-emitted by the client. */
export const MESSAGE_EVENTS = ['message', 'messageBuffer', 'pmessage', 'pmessageBuffer', 'smessage', 'smessageBuffer'] as const;
export type MessageEvent = (typeof MESSAGE_EVENTS)[number];

/** Receives the messages of a connection; the owner decides whether to pass them on. */
export type Forward = (from: PubSubConnection, event: MessageEvent, args: readonly unknown[]) => void;

/**
 * One dedicated subscriber connection to one node. ioredis resubscribes by itself when this
 * connection reconnects to the same address; moving subscriptions to another node is the
 * owner's job (a new connection, then {@link restore}).
 */
export class PubSubConnection {
  readonly client: Redis;
  /** `host:port`. */
  readonly id: string;
  /** When it lost its node (Date.now()), until it is ready again: where a delivery gap starts. */
  lostAt: number | undefined;
  private closed = false;

  constructor(
    private readonly options: ResolvedOptions,
    readonly address: NodeAddress,
    purpose: string,
    forward: Forward,
    onLost: (from: PubSubConnection) => void,
  ) {
    this.id = `${address.host}:${address.port}`;
    this.client = createConnection(options, { address, purpose, servername: servernameOf(options) });
    // Without an 'error' listener an ioredis connection error would crash the process.
    this.client.on('error', () => {});
    this.client.on('ready', () => {
      this.lostAt = undefined;
    });
    this.client.on('close', () => {
      if (this.closed) return;
      // ioredis emits 'close' again after every failed reconnect: the gap began at the first.
      this.lostAt ??= Date.now();
      onLost(this);
    });
    for (const event of MESSAGE_EVENTS) {
      this.client.on(event, (...args: unknown[]) => {
        if (!this.closed) forward(this, event, args);
      });
    }
  }

  /** Whether it can take commands now. */
  get alive(): boolean {
    return !this.closed && this.client.status === 'ready';
  }

  /** Connects; resolves when ready, rejects with `ConnectFailedError` after `timeoutMs`. */
  ready(timeoutMs: number): Promise<void> {
    return waitUntilReady({ client: this.client, id: this.id }, this.options, Math.max(1, timeoutMs));
  }

  send(command: Command): void {
    void this.client.sendCommand(command);
  }

  /** Subscribes everything given, in one command per kind. */
  async restore(channels: readonly string[], patterns: readonly string[], shardChannels: readonly string[]): Promise<void> {
    const calls: Promise<unknown>[] = [];
    if (channels.length > 0) calls.push(this.client.subscribe(...channels));
    if (patterns.length > 0) calls.push(this.client.psubscribe(...patterns));
    // One SSUBSCRIBE per channel: a single command may only name channels of one slot.
    for (const channel of shardChannels) calls.push(this.client.ssubscribe(channel));
    await Promise.all(calls);
  }

  /** Stops forwarding at once (so a message can never arrive through two homes), then disconnects. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.disconnect(false);
  }
}

/** Address of an endpoint, as its connection was opened. */
export function addressOf(endpoint: Endpoint): NodeAddress {
  return { host: String(endpoint.client.options.host), port: Number(endpoint.client.options.port) };
}

/** With TLS, certificates name the DNS endpoint, never the node IP. */
export function servernameOf(o: ResolvedOptions): string | undefined {
  const host = o.mode === 'standalone' ? o.node.host : o.mode === 'replication' ? o.primary.host : o.nodes[0]!.host;
  return /^[\d.]+$/.test(host) ? undefined : host;
}
