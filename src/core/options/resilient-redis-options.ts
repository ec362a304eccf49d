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
  /** DNS servers as `ip`, `ipv4:port` or `[ipv6]:port`, checked at construction; default: the system resolver. */
  servers?: string[];
  /** A custom resolver; overrides `servers`. Returns IPv4 addresses with their TTL in seconds. */
  resolve?: (hostname: string) => Promise<Array<{ address: string; ttl: number }>>;
  /**
   * Shortest re-resolve interval in milliseconds, whatever the TTL says. At least 100: a
   * record with a TTL of 0 must not turn every client into a resolver hammer. @default 1000
   */
  minIntervalMs?: number;
  /** Longest re-resolve interval in milliseconds, whatever the TTL says. At least 100. @default 30000 */
  maxIntervalMs?: number;
  /**
   * Re-resolve interval in milliseconds while there is evidence of a failover (READONLY,
   * connection errors, repeated timeouts, a breaker opening). At least 50 (20 queries a second
   * per name). @default 250
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
  /**
   * Whether the commands a connection is given in one tick of the event loop leave in one
   * socket write. Each is still its own command with its own reply, deadline and retry; only
   * the write is shared, so many concurrent calls cost one system call instead of one each.
   * A call with nothing else in flight is written at once; the others wait at most for the end
   * of the current tick (no timer). Set false to write each command the moment it is issued.
   * @default true
   */
  coalesceWrites?: boolean;
  /**
   * ioredis's auto-pipelining switch, accepted so that ioredis options carry over. Its gain
   * (one write per tick) is what `coalesceWrites` already gives, without grouping commands
   * into pipelines, so `true` changes nothing unless `coalesceWrites` is false, and that
   * combination is refused. @default false
   */
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
  /**
   * Where reads go ({@link ReadFrom}; transactions, WAIT and writes always go to the primary):
   * - `primary`: the primary only, for callers that must read their own writes (a session
   *   store, a rate limiter). The `reader` is then not connected to, and readiness does not
   *   depend on it (its name is resolved once: a demoted primary naming that host is followed);
   * - `replica-preferred`: the reader, and the primary while the reader is unavailable
   *   (disconnected, breaker open or probing, LOADING, MASTERDOWN);
   * - `primary-preferred`: the primary, and the reader while the primary's breaker is open, its
   *   connection is down, or it just failed the read. Those reads may be behind by the
   *   replication lag.
   *
   * `replica-preferred` and `primary-preferred` need a `reader`: without one they would
   * silently mean `primary`, so they are refused with `InvalidOptionsError`.
   * @default 'replica-preferred' with a `reader`, 'primary' without
   */
  readFrom?: ReadFrom;
  dns?: DnsOptions;
}

/**
 * Where reads go (cluster: per shard; replication: between the primary and the reader):
 * - `primary`: always the (shard's) primary (reads see every acknowledged write);
 * - `replica-preferred`: a healthy replica (the reader), else the primary;
 * - `primary-preferred` (MongoDB's name): the primary, and while its breaker is open or its
 *   connection is down, the replicas (the reader). Those reads may be behind by the
 *   replication lag (unknowable per read); in a cluster with `cluster-require-full-coverage
 *   yes` the replica answers CLUSTERDOWN too once the primary is marked failed, so they only
 *   help until then.
 */
export type ReadFrom = 'primary' | 'replica-preferred' | 'primary-preferred';

/**
 * Cluster mode: what to do with a multi-key command whose keys span hash slots. By default it
 * fails with `CrossSlotError` before any I/O, as Redis itself would refuse it.
 */
export interface CrossSlotOptions {
  /**
   * Split MGET, DEL, UNLINK, EXISTS and TOUCH whose keys span slots into one command per slot,
   * sent in parallel (each through its own shard's breaker) and merged back in the caller's
   * key order (MGET) or summed (the counts). Not atomic: another client may see some parts
   * applied and not others. When a part fails the others still complete, and the call
   * rejects with one `PartialFailureError` listing every part's result or error.
   * @default false
   */
  split?: boolean;
  /**
   * Also split MSET (needs `split`). MSET is atomic on one node; split, a failed part leaves the
   * other slots' keys written, so it is a separate opt-in. @default false
   */
  splitMset?: boolean;
}

export interface ClusterModeOptions extends CommonOptions {
  mode: 'cluster';
  /** Seed nodes, or one configuration endpoint name that resolves to many addresses. */
  nodes: NodeAddress[];
  /** Where reads go. @default 'primary' */
  readFrom?: ReadFrom;
  dns?: DnsOptions;
  /** Multi-key commands across hash slots: fail (default) or split per slot. */
  crossSlot?: CrossSlotOptions;
  /** Topology refresh settings. */
  topology?: {
    /**
     * Periodic full read of the slot map (CLUSTER SLOTS), in milliseconds, jittered ±20 %.
     * Between two reads a CLUSTER INFO on one node every 10 s (a few hundred bytes at any
     * cluster size) catches a grown epoch or a node or slot count that moved, and MOVED does
     * the rest: the default keeps a fleet under one full read per client per minute. At least
     * 1000. @default 75000
     */
    refreshIntervalMs?: number;
    /**
     * Minimum gap between the starts of two topology refreshes, in milliseconds: the
     * refresh-storm bound. Whatever fires (a burst of MOVED, every call timing out, breakers
     * opening), one client starts at most one refresh per gap, with one in flight at a time,
     * and while refreshes fail the gap doubles up to 2 s. A failover costs at most two full
     * reads: the failing shard is followed by ROLE probes of its replicas instead. At least
     * 50. @default 250
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
