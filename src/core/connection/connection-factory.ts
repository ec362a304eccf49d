// The only file that constructs ioredis clients. Every connection the library opens gets
// the same safety settings, so no code path can forget one.
import { Redis, type RedisOptions } from 'ioredis';
import type { ResolvedOptions } from '../options/validate-options.js';
import type { NodeAddress } from '../options/resilient-redis-options.js';

export interface ConnectionSpec {
  /** Where to connect: usually an IP we resolved ourselves. */
  address: NodeAddress;
  /**
   * The DNS name the address came from. With TLS the certificate is verified against it,
   * not the IP (ElastiCache certificates name the endpoint, never the node IP).
   */
  servername?: string;
  /** Send READONLY after connecting (cluster replicas serving reads). */
  readOnly?: boolean;
  /** A tag for CLIENT LIST, e.g. the endpoint role. */
  purpose?: string;
  /** Enter MONITOR mode once connected (a dedicated connection: it can run nothing else). */
  monitor?: boolean;
}

/** Full-jitter reconnect delay: many clients restarting together must not reconnect in step. */
export function reconnectDelayMs(times: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, 50 * 2 ** Math.min(times, 10));
  return Math.max(10, Math.round(ceiling * (0.5 + random() / 2)));
}

export function createConnection(options: ResolvedOptions, spec: ConnectionSpec): Redis {
  const tls = options.tls;
  const redisOptions: RedisOptions = {
    host: spec.address.host,
    port: spec.address.port,
    username: options.username,
    password: options.password,
    db: options.mode === 'cluster' ? 0 : (options.db ?? 0),
    connectionName: options.connectionName ?? `redis-resilience:${options.name}${spec.purpose ? `:${spec.purpose}` : ''}`,
    lazyConnect: true,
    readOnly: spec.readOnly ?? false,
    // We queue calls ourselves, bounded and deadline-aware. ioredis's offline queue is
    // unbounded and replays commands that already timed out for their caller.
    enableOfflineQueue: false,
    // Resending written-but-unanswered commands after a reconnect double-applies INCR and
    // friends; our retry policy decides what may be repeated.
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    connectTimeout: Math.min(options.policy.connectTimeoutMs, Math.max(1000, options.policy.attemptTimeoutMs * 2)),
    retryStrategy: (times: number) => reconnectDelayMs(times, options.policy.reconnectMaxMs),
    // READONLY is handled by the replication endpoint logic (re-resolve, verify ROLE, swap),
    // not by blindly reconnecting to the same address.
    reconnectOnError: () => false,
    enableAutoPipelining: false,
    // RESP2 and no CLIENT SETINFO: one handshake round trip less on every (re)connect, and
    // nothing extra to hang on when a node is slow to come back.
    protocol: 2,
    disableClientInfo: true,
    keepAlive: 5000,
    noDelay: true,
    monitor: spec.monitor ?? false,
  };
  if (tls) {
    const base = tls === true ? {} : tls;
    redisOptions.tls = {
      ...base,
      servername: base.servername ?? spec.servername ?? (isIp(spec.address.host) ? undefined : spec.address.host),
    };
  }
  return new Redis(redisOptions);
}

function isIp(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

/**
 * Another connection to the same node with the same settings as `base` (a blocking command's
 * own connection), tagged with `purpose` for CLIENT LIST.
 */
export function createDedicatedConnection(base: Redis, purpose: string): Redis {
  const name = base.options.connectionName;
  return base.duplicate({ connectionName: name ? `${name}:${purpose}` : undefined, lazyConnect: true });
}
