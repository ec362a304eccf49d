/**
 * A single standalone node: the deployment where nothing fails over and the client's only job is
 * to fail fast while the node is down and reconnect when it is back.
 */
import { type RedisNode, startRedisNode } from './redis-node.js';
import type { ServerCert } from './tls-ca.js';

/** Options for {@link startStandalone}. */
export interface StandaloneLabOptions {
  /** Loopback host. Default 127.0.0.1. */
  host?: string;
  password?: string;
  /** TLS (`true`: the test CA's default cert). */
  tls?: boolean | ServerCert;
  /** Extra redis.conf settings. */
  extraConfig?: Readonly<Record<string, string>>;
}

/** Starts one standalone redis-server; the returned handle has every process-level fault. */
export function startStandalone(options: StandaloneLabOptions = {}): Promise<RedisNode> {
  return startRedisNode({
    label: 'standalone',
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.password === undefined ? {} : { password: options.password }),
    ...(options.tls ? { tls: options.tls } : {}),
    ...(options.extraConfig ? { extraConfig: options.extraConfig } : {}),
  });
}
