import type { Registry } from 'prom-client';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import type { BreakerOptions, PolicyOptions } from './policy-options.js';
import type { ResilienceLogger } from '../events/resilience-logger.js';

/** A Redis address. `host` may be an IP or a DNS name. */
export interface NodeAddress {
  host: string;
  port: number;
}

/**
 * TLS for ElastiCache in-transit encryption and friends. `true` uses the system CAs.
 * The certificate is always verified against the DNS name you configured, even when the
 * library connects by IP after resolving it itself (`servername` is set for you).
 */
export type TlsOptions = boolean | Pick<TlsConnectionOptions, 'ca' | 'cert' | 'key' | 'servername' | 'rejectUnauthorized' | 'minVersion'>;

/** How names are resolved (replication endpoints, cluster configuration endpoint). */
export interface DnsOptions {
  /** DNS servers as `ip` or `ip:port`; default: the system resolver. */
  servers?: string[];
  /** A custom resolver; overrides `servers`. Returns IPv4 addresses with their TTL in seconds. */
  resolve?: (hostname: string) => Promise<Array<{ address: string; ttl: number }>>;
  /** Shortest re-resolve interval in milliseconds, whatever the TTL says. @default 1000 */
  minIntervalMs?: number;
  /** Longest re-resolve interval in milliseconds, whatever the TTL says. @default 30000 */
  maxIntervalMs?: number;
  /**
   * Re-resolve interval in milliseconds while there is evidence of a failover (READONLY,
   * connection errors, repeated timeouts, a breaker opening). @default 250
   */
  fastPollMs?: number;
  /** How long fast polling lasts after the evidence that started it, in milliseconds. @default 30000 */
  fastPollForMs?: number;
}

/** Metrics settings. Metrics are on by default, registered on prom-client's global registry. */
export interface MetricsOptions {
  /** @default true */
  enabled?: boolean;
  /** @default prom-client's global `register` */
  registry?: Registry;
  /** Metric name prefix. @default 'redis_resilience_' */
  prefix?: string;
}

interface CommonOptions {
  /** Name used in errors, events, metrics and health. @default 'default' */
  name?: string;
  /** ACL user name. */
  username?: string;
  /** Password or ElastiCache auth token. Never logged, exported or included in errors. */
  password?: string;
  tls?: TlsOptions;
  /** Logical database (standalone and replication). @default 0 */
  db?: number;
  /** Prefix added to every key, as ioredis's `keyPrefix`. */
  keyPrefix?: string;
  /** Overrides of the mode's policy preset. */
  policy?: Partial<PolicyOptions>;
  /** Overrides of the mode's breaker preset. */
  breaker?: Partial<BreakerOptions>;
  /** Logger for one structured line per state transition. @default a console logger */
  logger?: ResilienceLogger;
  metrics?: MetricsOptions;
  /**
   * Whether readiness depends on this client. A non-required client that is down makes
   * readiness `degraded`, not `down`. @default true
   */
  required?: boolean;
  /**
   * Cluster mode: report readiness as `degraded` rather than `down` while some (not all)
   * shards are unavailable, for apps that can serve with part of the key space.
   * @default false
   */
  allowPartialAvailability?: boolean;
  /** Turn on ioredis auto-pipelining (batches commands issued in the same tick). @default false */
  enableAutoPipelining?: boolean;
  /**
   * Name set with CLIENT SETNAME on every connection the client opens, as ioredis's
   * `connectionName` (bullmq finds its workers by it). @default `redis-resilience:<name>:<role>`
   */
  connectionName?: string;
  /**
   * Don't connect on construction: wait for `connect()` or the first command, as ioredis's
   * `lazyConnect`. @default false
   */
  lazyConnect?: boolean;
}

export interface StandaloneOptions extends CommonOptions {
  mode: 'standalone';
  node: NodeAddress;
}

export interface ReplicationOptions extends CommonOptions {
  mode: 'replication';
  /** The primary endpoint: usually a DNS name that moves to the promoted replica on failover. */
  primary: NodeAddress;
  /** The reader endpoint. Reads fall back to the primary while it is unavailable. */
  reader?: NodeAddress;
  dns?: DnsOptions;
}

export type ReadFrom = 'primary' | 'replica-preferred';

export interface ClusterModeOptions extends CommonOptions {
  mode: 'cluster';
  /** Seed nodes, or one configuration endpoint name that resolves to many addresses. */
  nodes: NodeAddress[];
  /** Where reads go. @default 'primary' */
  readFrom?: ReadFrom;
  dns?: DnsOptions;
  /** Topology refresh settings. */
  topology?: {
    /** Periodic refresh interval in milliseconds (jittered ±20 %). @default 5000 */
    refreshIntervalMs?: number;
    /**
     * Minimum gap between the starts of two topology refreshes, in milliseconds: the
     * refresh-storm bound. Whatever fires (a burst of MOVED, every call timing out, breakers
     * opening), one client starts at most one refresh per gap, with one in flight at a time;
     * while a shard is degraded it polls at exactly this gap, and while refreshes fail the gap
     * doubles up to 2 s. @default 250
     */
    minRefreshGapMs?: number;
    /** Timeouts on one node within `timeoutWindowMs` that trigger a refresh. @default 2 */
    timeoutsToRefresh?: number;
    /** @default 1000 */
    timeoutWindowMs?: number;
  };
}

export type ResilientRedisOptions = StandaloneOptions | ReplicationOptions | ClusterModeOptions;
export type Mode = ResilientRedisOptions['mode'];
