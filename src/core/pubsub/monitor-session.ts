import type { Command, Redis } from 'ioredis';
import { createConnection } from '../connection/connection-factory.js';
import { CommandTimeoutError } from '../errors/command-timeout.error.js';
import { type PubSubContext, beforeDeadline, routerSettled } from './pubsub-context.js';
import { addressOf, servernameOf } from './pubsub-connection.js';

/**
 * MONITOR on a connection of its own (issue 12, defect 5): a connection in monitor mode can
 * run nothing else, so sent down the shared one it would fail every other call. As with
 * ioredis's `monitor()`, the call resolves with that connection, which emits
 * `monitor(time, args, source, database)`; `disconnect()` it to stop. The client closes any
 * still open when it closes.
 */
export class MonitorSessions {
  private readonly open = new Set<Redis>();

  constructor(private readonly ctx: PubSubContext) {}

  send(command: Command): Promise<unknown> {
    const promise = this.ctx.calls.track(command, () => undefined);
    const deadline = Date.now() + this.ctx.options.policy.totalTimeoutMs;
    this.start(deadline).then(
      (client) => {
        if (command.isSettled === true) return client.disconnect(false);
        command.resolve(client);
      },
      (error: unknown) => command.reject(error instanceof Error ? error : new Error(String(error))),
    );
    return promise;
  }

  private async start(deadline: number): Promise<Redis> {
    await routerSettled(this.ctx.router, deadline);
    const endpoint = this.ctx.router.endpoints().find((e) => e.role === 'primary' && e.ready) ?? this.ctx.router.endpoints()[0];
    const options = this.ctx.options;
    const address = endpoint
      ? addressOf(endpoint)
      : options.mode === 'standalone'
        ? options.node
        : options.mode === 'replication'
          ? options.primary
          : options.nodes[0]!;
    const client = createConnection(options, { address, purpose: 'monitor', monitor: true, servername: servernameOf(options) });
    client.on('error', () => {});
    this.open.add(client);
    client.once('end', () => this.open.delete(client));
    const monitoring = new Promise<void>((resolve) => client.once('monitoring', () => resolve()));
    client.connect().catch(() => {});
    try {
      await beforeDeadline(
        monitoring,
        deadline,
        () =>
          new CommandTimeoutError(
            { client: options.name, node: `${address.host}:${address.port}`, command: 'monitor' },
            options.policy.totalTimeoutMs,
          ),
      );
    } catch (error) {
      this.open.delete(client);
      client.disconnect(false);
      throw error;
    }
    return client;
  }

  close(): void {
    for (const client of this.open) client.disconnect(false);
    this.open.clear();
  }
}
