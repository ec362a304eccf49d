/**
 * A thin wrapper around a client under load that knows which calls are still in flight and
 * when they started. The load probe only records calls once they settle, and plain ioredis
 * with default options never settles a call sent to a SIGSTOPed node (no commandTimeout):
 * without this wrapper those calls would be invisible in the report.
 */
import type { ProbeClient } from '../../test/support/load-probe.js';

/** A call still pending when the scenario stopped issuing. */
export interface InFlightCall {
  readonly key: string;
  readonly group: string;
  /** performance.now() when it was issued. */
  readonly start: number;
}

/** Counts for the live progress line, reset every second by the caller. */
export interface SecondCounts {
  ok: number;
  errors: number;
}

/** Wraps `inner` so that in-flight calls and per-second outcomes can be read at any time. */
export class TrackedClient implements ProbeClient {
  readonly second: SecondCounts = { ok: 0, errors: 0 };
  /**
   * Failed calls per group and kind: the error code plus, for redis-resilience errors, the
   * failure scenario behind it (`ERR_RETRIES_EXHAUSTED/clusterdown`), which the load probe's
   * own record (the code only) does not keep.
   */
  readonly errorKinds = new Map<string, Map<string, number>>();
  readonly #inner: ProbeClient;
  readonly #groupOfKey: ReadonlyMap<string, string>;
  readonly #inFlight = new Map<number, InFlightCall>();
  #next = 0;

  constructor(inner: ProbeClient, groups: readonly { name: string; keys: readonly string[] }[]) {
    this.#inner = inner;
    const byKey = new Map<string, string>();
    for (const g of groups) for (const k of g.keys) byKey.set(k, g.name);
    this.#groupOfKey = byKey;
  }

  set(key: string, value: string): Promise<unknown> {
    return this.#track(key, () => this.#inner.set(key, value));
  }

  get(key: string): Promise<string | null> {
    return this.#track(key, () => this.#inner.get(key));
  }

  /** Calls issued and not settled yet. */
  inFlight(): InFlightCall[] {
    return [...this.#inFlight.values()];
  }

  get inFlightCount(): number {
    return this.#inFlight.size;
  }

  #track<T>(key: string, call: () => Promise<T>): Promise<T> {
    const id = this.#next++;
    this.#inFlight.set(id, { key, group: this.#groupOfKey.get(key) ?? '?', start: performance.now() });
    let promise: Promise<T>;
    try {
      promise = call();
    } catch (error) {
      // A synchronous throw is still a failed call for the probe.
      promise = Promise.reject(error);
    }
    return promise.then(
      (value) => {
        this.#inFlight.delete(id);
        this.second.ok++;
        return value;
      },
      (error: unknown) => {
        this.#inFlight.delete(id);
        this.second.errors++;
        const group = this.#groupOfKey.get(key) ?? '?';
        const kinds = this.errorKinds.get(group) ?? new Map<string, number>();
        const kind = errorKind(error);
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        this.errorKinds.set(group, kinds);
        throw error;
      },
    );
  }
}

/** `CODE/scenario` for redis-resilience errors, the first words of the message otherwise. */
export function errorKind(error: unknown): string {
  const e = error as { code?: unknown; scenario?: unknown; message?: unknown } | undefined;
  if (typeof e?.code === 'string' && e.code.startsWith('ERR_')) return typeof e.scenario === 'string' ? `${e.code}/${e.scenario}` : e.code;
  return String(e?.message ?? error)
    .split(' ')
    .slice(0, 4)
    .join(' ');
}
