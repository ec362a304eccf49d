import { Command } from 'ioredis';
import type { Endpoint } from '../endpoint/endpoint.js';
import { CommandTimeoutError } from '../errors/command-timeout.error.js';
import { classifyFailure } from '../policy/classify-failure.js';
import { type PubSubContext, beforeDeadline, retryDelayMs, routerSettled } from './pubsub-context.js';
import { PubSubConnection, type MessageEvent, addressOf } from './pubsub-connection.js';

/**
 * Sharded pub/sub (SSUBSCRIBE, SUNSUBSCRIBE; issue 12, defect 5). A shard channel lives on the
 * shard that owns its slot, so each shard's primary gets a dedicated connection, and each
 * channel is owned by exactly one of them at a time. When the slot moves or its primary fails
 * over, the channel moves to the new owner: ownership switches first (the old connection's
 * messages for it are dropped from then on), then the new connection subscribes. So a message
 * is never delivered twice, and those published during the switch are not delivered
 * (at-most-once; `pubsub.resubscribed` reports the gap). SPUBLISH is an ordinary command,
 * routed by slot like any other.
 */
export class ShardedSubscriber {
  /** Connections by node `host:port`. */
  private readonly homes = new Map<string, PubSubConnection>();
  /** The node each shard channel is owned by. */
  private readonly owner = new Map<string, string>();
  /** Channels between homes: since when, and from where. */
  private readonly gaps = new Map<string, { readonly since: number; readonly from: string }>();
  private opening = new Map<string, Promise<PubSubConnection>>();
  private moving: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private retries = 0;
  private closed = false;

  constructor(private readonly ctx: PubSubContext) {}

  /** SSUBSCRIBE and SUNSUBSCRIBE. */
  send(command: Command): Promise<unknown> {
    const promise = this.ctx.calls.track(command, () => this.owner.get(String(command.args[0])));
    const deadline = Date.now() + this.ctx.options.policy.totalTimeoutMs;
    const work = command.name.toLowerCase() === 'ssubscribe' ? this.subscribe(command, deadline) : this.unsubscribe(command, deadline);
    work.catch((error: unknown) => command.reject(error instanceof Error ? error : new Error(String(error))));
    return promise;
  }

  private async subscribe(command: Command, deadline: number): Promise<void> {
    const channels = command.args.map(String);
    if (channels.length === 0) return command.reject(new Error("ERR wrong number of arguments for 'ssubscribe' command"));
    await this.moving;
    const endpoint = await this.ownerOf(channels[0]!, deadline);
    const home = await this.connection(endpoint, deadline);
    if (command.isSettled === true) return;
    // Channels of another slot fail with CROSSSLOT from the server, as they would anywhere.
    for (const channel of channels) this.owner.set(channel, home.id);
    home.send(command);
  }

  private async unsubscribe(command: Command, deadline: number): Promise<void> {
    const named = command.args.map(String);
    const channels = named.length > 0 ? named : [...this.owner.keys()];
    const byHome = new Map<string, string[]>();
    for (const channel of channels) {
      const id = this.owner.get(channel);
      this.owner.delete(channel);
      this.gaps.delete(channel);
      if (id !== undefined) byHome.set(id, [...(byHome.get(id) ?? []), channel]);
    }
    const entries = [...byHome];
    if (entries.length === 0) {
      // Nothing subscribed here: ask any shard, which answers as Redis does.
      const endpoint = await this.ownerOf(channels[0] ?? '', deadline);
      return (await this.connection(endpoint, deadline)).send(command);
    }
    const [first, ...rest] = entries;
    for (const [id, list] of rest)
      void this.homes
        .get(id)
        ?.client.sunsubscribe(...list)
        .catch(() => undefined);
    const home = this.homes.get(first![0]);
    if (!home?.alive) return command.resolve(0);
    if (named.length > 0) {
      home.send(command);
    } else {
      // Without names each shard answers for its own channels; the caller gets Redis's count.
      const own = new Command('sunsubscribe', first![1]);
      home.send(own);
      own.promise.then(
        (count) => command.resolve(count),
        (error: unknown) => command.reject(error instanceof Error ? error : new Error(String(error))),
      );
    }
    // A connection left with no channel closes once it has answered.
    command.promise.finally(() => this.closeIdle()).catch(() => undefined);
  }

  /** The slot layout or a primary changed: move every channel whose owner is no longer right. */
  reconsider(): void {
    if (this.closed || this.owner.size === 0) return;
    this.moving ??= this.moveAll().finally(() => {
      this.moving = undefined;
    });
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    for (const home of this.homes.values()) home.close();
    this.homes.clear();
    this.owner.clear();
  }

