import type { Observable } from 'rxjs';
import { ClientRegistry } from '../core/client/client-registry.js';
import type { ResilientRedis } from '../core/client/resilient-redis.js';
import type { ResilienceEvent } from '../core/events/resilience-event.js';
import type { ResilienceLogger } from '../core/events/resilience-logger.js';
import type { MetricsOptions, ResilientRedisOptions } from '../core/options/resilient-redis-options.js';

/** Options of {@link createResilience}. */
export interface ResilienceOptions {
  /** One client, or several with distinct names. */
  clients: ResilientRedisOptions | readonly ResilientRedisOptions[];
  /** Logger for clients that set none. */
  logger?: ResilienceLogger;
  /** Metrics settings for clients that set none (e.g. `{ registry }` shared with `/metrics`). */
  metrics?: MetricsOptions;
}

/** A client that failed to connect at startup; it keeps reconnecting in the background. */
export interface ConnectFailure {
  name: string;
  error: unknown;
}

/** The clients of an Express app, with the one lifecycle the routers and shutdown use. */
export interface Resilience {
  /** The registry behind everything: health reports, shutdown state. */
  readonly registry: ClientRegistry;
  /** Every client by name. */
  readonly clients: ReadonlyMap<string, ResilientRedis>;
  /** Every client's events, merged. */
  readonly events$: Observable<ResilienceEvent>;
  /** The named client; without a name the one named "default", else the first configured. */
  client(name?: string): ResilientRedis;
  /**
   * Connects every client and resolves with those that failed. By default the app starts
   * anyway and readiness reports a failed required client as down until it recovers (a
   * Redis outage must not crash-loop every pod); with `failFast`, a failed required client
   * rejects instead, after closing everything.
   */
  connect(options?: { failFast?: boolean }): Promise<ConnectFailure[]>;
  /** Marks readiness as shutting down, drains in-flight calls and closes every client. */
  close(): Promise<void>;
}

function isClientOptions(value: unknown): value is ResilientRedisOptions | readonly ResilientRedisOptions[] {
  return Array.isArray(value) || (typeof value === 'object' && value !== null && 'mode' in value);
}

/**
 * Builds the clients for an Express (or any plain Node) app. Accepts the wrapper options or
 * just the client options. Nothing connects until `connect()` or the first command.
 */
export function createResilience(options: ResilienceOptions | ResilientRedisOptions | readonly ResilientRedisOptions[]): Resilience {
  const wrapper: ResilienceOptions = isClientOptions(options) ? { clients: options } : options;
  const list = (Array.isArray(wrapper.clients) ? wrapper.clients : [wrapper.clients]) as readonly ResilientRedisOptions[];
  const registry = new ClientRegistry(
    list.map((o) => ({
      ...o,
      ...(o.logger || !wrapper.logger ? {} : { logger: wrapper.logger }),
      ...(o.metrics || !wrapper.metrics ? {} : { metrics: wrapper.metrics }),
    })),
  );
  return {
    registry,
    clients: registry.clients,
    events$: registry.events$,
    client: (name) => registry.get(name),
    async connect({ failFast = false } = {}) {
      try {
        return await registry.connectAll(!failFast);
      } catch (error) {
        await registry.closeAll();
        throw error;
      }
    },
    close: () => registry.closeAll(),
  };
}
