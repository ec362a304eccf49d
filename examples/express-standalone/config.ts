import type { Registry } from 'prom-client';
import type { ResilienceLogger } from 'redis-resilience';

/** Everything the Express example needs; `readConfig` fills it from the environment. */
export interface StandaloneExampleConfig {
  redis: { host: string; port: number };
  password?: string;
  /** Metrics registry served on /metrics; a new one unless passed. */
  registry?: Registry;
  /** Logger for the Redis client and the shutdown sequence; default: console lines on stderr. */
  logger?: ResilienceLogger;
  /** HTTP listen address. */
  http: { host: string; port: number };
  /** Time readiness reports 503 before the listener closes (let the load balancer notice), ms. */
  shutdownGraceMs: number;
  /** Longest wait for in-flight requests at shutdown, ms. */
  drainMs: number;
}

/**
 * Reads `REDIS_HOST` (default 127.0.0.1), `REDIS_PORT` (6379), `REDIS_PASSWORD`, `HOST`
 * (127.0.0.1), `PORT` (3000; 0 picks a free port), `SHUTDOWN_GRACE_MS` (5000) and
 * `SHUTDOWN_DRAIN_MS` (10000).
 */
export function readConfig(env: NodeJS.ProcessEnv = process.env): StandaloneExampleConfig {
  return {
    redis: { host: env.REDIS_HOST ?? '127.0.0.1', port: Number(env.REDIS_PORT ?? 6379) },
    ...(env.REDIS_PASSWORD ? { password: env.REDIS_PASSWORD } : {}),
    http: { host: env.HOST ?? '127.0.0.1', port: Number(env.PORT ?? 3000) },
    shutdownGraceMs: Number(env.SHUTDOWN_GRACE_MS ?? 5000),
    drainMs: Number(env.SHUTDOWN_DRAIN_MS ?? 10_000),
  };
}
