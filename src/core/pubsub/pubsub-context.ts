import type { EventEmitter } from 'node:events';
import type { CommandRouter } from '../command/command-router.js';
import type { Endpoint } from '../endpoint/endpoint.js';
import type { EventBus } from '../events/event-bus.js';
import type { ResolvedOptions } from '../options/validate-options.js';
import type { PubSubCalls } from './pubsub-calls.js';

/** What the pub/sub connections share with their client. The router is only read. */
export interface PubSubContext {
  readonly options: ResolvedOptions;
  readonly router: CommandRouter;
  readonly bus: EventBus;
  /** The client: re-emits `message`, `pmessage`, `smessage` and their Buffer forms. */
  readonly target: EventEmitter;
  readonly calls: PubSubCalls;
}

/** A promise that rejects with `onLate()` if `work` has not settled by `deadline` (epoch ms). */
export function beforeDeadline<T>(work: Promise<T>, deadline: number, onLate: () => Error): Promise<T> {
  const left = deadline - Date.now();
  if (left <= 0) return Promise.reject(onLate());
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onLate()), left);
    timer.unref();
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** Waits for the router's first resolution or a recovery in progress, bounded by `deadline`. */
export async function routerSettled(router: CommandRouter, deadline: number): Promise<void> {
  const pending = router.pending?.(undefined, false);
  if (!pending) return;
  await beforeDeadline(pending, deadline, () => new Error('router not ready')).catch(() => undefined);
}

/** Full-jitter delay for the n-th retry of a move that failed, capped by the reconnect policy. */
export function retryDelayMs(attempt: number, options: ResolvedOptions): number {
  const ceiling = Math.min(options.policy.reconnectMaxMs, 50 * 2 ** Math.min(attempt, 6));
  return Math.max(20, Math.round(ceiling * (0.5 + Math.random() / 2)));
}

/** Whether an endpoint can take a new subscriber connection now. */
export function usable(endpoint: Endpoint): boolean {
  return endpoint.usable;
}
