import { Command } from 'ioredis';
import type { Endpoint } from '../endpoint/endpoint.js';
import { CommandTimeoutError } from '../errors/command-timeout.error.js';
import { isUnsubscribeCommand } from './pubsub-commands.js';
import { type PubSubContext, beforeDeadline, retryDelayMs, routerSettled, usable } from './pubsub-context.js';
import { PubSubConnection, type MessageEvent, addressOf } from './pubsub-connection.js';

const SUBSCRIBE = new Command('subscribe', []);

/**
 * SUBSCRIBE and PSUBSCRIBE on one dedicated connection that follows failovers (issue 12,
 * defect 6). Its home: the node itself (standalone), the current primary (replication: a
 * PUBLISH on the primary reaches its subscribers, and a demoted primary's replica link may
 * lag or break), any live node (cluster: classic PUBLISH is broadcast to every node).
 *
 * Moving home is break-before-make: the old connection stops forwarding before the new one
 * subscribes, so a message is never delivered twice, and messages published in between are
 * not delivered at all (at-most-once during the switch; `pubsub.resubscribed` reports the gap).
 */
export class ClassicSubscriber {
  private home: PubSubConnection | undefined;
  private moving: Promise<PubSubConnection> | undefined;
  private readonly channels = new Set<string>();
  private readonly patterns = new Set<string>();
  private retry: NodeJS.Timeout | undefined;
  private retries = 0;
  private closed = false;
  /** While subscriptions are between homes: since when, and from where. */
  private gap: { readonly since: number; readonly from: string } | undefined;

  constructor(private readonly ctx: PubSubContext) {}

  /** SUBSCRIBE, PSUBSCRIBE, UNSUBSCRIBE, PUNSUBSCRIBE. */
  send(command: Command): Promise<unknown> {
    const promise = this.ctx.calls.track(command, () => this.home?.id);
    const deadline = Date.now() + this.ctx.options.policy.totalTimeoutMs;
    this.connected(deadline).then(
      (home) => {
        if (command.isSettled === true) return;
        this.record(command);
        home.send(command);
      },
      (error: unknown) => command.reject(error instanceof Error ? error : new Error(String(error))),
    );
    return promise;
  }

  /** Something changed (a swap, a new topology): move if the home is no longer the right one. */
  reconsider(): void {
    if (this.closed || this.home === undefined || this.subscriptions() === 0) return;
    const desired = this.preferred();
    if (desired && desired !== this.home.id) this.moveSoon();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    this.home?.close();
    this.home = undefined;
  }

  private subscriptions(): number {
    return this.channels.size + this.patterns.size;
  }

  private record(command: Command): void {
    const name = command.name.toLowerCase();
    const set = name.startsWith('p') ? this.patterns : this.channels;
    const names = command.args.map(String);
    if (!isUnsubscribeCommand(name)) for (const n of names) set.add(n);
    else if (names.length === 0) set.clear();
    else for (const n of names) set.delete(n);
  }

  private connected(deadline: number): Promise<PubSubConnection> {
    const home = this.home;
    if (home?.alive && !this.moving) return Promise.resolve(home);
    if (this.moving) return this.moving;
    // The same node reconnecting: ioredis resubscribes by itself; wait for it.
    if (home && this.ctx.options.mode !== 'cluster' && this.preferred() === home.id) {
      return home.ready(deadline - Date.now()).then(() => home);
    }
    return this.move(deadline);
  }

  /** Where the subscription should live now, by `host:port`; undefined when unknown yet. */
  private preferred(): string | undefined {
    if (this.ctx.options.mode === 'cluster') {
      // Any live node will do; stay where we are while it lives and is a healthy primary
      // (a primary that lost its slots to a promotion, or whose breaker opened, is suspect).
      const id = this.home?.id;
      const current = this.ctx.router.endpoints().find((e) => e.id === id);
      if (this.home?.alive && current?.role === 'primary' && current.breaker.state !== 'open') return this.home.id;
      return this.liveClusterNode(id)?.id ?? this.home?.id;
    }
    try {
      return this.ctx.router.route(SUBSCRIBE, false, undefined).id;
    } catch {
      return undefined;
    }
  }

