/**
 * The redis.conf a lab server runs with. Written to the node's folder so that a restart uses the
 * very same configuration (only the port may change) and a human can read what ran.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterBusOffset } from './ports.js';
import type { ServerCert } from './tls-ca.js';

/** Cluster-mode settings of one node. */
export interface ClusterModeOptions {
  /** `cluster-node-timeout`: how long a node may be unreachable before it is flagged failing. */
  nodeTimeoutMs?: number;
  /** `cluster-announce-hostname`: makes redirects and CLUSTER SLOTS name this host, as with TLS. */
  announceHostname?: string;
}

/** Everything that shapes a server's configuration. */
export interface RedisConfigInput {
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  readonly password?: string | undefined;
  /** The server certificate plus the CA file; when set, the server speaks TLS only. */
  readonly tls?: { readonly cert: ServerCert; readonly caFile: string } | undefined;
  readonly cluster?: ClusterModeOptions | undefined;
  /** Extra `name value` pairs, appended last so they win. */
  readonly extra?: Readonly<Record<string, string>> | undefined;
}

/** Path of the server log inside a node folder. */
export function logFileOf(dir: string): string {
  return join(dir, 'redis.log');
}

/** Builds the config as ordered `[name, value]` pairs. */
export function redisConfig(input: RedisConfigInput): [string, string][] {
  const { host, port, dir } = input;
  const lines: [string, string][] = [
    ['bind', host],
    // Outgoing connections (replication, cluster bus) come from the node's own host. Otherwise
    // Linux picks 127.0.0.1 as the source for every loopback address, a primary on 127.0.0.3
    // would list its replica as 127.0.0.1:<port>, and FAILOVER would hand over to nobody.
    ['bind-source-addr', host],
    ['protected-mode', 'no'],
    ['daemonize', 'no'],
    ['dir', dir],
    ['logfile', logFileOf(dir)],
    // No persistence: a restarted node comes back empty, like a replaced cache node.
    ['save', ''],
    ['appendonly', 'no'],
    // DEBUG SLEEP is one of the lab's faults (a hung server that still holds its connections).
    ['enable-debug-command', 'yes'],
    // Redis 7 waits 5 s before a diskless full sync by default; replicas must link up at once.
    ['repl-diskless-sync', 'yes'],
    ['repl-diskless-sync-delay', '0'],
  ];
  if (input.tls) {
    lines.push(
      ['port', '0'],
      ['tls-port', String(port)],
      ['tls-cert-file', input.tls.cert.certFile],
      ['tls-key-file', input.tls.cert.keyFile],
      ['tls-ca-cert-file', input.tls.caFile],
      // Clients authenticate with passwords, not certificates, as on ElastiCache.
      ['tls-auth-clients', 'no'],
      ['tls-replication', 'yes'],
    );
    if (input.cluster) lines.push(['tls-cluster', 'yes']);
  } else {
    lines.push(['port', String(port)]);
  }
  if (input.password !== undefined) {
    lines.push(['requirepass', input.password], ['masterauth', input.password]);
  }
  if (input.cluster) {
    lines.push(
      ['cluster-enabled', 'yes'],
      ['cluster-config-file', join(dir, 'nodes.conf')],
      ['cluster-node-timeout', String(input.cluster.nodeTimeoutMs ?? 1500)],
      // Explicit, because with TLS (`port 0`) the default would derive from the plain port.
      ['cluster-port', String(port + clusterBusOffset)],
      // A replica may always take over, however long it was cut off: tests pause nodes freely.
      ['cluster-replica-validity-factor', '0'],
      // Keep the layout the test built: replicas must not wander to other primaries.
      ['cluster-allow-replica-migration', 'no'],
      ['cluster-require-full-coverage', 'yes'],
    );
    if (input.cluster.announceHostname) {
      lines.push(['cluster-announce-hostname', input.cluster.announceHostname], ['cluster-preferred-endpoint-type', 'hostname']);
    }
  }
  for (const [name, value] of Object.entries(input.extra ?? {})) lines.push([name, value]);
  return lines;
}

/** Writes the config to `<dir>/redis.conf` and returns its path. */
export function writeRedisConfig(input: RedisConfigInput): string {
  const file = join(input.dir, 'redis.conf');
  const text = redisConfig(input)
    .map(([name, value]) => `${name} ${quote(value)}`)
    .join('\n');
  writeFileSync(file, `${text}\n`, { mode: 0o600 });
  return file;
}

function quote(value: string): string {
  if (value !== '' && /^[\w./:@*,-]+$/.test(value)) return value;
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}
