import type { Command } from 'ioredis';
import type { EventEmitter } from 'node:events';
import type { Subscription } from 'rxjs';
import type { CommandRouter } from '../command/command-router.js';
import type { EventBus } from '../events/event-bus.js';
import type { ResolvedOptions } from '../options/validate-options.js';
import { ClassicSubscriber } from '../pubsub/classic-subscriber.js';
import { MonitorSessions } from '../pubsub/monitor-session.js';
import { PubSubCalls } from '../pubsub/pubsub-calls.js';
import { normalizeCommandName } from '../policy/command-name.js';
import { pubSubFamilyOf } from '../pubsub/pubsub-commands.js';
import type { PubSubContext } from '../pubsub/pubsub-context.js';
import { ShardedSubscriber } from '../pubsub/sharded-subscriber.js';

export { isSubscriberCommand } from '../pubsub/pubsub-commands.js';

/**
 * The commands that take a connection over (SUBSCRIBE and PSUBSCRIBE, SSUBSCRIBE, MONITOR),
 * each family on connections of its own, created on first use. A connection in subscriber or
 * monitor mode can run nothing else, so the shared command connection never sees them.
 * Subscriptions follow failovers: the client's events say when a primary was swapped or the
 * slot layout changed, and the router says where things live now.
 */
export class Subscriber {
  private readonly ctx: PubSubContext;
  private classic: ClassicSubscriber | undefined;
  private sharded: ShardedSubscriber | undefined;
  private monitors: MonitorSessions | undefined;
  private readonly watching: Subscription;

  constructor(options: ResolvedOptions, router: CommandRouter, bus: EventBus, target: EventEmitter) {
    this.ctx = { options, router, bus, target, calls: new PubSubCalls(options.name, options.policy.totalTimeoutMs) };
    this.watching = bus.events$.subscribe((event) => {
      if (event.type === 'endpoint.changed' || event.type === 'breaker.opened' || (event.type === 'topology.refreshed' && event.changed)) {
        this.classic?.reconsider();
        this.sharded?.reconsider();
      }
    });
  }

  send(command: Command): Promise<unknown> {
    const family = pubSubFamilyOf(command.name);
    // ioredis tracks subscriptions under the lower-case names only: `call('SUBSCRIBE')` would
    // otherwise throw inside its reply handler.
    command.name = normalizeCommandName(command.name);
    if (family === 'sharded') return (this.sharded ??= new ShardedSubscriber(this.ctx)).send(command);
    if (family === 'monitor') return (this.monitors ??= new MonitorSessions(this.ctx)).send(command);
    return (this.classic ??= new ClassicSubscriber(this.ctx)).send(command);
  }

  /** Fails calls in flight with `ClientClosedError` and closes every dedicated connection. */
  close(): void {
    this.watching.unsubscribe();
    this.ctx.calls.closeAll();
    this.classic?.close();
    this.sharded?.close();
    this.monitors?.close();
  }
}
