/**
 * The test lab's front door. A test writes:
 *
 * ```ts
 * const lab = createLab();
 * after(() => lab.teardown());
 * const cluster = await lab.cluster({ primaries: 3 });
 * ```
 *
 * or `const lab = useLab()` (module/describe level) / `useLab(t)` (inside a test), which registers
 * the teardown hook itself. Everything the lab starts is stopped by pid in teardown, also when the
 * test failed; see pid-registry.ts for the layers behind that.
 */
import { after } from 'node:test';
import { Redis, type RedisOptions } from 'ioredis';
import { type ClusterLab, type ClusterLabOptions, startCluster } from './cluster-lab.js';
import { type DnsServer, startDnsServer } from './dns-server.js';
import { type RedisNode, type RedisNodeOptions, startRedisNode } from './redis-node.js';
import { type ReplicationLab, type ReplicationLabOptions, startReplicationPair } from './replication-lab.js';
import { type StandaloneLabOptions, startStandalone } from './standalone-lab.js';
import { type TestCa, testCa } from './tls-ca.js';
import { errorText, withTimeout } from './wait.js';

export * as faults from './faults.js';
export type { DebugSleep } from './faults.js';
export { type ClusterFailoverMode, type ClusterLab, type ClusterLabOptions, startCluster } from './cluster-lab.js';
export {
  type ClusterNodeInfo,
  type ShardInfo,
  evenSlotRanges,
  keysInRanges,
  parseClusterNodes,
  slotCount,
  slotOfKey,
} from './cluster-topology.js';
export { type DnsFailureMode, type DnsQueryRecord, type DnsServer, startDnsServer } from './dns-server.js';
export { type RedisNode, type RedisNodeOptions, type RedisNodeStatus, startRedisNode } from './redis-node.js';
export { type ReplicationLab, type ReplicationLabOptions, type ReplicationState, startReplicationPair } from './replication-lab.js';
export { type StandaloneLabOptions, startStandalone } from './standalone-lab.js';
export { type ServerCert, type TestCa, testCa } from './tls-ca.js';
export { type ConnectionTarget, type RoleReply, isReplyError, parseInfo } from './admin-client.js';
export { type ProcessState, isAlive, processState } from './processes.js';
export { type Moment, type WaitForOptions, errorText, now, waitFor, withTimeout } from './wait.js';

/** Collects everything a test starts and tears it all down. */
export interface Lab {
  /** The lab's DNS server (one per lab, started on first use). */
  dns(): Promise<DnsServer>;
  /** The per-process test CA and server certs. */
  tls(): Promise<TestCa>;
  /** One standalone node. */
  standalone(options?: StandaloneLabOptions): Promise<RedisNode>;
  /** A primary/replica pair on 127.0.0.2/127.0.0.3, optionally behind DNS names. */
  replicationPair(options?: ReplicationLabOptions): Promise<ReplicationLab>;
  /** A cluster (default 3 primaries + 3 replicas). */
  cluster(options?: ClusterLabOptions): Promise<ClusterLab>;
  /** One node with any options. */
  node(options?: RedisNodeOptions): Promise<RedisNode>;
  /** An ioredis client, disconnected at teardown (errors are swallowed to keep output clean). */
  client(options: RedisOptions): Redis;
  /** Registers extra cleanup; cleanups run last-in first-out. */
  defer(cleanup: () => unknown): void;
  /** Stops everything (by pid), closes clients and servers. Bounded; safe to call twice. */
  teardown(): Promise<void>;
}

/** Creates a lab. Call `teardown()` in an `after` hook, or use {@link useLab}. */
export function createLab(): Lab {
  const cleanups: { what: string; run: () => unknown }[] = [];
  let dnsServer: Promise<DnsServer> | undefined;

  const track = async <T>(what: string, start: Promise<T>, stop: (value: T) => unknown): Promise<T> => {
    const value = await start;
    cleanups.push({ what, run: () => stop(value) });
    return value;
  };

  return {
    dns() {
      if (!dnsServer) {
        dnsServer = track('dns server', startDnsServer(), (server) => server.close());
      }
      return dnsServer;
    },
    tls: () => testCa(),
    standalone: (options) => track('standalone', startStandalone(options), (node) => node.stop()),
    replicationPair: (options) => track('replication pair', startReplicationPair(options), (pair) => pair.stop()),
    cluster: (options) => track('cluster', startCluster(options), (cluster) => cluster.stop()),
    node: (options) => track('node', startRedisNode(options), (node) => node.stop()),
    client(options) {
      const client = new Redis(options);
      client.on('error', () => {});
      cleanups.push({ what: 'client', run: () => client.disconnect() });
      return client;
    },
    defer(cleanup) {
      cleanups.push({ what: 'deferred cleanup', run: cleanup });
    },
    async teardown() {
      const failures: string[] = [];
      // Clients first (they would otherwise spin reconnecting to stopped servers), then the rest
      // in reverse order of creation.
      const ordered = [...cleanups.filter((c) => c.what === 'client'), ...cleanups.filter((c) => c.what !== 'client').toReversed()];
      cleanups.length = 0;
      dnsServer = undefined;
      for (const cleanup of ordered) {
        try {
          await withTimeout(Promise.resolve().then(cleanup.run), 15_000, `teardown of ${cleanup.what}`);
        } catch (error) {
          failures.push(`${cleanup.what}: ${errorText(error)}`);
        }
      }
      if (failures.length > 0) throw new Error(`lab teardown had ${failures.length} failure(s):\n${failures.join('\n')}`);
    },
  };
}

/**
 * Creates a lab whose teardown is already registered: with a test context `t`, in `t.after`;
 * without, in `node:test`'s `after` for the enclosing describe/file.
 */
export function useLab(t?: { after: (fn: () => Promise<void>) => void }): Lab {
  const lab = createLab();
  if (t) t.after(() => lab.teardown());
  else after(() => lab.teardown());
  return lab;
}
