import type { ResilienceEvent } from '../events/resilience-event.js';
import type { AddressScrubber } from './address-scrubber.js';

/** How the timeline colours an entry; the text says the same in words. */
export type TimelineSeverity = 'problem' | 'recovery' | 'info';

/** One line of the status page's timeline. */
export interface TimelineEntry {
  /** Milliseconds since the epoch. */
  readonly at: number;
  readonly client: string;
  readonly type: ResilienceEvent['type'];
  readonly severity: TimelineSeverity;
  /** The node's address, or its shard or endpoint label when addresses are hidden. */
  readonly node?: string;
  /** One human sentence about what happened. */
  readonly text: string;
}

const PROBLEMS: ReadonlySet<ResilienceEvent['type']> = new Set([
  'connection.lost',
  'breaker.opened',
  'queue.overflowed',
  'topology.refresh_failed',
  'failover.detected',
]);
const RECOVERIES: ReadonlySet<ResilienceEvent['type']> = new Set([
  'client.ready',
  'connection.restored',
  'breaker.closed',
  'failover.recovered',
]);

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function describe(e: ResilienceEvent, scrub: AddressScrubber): string {
  const node = scrub.node(e.node) ?? '';
  switch (e.type) {
    case 'client.ready':
      return 'client ready';
    case 'client.closed':
      return 'client closed';
    case 'connection.lost':
      return `connection to ${node} lost`;
    case 'connection.restored':
      return `connection to ${node} restored`;
    case 'breaker.opened':
      // A hung node opens it on consecutive failures, long before the window's rate is high.
      return `breaker of ${node} opened${e.forced ? ' by an operator' : ` after repeated failures (${Math.round(e.failureRate)}% of the window)`}`;
    case 'breaker.half_opened':
      return `breaker of ${node} half-open: probing`;
    case 'breaker.closed':
      return `breaker of ${node} closed${e.forced ? ' by an operator' : ''}`;
    case 'command.retried':
      return `${e.command.toUpperCase()} retried (attempt ${e.attempt}, ${e.scenario}) after ${e.delayMs} ms`;
    case 'queue.overflowed':
      return `queue of ${node} full (${e.limit}): calls rejected`;
    case 'topology.refreshed': {
      const parts = [`topology refreshed (${e.trigger}, ${e.durationMs} ms)`];
      if (e.added.length) parts.push(scrub.show ? `added ${e.added.join(', ')}` : `${plural(e.added.length, 'node')} added`);
      if (e.removed.length) parts.push(scrub.show ? `removed ${e.removed.join(', ')}` : `${plural(e.removed.length, 'node')} removed`);
      if (e.promoted.length) parts.push(scrub.show ? `promoted ${e.promoted.join(', ')}` : plural(e.promoted.length, 'promotion'));
      return parts.join('; ');
    }
    case 'topology.refresh_failed':
      return `topology refresh failed (${e.trigger}): ${scrub.text(e.reason)}`;
    case 'endpoint.changed':
      return scrub.show
        ? `${e.name} moved from ${e.oldAddress ?? 'nowhere'} to ${e.newAddress} (${e.cause})`
        : `endpoint ${scrub.node(e.newAddress)} moved to a new address (${e.cause})`;
    case 'dns.resolved':
      return scrub.show
        ? `${e.name} resolved (${e.outcome}): ${e.addresses.join(', ') || 'no address'}`
        : `a watched name resolved (${e.outcome}): ${plural(e.addresses.length, 'address', 'addresses')}`;
    case 'failover.detected':
      return `failover detected on ${node}`;
    case 'failover.recovered':
      return `failover on ${node} recovered after ${e.durationMs} ms`;
    case 'replica_reads.started':
      return `reads of ${node} go to its replica ${scrub.node(e.replica) ?? ''} (replication lag applies)`;
    case 'replica_reads.ended':
      return `reads of ${node} back on the primary after ${plural(e.reads, 'replica read')} in ${e.durationMs} ms`;
    case 'pubsub.resubscribed':
      return `${e.family === 'sharded' ? 'sharded ' : ''}subscriptions (${e.subscriptions}) moved to ${node} after a ${e.gapMs} ms gap`;
  }
}

/** The event as one timeline line, with addresses hidden unless the scrubber shows them. */
export function toTimelineEntry(event: ResilienceEvent, scrub: AddressScrubber): TimelineEntry {
  const node = scrub.node(event.node);
  return {
    at: event.timestamp,
    client: event.client,
    type: event.type,
    severity: PROBLEMS.has(event.type) ? 'problem' : RECOVERIES.has(event.type) ? 'recovery' : 'info',
    ...(node === undefined ? {} : { node }),
    // The scrub of the whole sentence is the safety net for fields a later event type adds.
    text: scrub.text(describe(event, scrub)),
  };
}
