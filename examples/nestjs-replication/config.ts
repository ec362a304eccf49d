import type { Registry } from 'prom-client';
import type { ResilienceLogger } from 'redis-resilience';

/** Everything the replication example needs; `readConfig` fills it from the environment. */
export interface ReplicationExampleConfig {
  /** The primary endpoint: a DNS name that moves to the promoted replica on failover. */
  primary: { host: string; port: number };
  /** The reader endpoint; reads fall back to the primary while it is unavailable. */
  reader?: { host: string; port: number };
  password?: string;
  /** DNS servers (`ip` or `ip:port`) for the endpoint names; default: the system resolver. */
  dnsServers?: string[];
  /** Floor of the re-resolve interval in ms, whatever the TTL says. */
  dnsMinIntervalMs?: number;
  /**
   * On SIGTERM, readiness reports shutting_down this long before the HTTP server closes, so
   * the load balancer stops routing here first (Terminus's gracefulShutdownTimeoutMs).
   */
  shutdownGraceMs?: number;
  /** Metrics registry served on /metrics; each app gets its own unless one is passed. */
  registry?: Registry;
  /** Logger for the Redis client; default: Nest's Logger. */
  logger?: ResilienceLogger;
}

const parseAddress = (text: string): { host: string; port: number } => {
  const i = text.lastIndexOf(':');
  if (i < 1) throw new Error(`expected host:port, got "${text}"`);
  return { host: text.slice(0, i), port: Number(text.slice(i + 1)) };
};

/**
 * Reads `REDIS_PRIMARY` (`host:port`, default 127.0.0.1:6379), `REDIS_READER` (`host:port`),
 * `REDIS_PASSWORD`, `DNS_SERVERS` (comma-separated), `DNS_MIN_INTERVAL_MS` and `SHUTDOWN_GRACE_MS`
 * (default 5000).
 */
export function readConfig(env: NodeJS.ProcessEnv = process.env): ReplicationExampleConfig {
  return {
    primary: parseAddress(env.REDIS_PRIMARY ?? '127.0.0.1:6379'),
    ...(env.REDIS_READER ? { reader: parseAddress(env.REDIS_READER) } : {}),
    ...(env.REDIS_PASSWORD ? { password: env.REDIS_PASSWORD } : {}),
    ...(env.DNS_SERVERS ? { dnsServers: env.DNS_SERVERS.split(',').map((s) => s.trim()) } : {}),
    ...(env.DNS_MIN_INTERVAL_MS ? { dnsMinIntervalMs: Number(env.DNS_MIN_INTERVAL_MS) } : {}),
    shutdownGraceMs: Number(env.SHUTDOWN_GRACE_MS ?? 5000),
  };
}
