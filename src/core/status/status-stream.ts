import { Observable, filter, map, takeUntil } from 'rxjs';
import type { ResilienceEvent } from '../events/resilience-event.js';
import { isTransition } from '../events/event-bus.js';
import type { HealthSource } from '../health/health-model.js';
import { scrubberFor } from './status-view.js';
import { toTimelineEntry, type TimelineEntry } from './timeline-entry.js';

/** Options of {@link timelineStream}. */
export interface TimelineStreamOptions {
  /** Show addresses (the verbose report is allowed). @default false */
  verbose?: boolean;
  /** Ends the stream when it emits (see {@link shutdownSignal}). */
  until?: Observable<unknown>;
}

/**
 * The status page's live timeline: every state transition of `events$` as a timeline entry,
 * addresses hidden unless verbose. Per-retry and per-lookup events are left out, as in the
 * ring buffer: during a failover they come by the hundred and would bury the transitions.
 * Completes when the clients close or `until` fires, so adapters end the HTTP response.
 */
export function timelineStream(
  events$: Observable<ResilienceEvent>,
  sources: readonly HealthSource[],
  options: TimelineStreamOptions = {},
): Observable<TimelineEntry> {
  const verbose = options.verbose ?? false;
  const stream = events$.pipe(
    filter(isTransition),
    // Built per event (transitions are rare) so a node that just appeared reads as its shard.
    map((e) => toTimelineEntry(e, scrubberFor(verbose ? [] : sources.map((s) => s.health()), verbose))),
  );
  return options.until ? stream.pipe(takeUntil(options.until)) : stream;
}

/**
 * Emits once when the registry starts shutting down, so streams end before the HTTP server
 * waits for its open responses (an SSE response never finishes on its own). Subscribing
 * after the shutdown started emits at once.
 */
export function shutdownSignal(registry: { onShuttingDown(listener: () => void): () => void }): Observable<void> {
  return new Observable<void>((subscriber) => registry.onShuttingDown(() => subscriber.next()));
}
