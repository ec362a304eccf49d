import type { CanActivate, Type } from '@nestjs/common';
import type { ResilienceLogger } from '../core/events/resilience-logger.js';
import type { MetricsOptions, ResilientRedisOptions } from '../core/options/resilient-redis-options.js';
import type { UnavailableResponseOptions } from '../core/http/http-translation.js';

/** Options of `RedisResilienceModule.forRoot()` and of the `forRootAsync()` factory. */
export interface RedisResilienceModuleOptions {
  /** One client, or several with distinct names. */
  clients: ResilientRedisOptions | readonly ResilientRedisOptions[];
  /** Logger for clients that set none. @default a Nest `Logger` with context "RedisResilience" */
  logger?: ResilienceLogger;
  /** Metrics settings for clients that set none (e.g. `{ registry }` served on `/metrics`). */
  metrics?: MetricsOptions;
  /**
   * Reject application startup when a required client cannot connect. Off by default: the
   * app starts, readiness reports the client as down, and the client keeps reconnecting (a
   * Redis outage must not crash-loop every pod). @default false
   */
  failFastOnBoot?: boolean;
  /**
   * Close the clients in `onApplicationShutdown`. Turn it off when the app closes them
   * itself, after its own shutdown work that still needs Redis. @default true
   */
  closeOnShutdown?: boolean;
}

/** The opt-in status controller. */
export interface StatusControllerOptions {
  /** Route prefix. @default 'redis-resilience' */
  path?: string;
  /** Guards for every status route (the report names internal addresses). */
  guards?: ReadonlyArray<Type<CanActivate> | CanActivate>;
  /** Recent events per client in the report. @default 20 */
  eventLimit?: number;
  /**
   * Serve the verbose report and raw events, and show addresses on the status page. With
   * `false` those two routes answer 404 and the page names shards and endpoints only.
   * @default true (the controller itself is opt-in; protect it with `guards`)
   */
  verbose?: boolean;
  /** The status page (`GET <path>/page`). */
  page?: {
    /** Page title. @default 'Redis resilience status' */
    title?: string;
    /** How often the page re-reads the grid between events, in ms. @default 2000 */
    refreshMs?: number;
    /** Timeline entries the page starts with, across every client. @default 50 */
    eventLimit?: number;
  };
  /**
   * Add `POST <path>/breakers/:client/:node/:action` (`open` | `close`) to force a breaker
   * open or release it, and buttons for it on the status page. It needs a guard: `true`
   * uses the status `guards`, `{ guards }` adds its own. Control without any guard throws
   * `InvalidOptionsError` from `forRoot()`. @default false
   */
  control?: boolean | { guards?: ReadonlyArray<Type<CanActivate> | CanActivate> };
}

/**
 * Module-definition options that shape the module itself, so they can't come from an
 * async factory: they sit next to `useFactory` / `useClass` / `useExisting`.
 */
export interface RedisResilienceModuleExtras {
  /** Register the module globally. @default false */
  isGlobal?: boolean;
  /** Serve the verbose report and recent events; `true` for the defaults. @default false */
  statusController?: boolean | StatusControllerOptions;
  /**
   * Client names to expose as `@InjectResilientRedis(name)` tokens. `forRoot` derives them
   * from `clients`; `forRootAsync` can't know them before the factory runs, so list them
   * here. The default token and `ClientRegistry` are always available.
   */
  clientNames?: readonly string[];
}

/** Options of `RedisResilienceExceptionFilter`. */
export type ExceptionFilterOptions = UnavailableResponseOptions;
