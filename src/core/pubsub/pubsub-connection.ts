import type { Command, Redis } from 'ioredis';
import { createConnection } from '../connection/connection-factory.js';
import type { Endpoint } from '../endpoint/endpoint.js';
import type { NodeAddress } from '../options/resilient-redis-options.js';
import type { ResolvedOptions } from '../options/validate-options.js';
import { waitUntilReady } from '../endpoint/endpoint-lifecycle.js';

/** Message events of a subscriber connection, re-emitted by the client. */
export const MESSAGE_EVENTS = ['message', 'messageBuffer', 'pmessage', 'pmessageBuffer', 'smessage', 'smessageBuffer'] as const;
export type MessageEvent = (typeof MESSAGE_EVENTS)[number];

/**
 * How often an idle subscriber connection is PINGed, ms (jittered ±25 %). A connection that
 * only receives cannot tell a quiet channel from a hung node (SIGSTOP, a black-holed host:
 * the socket stays open), so without a probe a subscriber would wait for messages forever.
 * One PING per connection every 2 s is the cost; the reply must come within
 * `policy.attemptTimeoutMs`, as any command's would.
 */
const PROBE_INTERVAL_MS = 2000;

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
  /** Last answer or message from the node: where a gap starts when the node hangs silently. */
  private lastSeenAt = Date.now();
  /** The probe found the node unresponsive; cleared by its next answer. */
  private hung = false;
  private probe: NodeJS.Timeout | undefined;

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
      this.hung = false;
      this.lastSeenAt = Date.now();
    });
    this.scheduleProbe(onLost);
    this.client.on('close', () => {
      if (this.closed) return;
      // ioredis emits 'close' again after every failed reconnect: the gap began at the first.
      this.lostAt ??= Date.now();
      onLost(this);
    });
    for (const event of MESSAGE_EVENTS) {
      this.client.on(event, (...args: unknown[]) => {
        if (this.closed) return;
        this.lastSeenAt = Date.now();
        forward(this, event, args);
      });
    }
  }

  /** Whether it can take commands now. */
  get alive(): boolean {
    return !this.closed && !this.hung && this.client.status === 'ready';
  }

  private scheduleProbe(onLost: (from: PubSubConnection) => void): void {
    this.probe = setTimeout(
      () => {
        if (this.closed) return;
        if (this.client.status !== 'ready') return this.scheduleProbe(onLost);
        let answered = false;
        const timer = setTimeout(() => {
          if (answered || this.closed) return;
          this.hung = true;
          // It may have hung any time since it last answered.
          this.lostAt ??= this.lastSeenAt;
          onLost(this);
        }, this.options.policy.attemptTimeoutMs);
        timer.unref();
        this.client.ping().then(
          () => {
            answered = true;
            clearTimeout(timer);
            this.lastSeenAt = Date.now();
            if (this.hung) {
              this.hung = false;
              this.lostAt = undefined;
            }
            this.scheduleProbe(onLost);
          },
          () => {
            answered = true;
            clearTimeout(timer);
            this.scheduleProbe(onLost);
          },
        );
      },
      PROBE_INTERVAL_MS * (0.75 + Math.random() / 2),
    );
    this.probe.unref();
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
    clearTimeout(this.probe);
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
