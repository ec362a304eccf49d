import type { Command, Redis } from 'ioredis';
import type { EventEmitter } from 'node:events';
import { createConnection } from '../connection/connection-factory.js';
import type { NodeAddress } from '../options/resilient-redis-options.js';
import type { ResolvedOptions } from '../options/validate-options.js';
import { waitUntilReady } from './endpoint-lifecycle.js';
import type { Endpoint } from '../command/endpoint.js';

/** Commands that put a connection in subscriber mode or leave it. */
export const SUBSCRIBER_COMMANDS: ReadonlySet<string> = new Set([
  'subscribe',
  'psubscribe',
  'unsubscribe',
  'punsubscribe',
]);

/** Message events of a subscriber connection, re-emitted by the client. */
const FORWARDED = ['message', 'messageBuffer', 'pmessage', 'pmessageBuffer'] as const;

/**
 * Pub/sub on its own connection. A connection in subscriber mode can run nothing else, so
 * sharing the command connection would break every other call. Created on the first
 * SUBSCRIBE; ioredis resubscribes by itself after a reconnect.
 */
export class Subscriber {
  private connection: Redis | undefined;
  private ready: Promise<Redis> | undefined;

  constructor(
    private readonly options: ResolvedOptions,
    /** Where to subscribe: a node currently in use by the client. */
    private readonly pickNode: () => Endpoint | undefined,
    private readonly target: EventEmitter,
  ) {}

  send(command: Command): Promise<unknown> {
    return this.connect().then((client) => client.sendCommand(command) as Promise<unknown>);
  }

  private connect(): Promise<Redis> {
    if (!this.ready) {
      const node = this.pickNode();
      const address: NodeAddress = node
        ? { host: String(node.client.options.host), port: Number(node.client.options.port) }
        : this.fallbackAddress();
      const client = createConnection(this.options, { address, purpose: 'subscriber', servername: this.servername() });
      client.on('error', () => {});
      for (const event of FORWARDED) client.on(event, (...args: unknown[]) => this.target.emit(event, ...args));
      this.connection = client;
      this.ready = waitUntilReady({ client, id: `${address.host}:${address.port}` }, this.options).then(
        () => client,
        (error: unknown) => {
          this.ready = undefined;
          this.connection = undefined;
          client.disconnect(false);
          throw error;
        },
      );
    }
    return this.ready;
  }

  private fallbackAddress(): NodeAddress {
    const o = this.options;
    if (o.mode === 'standalone') return o.node;
    if (o.mode === 'replication') return o.primary;
    return o.nodes[0]!;
  }

  private servername(): string | undefined {
    const o = this.options;
    const host = o.mode === 'standalone' ? o.node.host : o.mode === 'replication' ? o.primary.host : o.nodes[0]!.host;
    return /^[\d.]+$/.test(host) ? undefined : host;
  }

  close(): void {
    this.connection?.disconnect(false);
    this.connection = undefined;
    this.ready = undefined;
  }
}