  private async moveAll(): Promise<void> {
    const deadline = Date.now() + this.ctx.options.policy.totalTimeoutMs;
    const moves = new Map<string, { endpoint: Endpoint; channels: string[] }>();
    for (const [channel, id] of this.owner) {
      let endpoint: Endpoint;
      try {
        endpoint = this.route(channel);
      } catch {
        continue;
      }
      // Still the owner (alive, or reconnecting: ioredis resubscribes by itself).
      if (endpoint.id === id && this.homes.has(id) && !this.gaps.has(channel)) continue;
      const move = moves.get(endpoint.id) ?? { endpoint, channels: [] };
      move.channels.push(channel);
      moves.set(endpoint.id, move);
    }
    let failed = false;
    await Promise.all(
      [...moves.values()].map(async ({ endpoint, channels }) => {
        for (const channel of channels) {
          const from = this.owner.get(channel)!;
          const home = this.homes.get(from);
          this.gaps.set(channel, this.gaps.get(channel) ?? { since: home?.lostAt ?? Date.now(), from });
          // Ownership first: the old home's messages for it are dropped from now on.
          this.owner.set(channel, endpoint.id);
          if (home?.alive && from !== endpoint.id) void home.client.sunsubscribe(channel).catch(() => undefined);
        }
        try {
          const next = await this.connection(endpoint, deadline);
          const moved = channels.filter((c) => this.owner.get(c) === endpoint.id);
          await next.restore([], [], moved);
          const since = Math.min(...moved.map((c) => this.gaps.get(c)?.since ?? Date.now()));
          const from = this.gaps.get(moved[0]!)?.from;
          for (const c of moved) this.gaps.delete(c);
          if (moved.length > 0) {
            this.ctx.bus.emit({
              type: 'pubsub.resubscribed',
              family: 'sharded',
              node: next.id,
              previousNode: from,
              subscriptions: moved.length,
              gapMs: Date.now() - since,
            });
          }
        } catch {
          failed = true;
        }
      }),
    );
    this.closeIdle();
    if (failed || this.gaps.size > 0) this.retrySoon();
    else this.retries = 0;
  }

  private route(channel: string): Endpoint {
    return this.ctx.router.route(new Command('ssubscribe', [channel]), false, undefined);
  }

  private async ownerOf(channel: string, deadline: number): Promise<Endpoint> {
    await routerSettled(this.ctx.router, deadline);
    return this.route(channel);
  }

  private connection(endpoint: Endpoint, deadline: number): Promise<PubSubConnection> {
    const existing = this.homes.get(endpoint.id);
    if (existing?.alive) return Promise.resolve(existing);
    const opening = this.opening.get(endpoint.id);
    if (opening) return opening;
    const start = (async () => {
      existing?.close();
      const next = new PubSubConnection(
        this.ctx.options,
        addressOf(endpoint),
        'shard-subscriber',
        (from, event, args) => this.forward(from, event, args),
        (lost) => this.lost(lost),
      );
      this.homes.set(endpoint.id, next);
      try {
        await beforeDeadline(next.ready(deadline - Date.now()), deadline, () => this.timeout(endpoint.id));
      } catch (error) {
        next.close();
        if (this.homes.get(endpoint.id) === next) this.homes.delete(endpoint.id);
        throw error;
      }
      return next;
    })().finally(() => this.opening.delete(endpoint.id));
    this.opening.set(endpoint.id, start);
    return start;
  }

  private forward(from: PubSubConnection, event: MessageEvent, args: readonly unknown[]): void {
    if ((event === 'smessage' || event === 'smessageBuffer') && this.owner.get(String(args[0])) !== from.id) return;
    this.ctx.target.emit(event, ...args);
  }

  private lost(connection: PubSubConnection): void {
    if (this.closed || this.homes.get(connection.id) !== connection) return;
    // Evidence for the topology: a shard primary that dropped us may be failing over.
    const endpoint = this.ctx.router.endpoints().find((e) => e.id === connection.id);
    if (endpoint) this.ctx.router.onFailure(endpoint, classifyFailure(new Error('Connection is closed.')));
    this.retrySoon();
  }

  private retrySoon(): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(
      () => {
        this.retry = undefined;
        this.reconsider();
      },
      retryDelayMs(++this.retries, this.ctx.options),
    );
    this.retry.unref();
  }

  private closeIdle(): void {
    const used = new Set(this.owner.values());
    for (const [id, home] of this.homes) {
      if (!used.has(id) && !this.opening.has(id)) {
        home.close();
        this.homes.delete(id);
      }
    }
  }

  private timeout(node: string): CommandTimeoutError {
    return new CommandTimeoutError({ client: this.ctx.options.name, node, command: 'ssubscribe' }, this.ctx.options.policy.totalTimeoutMs);
  }
}
