import { Subject, type Observable } from 'rxjs';
import type { EventInput, ResilienceEvent } from './resilience-event.js';
import type { ResilienceLogger } from './resilience-logger.js';

/** Events that mark a state transition worth one log line; the rest are metrics-only noise. */
const LOGGED: ReadonlySet<ResilienceEvent['type']> = new Set([
  'client.ready',
  'client.closed',
  'connection.lost',
  'connection.restored',
  'breaker.opened',
  'breaker.half_opened',
  'breaker.closed',
  'queue.overflowed',
  'topology.refresh_failed',
  'endpoint.changed',
  'failover.detected',
  'failover.recovered',
]);
const WARN: ReadonlySet<ResilienceEvent['type']> = new Set([
  'connection.lost',
  'breaker.opened',
  'queue.overflowed',
  'topology.refresh_failed',
  'failover.detected',
]);

/**
 * Whether an event belongs in the status view's ring buffer. Per-lookup and per-retry events
 * come by the dozen during a failover and would push out the transitions it is meant to show;
 * they still reach subscribers and metrics.
 */
export function isTransition(e: ResilienceEvent): boolean {
  if (e.type === 'dns.resolved' || e.type === 'command.retried') return false;
  if (e.type === 'topology.refreshed') return e.changed;
  return true;
}

/**
 * One client's event stream. Events are only built on state transitions and retries, never
 * per successful command, so an app that never subscribes pays nothing on the hot path.
 * Keeps the last `capacity` events in a ring buffer for the status view.
 */
export class EventBus {
  private readonly subject = new Subject<ResilienceEvent>();
  private readonly ring: Array<ResilienceEvent | undefined>;
  private next = 0;
  private count = 0;
  readonly events$: Observable<ResilienceEvent>;

  constructor(
    private readonly client: string,
    private readonly logger: ResilienceLogger,
    capacity = 200,
  ) {
    this.ring = Array.from<ResilienceEvent | undefined>({ length: capacity });
    this.events$ = this.subject.asObservable();
  }

  emit(input: EventInput): ResilienceEvent {
    const event = { ...input, client: this.client, timestamp: Date.now() } as ResilienceEvent;
    if (isTransition(event)) {
      this.ring[this.next] = event;
      this.next = (this.next + 1) % this.ring.length;
      if (this.count < this.ring.length) this.count++;
    }
    if (LOGGED.has(event.type)) {
      const { type, ...rest } = event;
      const line = `${type} ${JSON.stringify(rest)}`;
      if (WARN.has(type)) this.logger.warn(line);
      else this.logger.log(line);
    }
    if (this.subject.observed) this.subject.next(event);
    return event;
  }

  /** The most recent events, oldest first. */
  recent(limit = this.ring.length): ResilienceEvent[] {
    const out: ResilienceEvent[] = [];
    const n = Math.min(limit, this.count);
    for (let i = n; i > 0; i--) {
      const e = this.ring[(this.next - i + this.ring.length) % this.ring.length];
      if (e) out.push(e);
    }
    return out;
  }

  complete(): void {
    this.subject.complete();
  }
}
