// The set-up the cluster shard-failover suites share: a 3x2 cluster, every node on its own
// address and one shared port behind one configuration name, cluster-require-full-coverage no;
// resilient and plain ioredis clients of it; and the three faults (hung host, crash, planned).
import { after, before } from 'node:test';
import { Cluster } from 'ioredis';
import type { Registry } from 'prom-client';
import type { ReadFrom } from '../../src/core/options/resilient-redis-options.js';
import { createResilientRedis, type ResilientRedis, silentLogger } from '../../src/index.js';
import { type ClusterLab, type RedisNode, createLab, faults } from '../support/lab.js';
import { allocatePort, releaseClusterPort } from '../support/ports.js';
import { type FaultRun, type ShardFaultPlan, runShardFault, waitForFullTopology, warmCluster } from './cluster-failover-harness.js';

/** Promotion takes ~2-4 s with the lab's 1500 ms cluster-node-timeout; this is a hang guard. */
const PROMOTION_TIMEOUT_MS = 15_000;
const HOSTS = ['127.0.0.21', '127.0.0.22', '127.0.0.23', '127.0.0.24', '127.0.0.25', '127.0.0.26'];
const CONFIG_NAME = 'clustercfg.lab.test';

type Fault = Pick<ShardFaultPlan, 'inject' | 'restore'>;

export interface ShardFailoverLab {
  /** The lab cluster (set once the suite's `before` has run). */
  readonly cluster: ClusterLab;
  /** Sets cluster-require-full-coverage on every node; a restarted node gets it again. */
  setFullCoverage(value: 'yes' | 'no'): Promise<void>;
  /** A connected resilient client that sees every node; closed at teardown. */
  resilientClient(
    name: string,
    policy?: { holdDuringFailoverMs?: number },
    readFrom?: ReadFrom,
    registry?: Registry,
  ): Promise<ResilientRedis>;
  /** `runShardFault` for a resilient client: the lab's cluster, the client's events. */
  runResilient(client: ResilientRedis, plan: Omit<ShardFaultPlan, 'cluster' | 'client' | 'clientKind' | 'events$'>): Promise<FaultRun>;
  /** Plain ioredis, `new Cluster(seeds)` with default options; disconnected at teardown. */
  ioredisClient(): Cluster;
  /** SIGSTOP of the victim (hung host) until its replica is promoted; SIGCONT to restore. */
  sigstop(): Fault;
  /** SIGKILL of the victim until its replica is promoted; a restart to restore. */
  sigkill(): Fault;
  /** CLUSTER FAILOVER on the victim's replica. */
  planned(): Fault;
}

/** Registers the suite's `before`/`after` in the calling `describe` and returns its set-up. */
export function shardFailoverLab(): ShardFailoverLab {
  const lab = createLab();
  after(() => lab.teardown());
  let cluster: ClusterLab;
  let port: number;
  let dnsServer: string;
  let coverage: 'yes' | 'no' = 'no';

  async function setFullCoverage(value: 'yes' | 'no'): Promise<void> {
    coverage = value;
    for (const node of cluster.nodes) await node.command('CONFIG', 'SET', 'cluster-require-full-coverage', value);
  }

  before(async () => {
    const dns = await lab.dns();
    dnsServer = dns.server;
    // Every node on its own address and one shared port, behind one configuration name.
    port = await allocatePort({ hosts: HOSTS, clusterBus: true });
    lab.defer(() => releaseClusterPort(port));
    cluster = await lab.cluster({ primaries: 3, replicasPerPrimary: 1, hosts: HOSTS, port, dns, configEndpoint: CONFIG_NAME, ttl: 1 });
    await setFullCoverage('no');
    await warmCluster(cluster);
  });

  return {
    get cluster() {
      return cluster;
    },
    setFullCoverage,
    async resilientClient(name, policy = {}, readFrom, registry) {
      const client = createResilientRedis({
        name,
        mode: 'cluster',
        nodes: [{ host: CONFIG_NAME, port }],
        dns: { servers: [dnsServer] },
        logger: silentLogger,
        metrics: registry ? { registry } : { enabled: false },
        policy,
        ...(readFrom ? { readFrom } : {}),
      });
      lab.defer(() => client.close());
      await client.connect();
      await waitForFullTopology(client, cluster);
      return client;
    },
    runResilient: (client, plan) => runShardFault({ ...plan, cluster, client, clientKind: 'resilient', events$: client.events$ }),
    ioredisClient() {
      const client = new Cluster(cluster.seeds());
      // Only to keep the output readable: an error listener changes no behaviour.
      client.on('error', () => {});
      lab.defer(() => client.disconnect());
      return client;
    },
    sigstop: () => ({
      inject: async (victim, replica) => {
        await faults.pause(victim);
        return cluster.waitForPromotion(replica, PROMOTION_TIMEOUT_MS);
      },
      restore: (victim) => faults.resume(victim),
    }),
    sigkill: () => ({
      inject: async (victim, replica) => {
        await faults.kill(victim);
        return cluster.waitForPromotion(replica, PROMOTION_TIMEOUT_MS);
      },
      restore: async (victim: RedisNode) => {
        await victim.restart();
        // The restarted server reads its config file again: keep the whole cluster alike.
        await victim.command('CONFIG', 'SET', 'cluster-require-full-coverage', coverage);
      },
    }),
    planned: () => ({
      inject: (_victim, replica) => faults.clusterFailover(cluster, replica),
      restore: async () => {},
    }),
  };
}