  private liveClusterNode(avoid: string | undefined): Endpoint | undefined {
    const all = this.ctx.router.endpoints().filter((e) => e.id !== avoid && usable(e));
    return all.find((e) => e.role === 'primary') ?? all[0];
  }

  private async pick(deadline: number): Promise<Endpoint> {
    await routerSettled(this.ctx.router, deadline);
    if (this.ctx.options.mode === 'cluster') {
      const live = this.liveClusterNode(this.home?.id) ?? this.ctx.router.endpoints().find((e) => e.id !== this.home?.id);
      if (live) return live;
    }
    return this.ctx.router.route(SUBSCRIBE, false, undefined);
  }

  /** One move at a time; callers in the meantime share it. */
  private move(deadline: number): Promise<PubSubConnection> {
    this.moving ??= this.moveTo(deadline).finally(() => {
      this.moving = undefined;
    });
    return this.moving;
  }

  private async moveTo(deadline: number): Promise<PubSubConnection> {
    const endpoint = await this.pick(deadline);
    const previous = this.home;
    if (previous?.alive && previous.id === endpoint.id) return previous;
    const next = new PubSubConnection(
      this.ctx.options,
      addressOf(endpoint),
      'subscriber',
      (from, event, args) => this.forward(from, event, args),
      (lost) => this.lost(lost),
    );
    try {
      await beforeDeadline(next.ready(deadline - Date.now()), deadline, () => this.timeout(endpoint.id));
    } catch (error) {
      next.close();
      throw error;
    }
    if (this.closed) {
      next.close();
      throw this.timeout(endpoint.id);
    }
    // Break before make: from here on only `next` forwards.
    this.gap ??= previous ? { since: previous.lostAt ?? Date.now(), from: previous.id } : undefined;
    previous?.close();
    this.home = next;
    const count = this.subscriptions();
    if (this.gap && count > 0) {
      try {
        await next.restore([...this.channels], [...this.patterns], []);
      } catch (error) {
        // The new home failed in turn: try again from scratch, the gap still open.
        next.close();
        this.home = undefined;
        this.moveSoon(retryDelayMs(++this.retries, this.ctx.options));
        throw error;
      }
      const gap = this.gap;
      this.ctx.bus.emit({
        type: 'pubsub.resubscribed',
        family: 'classic',
        node: next.id,
        previousNode: gap.from,
        subscriptions: count,
        gapMs: Date.now() - gap.since,
      });
    }
    this.gap = undefined;
    this.retries = 0;
    return next;
  }

  private forward(from: PubSubConnection, event: MessageEvent, args: readonly unknown[]): void {
    if (from === this.home) this.ctx.target.emit(event, ...args);
  }

  private lost(connection: PubSubConnection): void {
    if (connection !== this.home || this.closed) return;
    // Cluster: any other node can take over at once. Elsewhere the same node comes back
    // (ioredis resubscribes) unless a swap moves the primary, which `reconsider` hears of.
    if (this.ctx.options.mode === 'cluster') this.moveSoon(0);
  }

  private moveSoon(delayMs = 0): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (this.closed || this.subscriptions() === 0) return;
      this.move(Date.now() + this.ctx.options.policy.totalTimeoutMs).then(
        () => this.reconsider(),
        () => this.moveSoon(retryDelayMs(++this.retries, this.ctx.options)),
      );
    }, delayMs);
    this.retry.unref();
  }

  private timeout(node: string): CommandTimeoutError {
    return new CommandTimeoutError({ client: this.ctx.options.name, node, command: 'subscribe' }, this.ctx.options.policy.totalTimeoutMs);
  }
}
