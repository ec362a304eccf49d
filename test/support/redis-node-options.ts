/** What a lab redis-server is started with: its host, port, password, TLS, cluster mode, config. */
import type { ClusterModeOptions } from './redis-config.js';
import type { ServerCert } from './tls-ca.js';

/** Options for `startRedisNode` (redis-node.ts). */
export interface RedisNodeOptions {
  /** Loopback address to bind (127.0.0.1, 127.0.0.2, ...: separate hosts on Linux). */
  host?: string;
  /** A fixed port. Default: a free port from ports.ts (then a clash at start is retried). */
  port?: number;
  /** Hosts the allocated port must also be free on (default: just `host`). */
  portHosts?: readonly string[];
  /** `requirepass` and `masterauth`. */
  password?: string;
  /** TLS only: `true` uses the test CA's default server cert; or pass a specific cert. */
  tls?: boolean | ServerCert;
  /** Cluster mode. */
  cluster?: ClusterModeOptions;
  /** Extra redis.conf settings (`{ 'repl-timeout': '5' }`). */
  extraConfig?: Readonly<Record<string, string>>;
  /** Name used in folder names and messages. */
  label?: string;
  /** Bound on waiting for the server to answer PING. Default 10 s. */
  startTimeoutMs?: number;
}
