import type { Registry } from 'prom-client';
import type { ResilienceLogger } from 'redis-resilience';

/** Everything the cluster example needs; `readConfig` fills it from the environment. */
export interface ClusterExampleConfig {
  /** Seed nodes, or one configuration endpoint name (ElastiCache cluster mode enabled). */
  nodes: Array<{ host: string; port: number }>;
  password?: string;
  /** DNS servers for the configuration endpoint name (`ip` or `ip:port`); default: the system resolver. */
  dnsServers?: string[];
  /** Seconds a cached item lives. */
  cacheTtlSeconds: number;
  /**
   * On SIGTERM, readiness reports shutting_down this long before the HTTP server closes, so
   * the load balancer stops routing here first (Terminus's gracefulShutdownTimeoutMs).
   */
  shutdownGraceMs?: number;
  /** Metrics registry served on /metrics; each app gets its own unless one is passed. */
  registry?: Registry;
  /** Logger for the Redis clients; default: Nest's Logger. */
  logger?: ResilienceLogger;
  /** Per-attempt timeout in ms (how fast a hung shard is detected). */
  attemptTimeoutMs?: number;
  /** Total deadline of a call in ms. */
  totalTimeoutMs?: number;
}

const parseAddress = (text: string): { host: string; port: number } => {
  const i = text.lastIndexOf(':');
  if (i < 1) throw new Error(`expected host:port, got "${text}"`);
  return { host: text.slice(0, i), port: Number(text.slice(i + 1)) };
};

const optionalNumber = (text: string | undefined): number | undefined => (text ? Number(text) : undefined);

/**
 * Reads `REDIS_NODES` (comma-separated `host:port`, default 127.0.0.1:7000), `REDIS_PASSWORD`,
 * `DNS_SERVERS` (comma-separated), `CACHE_TTL_SECONDS` (default 60), `REDIS_ATTEMPT_TIMEOUT_MS`,
 * `REDIS_TOTAL_TIMEOUT_MS` and `SHUTDOWN_GRACE_MS` (default 5000).
 */
export function readConfig(env: NodeJS.ProcessEnv = process.env): ClusterExampleConfig {
  return {
    nodes: (env.REDIS_NODES ?? '127.0.0.1:7000').split(',').map((s) => parseAddress(s.trim())),
    ...(env.REDIS_PASSWORD ? { password: env.REDIS_PASSWORD } : {}),
    ...(env.DNS_SERVERS ? { dnsServers: env.DNS_SERVERS.split(',').map((s) => s.trim()) } : {}),
    cacheTtlSeconds: Number(env.CACHE_TTL_SECONDS ?? 60),
    attemptTimeoutMs: optionalNumber(env.REDIS_ATTEMPT_TIMEOUT_MS),
    totalTimeoutMs: optionalNumber(env.REDIS_TOTAL_TIMEOUT_MS),
    shutdownGraceMs: Number(env.SHUTDOWN_GRACE_MS ?? 5000),
  };
}
