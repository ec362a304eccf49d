// A bounded SSE reader for the status stream tests (Express and Nest): it parses messages
// as they arrive and can hang up, as a closed browser tab does.
import { get as httpGet, type IncomingMessage } from 'node:http';
import { Observable, type Subscription } from 'rxjs';
import type { ResilienceEvent } from '../../src/index.js';
import { waitFor } from '../support/wait.js';

export interface SseEvent {
  type: string;
  data: any;
}

export interface SseClient {
  readonly status: number;
  readonly headers: Headers;
  readonly messages: SseEvent[];
  /** Resolves once the server ended the response. */
  readonly ended: Promise<void>;
  isEnded(): boolean;
  /** Waits (bounded) for a message matching `predicate`. */
  next(predicate: (m: SseEvent) => boolean, what: string, timeoutMs?: number): Promise<SseEvent>;
  /** Hangs up. */
  close(): void;
}

/**
 * Opens an SSE stream with `Connection: close`, so the socket goes away with the response
 * (a pooled keep-alive socket would hold a server's close() for its idle timeout).
 */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const req = httpGet(url, { headers: { accept: 'text/event-stream', connection: 'close', ...headers }, agent: false });
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve).once('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('SSE stream open for more than 30 s')));
  });
  const messages: SseEvent[] = [];
  let ended = false;
  const ended$ = (async () => {
    let buffer = '';
    try {
      res.setEncoding('utf8');
      for await (const chunk of res as AsyncIterable<string>) {
        buffer += chunk;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let type = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) type = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
          }
          if (data.length) messages.push({ type, data: JSON.parse(data.join('\n')) });
        }
      }
    } catch {
      // Destroyed by close(): the client hung up.
    } finally {
      ended = true;
    }
  })();
  const headersOut = new Headers();
  for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headersOut.set(k, v);
  return {
    status: res.statusCode ?? 0,
    headers: headersOut,
    messages,
    ended: ended$,
    isEnded: () => ended,
    next: (predicate, what, timeoutMs = 5000) => waitFor(() => messages.find(predicate), { timeoutMs, what }),
    close: () => req.destroy(),
  };
}

/** `events$` that counts its live subscribers, to prove a stream released its subscription. */
export function countingEvents(source: Observable<ResilienceEvent>): { events$: Observable<ResilienceEvent>; active: () => number } {
  let active = 0;
  const events$ = new Observable<ResilienceEvent>((subscriber) => {
    active++;
    const inner: Subscription = source.subscribe(subscriber);
    return () => {
      active--;
      inner.unsubscribe();
    };
  });
  return { events$, active: () => active };
}

/**
 * Tracks the intervals created with exactly `ms` (give the stream a distinctive heartbeat)
 * and which of them were cleared, to prove a stream stopped its heartbeat.
 */
export function trackIntervals(ms: number): { live: () => number; created: () => number; restore: () => void } {
  const original = { set: globalThis.setInterval, clear: globalThis.clearInterval };
  const open = new Set<unknown>();
  let created = 0;
  globalThis.setInterval = ((fn: () => void, delay?: number) => {
    const handle = original.set(fn, delay);
    if (delay === ms) {
      created++;
      open.add(handle);
    }
    return handle;
  }) as typeof setInterval;
  globalThis.clearInterval = ((handle?: Parameters<typeof clearInterval>[0]) => {
    open.delete(handle);
    original.clear(handle);
  }) as typeof clearInterval;
  return {
    live: () => open.size,
    created: () => created,
    restore: () => {
      globalThis.setInterval = original.set;
      globalThis.clearInterval = original.clear;
    },
  };
}
