import { merge, type Observable } from 'rxjs';
import { UnknownClientError } from '../errors/unknown-client.error.js';
import type { ResilienceEvent } from '../events/resilience-event.js';
import { liveness, readiness, report, type HealthReport } from '../health/health-model.js';
import type { ResilientRedisOptions } from '../options/resilient-redis-options.js';
import { InvalidOptionsError } from '../errors/invalid-options.error.js';
import { ResilientRedis } from './resilient-redis.js';

/** The name used when a client has none. */
export const DEFAULT_CLIENT_NAME = 'default';

/**
 * Several named clients with one lifecycle and one health view: what both framework
 * adapters build on, so neither needs Redis logic of its own.
 */
export class ClientRegistry {
  readonly clients: ReadonlyMap<string, ResilientRedis>;
  /** Every client's events, merged. */
  readonly events$: Observable<ResilienceEvent>;
  private shuttingDown = false;
  private readonly shutdownListeners = new Set<() => void>();

  constructor(options: ResilientRedisOptions | readonly ResilientRedisOptions[]) {
    const list = Array.isArray(options) ? options : [options as ResilientRedisOptions];
    if (list.length === 0) throw new InvalidOptionsError(['at least one client must be configured']);
    const names = list.map((o) => o.name ?? DEFAULT_CLIENT_NAME);
    const dupes = names.filter((n, i) => names.indexOf(n) !== i);
    if (dupes.length) throw new InvalidOptionsError([`client names must be unique; repeated: ${[...new Set(dupes)].join(', ')}`]);
    const map = new Map<string, ResilientRedis>();
    try {
      for (const o of list) map.set(o.name ?? DEFAULT_CLIENT_NAME, new ResilientRedis(o));
    } catch (error) {
      // Clients connect on construction: the ones built before the bad options must not
      // keep connecting (and the process alive) behind a registry that never existed.
      for (const c of map.values()) c.disconnect();
      throw error;
    }
    this.clients = map;
    this.events$ = merge(...[...map.values()].map((c) => c.events$));
  }

  /**
   * The client `get()` returns without a name, and the adapters inject by default: the one
   * named "default" if there is one, else the first configured. One rule, used everywhere.
   */
  get defaultName(): string {
    if (this.clients.has(DEFAULT_CLIENT_NAME)) return DEFAULT_CLIENT_NAME;
    return this.clients.keys().next().value ?? DEFAULT_CLIENT_NAME;
  }

  /** The named client, or the default one (see `defaultName`). */
  get(name?: string): ResilientRedis {
    const key = name ?? this.defaultName;
    const client = this.clients.get(key);
    if (!client) throw new UnknownClientError(key, [...this.clients.keys()]);
    return client;
  }

  /**
   * Connects every client. Required clients that fail make it reject, unless `tolerate` is
   * set: then the app starts anyway and readiness reports the client as down until it
   * recovers on its own.
   */
  async connectAll(tolerate = false): Promise<Array<{ name: string; error: unknown }>> {
    const failures: Array<{ name: string; error: unknown }> = [];
    await Promise.all(
      [...this.clients.values()].map((c) =>
        c.connect().catch((error: unknown) => {
          failures.push({ name: c.name, error });
        }),
      ),
    );
    const fatal = failures.find((f) => this.clients.get(f.name)!.resolved.required);
    if (fatal && !tolerate) throw fatal.error;
    return failures;
  }

  /** Readiness turns to `shutting_down` from now on (call before draining HTTP). */
  markShuttingDown(): void {
    this.shuttingDown = true;
    for (const listener of this.shutdownListeners) listener();
    this.shutdownListeners.clear();
  }

  /**
   * Calls `listener` once when shutdown starts (at once if it has), so long-lived responses
   * such as an SSE stream end before the HTTP server waits for them. Returns the unsubscribe.
   */
  onShuttingDown(listener: () => void): () => void {
    if (this.shuttingDown) listener();
    else this.shutdownListeners.add(listener);
    return () => this.shutdownListeners.delete(listener);
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  liveness(): HealthReport {
    return liveness();
  }

  readiness(): HealthReport {
    return readiness([...this.clients.values()], this.shuttingDown);
  }

  report(eventLimit?: number): HealthReport {
    return report([...this.clients.values()], this.shuttingDown, eventLimit);
  }

  /** Drains and closes every client. */
  async closeAll(): Promise<void> {
    this.markShuttingDown();
    await Promise.all([...this.clients.values()].map((c) => c.close()));
  }
}

export function createClientRegistry(options: ResilientRedisOptions | readonly ResilientRedisOptions[]): ClientRegistry {
  return new ClientRegistry(options);
}
