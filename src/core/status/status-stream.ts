import { Observable, filter, map, takeUntil } from 'rxjs';
import type { ResilienceEvent } from '../events/resilience-event.js';
import type { SseMessage } from './sse-format.js';
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

/** Options of {@link statusMessages}. */
export interface StatusMessagesOptions extends TimelineStreamOptions {
  /** Interval of the `ping` messages that keep proxies from closing a quiet stream, in ms. @default 15000 */
  heartbeatMs?: number;
}

/**
 * What the status stream sends, for any adapter to write: `hello` (with the reconnection
 * delay), a `timeline` message per transition, a `ping` now and then, and `end` before it
 * completes (shutdown, or every client closed), which tells the page not to reconnect.
 * Unsubscribing (the browser left) stops the heartbeat and releases `events$`.
 */
export function statusMessages(
  events$: Observable<ResilienceEvent>,
  sources: readonly HealthSource[],
  options: StatusMessagesOptions = {},
): Observable<SseMessage> {
  return new Observable<SseMessage>((subscriber) => {
    subscriber.next({ type: 'hello', retryMs: 2000, data: { verbose: options.verbose ?? false } });
    const heartbeat = setInterval(() => subscriber.next({ type: 'ping', data: {} }), options.heartbeatMs ?? 15_000);
    heartbeat.unref();
    const inner = timelineStream(events$, sources, options).subscribe({
      next: (entry) => subscriber.next({ type: 'timeline', data: entry }),
      complete: () => {
        subscriber.next({ type: 'end', data: { reason: 'shutdown' } });
        subscriber.complete();
      },
      error: (error: unknown) => subscriber.error(error),
    });
    return () => {
      clearInterval(heartbeat);
      inner.unsubscribe();
    };
  });
}
