// One ResilientRedis per mode on a fresh lab deployment, closed at the lab's teardown: what
// every compatibility test hands to the library under test.
import { createResilientRedis, type ReadFrom, type ResilientRedis, type ResilientRedisOptions, silentLogger } from '../../src/index.js';
import type { ClusterLab, Lab, RedisNode, ReplicationLab } from '../support/lab.js';

/** A quiet client (no logs, no metrics), closed at teardown. */
export function compatClient(lab: Lab, options: ResilientRedisOptions): ResilientRedis {
  const c = createResilientRedis({ logger: silentLogger, metrics: { enabled: false }, ...options } as ResilientRedisOptions);
  lab.defer(() => c.close());
  return c;
}

export async function standaloneClient(lab: Lab, name: string): Promise<{ redis: ResilientRedis; node: RedisNode }> {
  const node = await lab.standalone();
  return { node, redis: compatClient(lab, { name, mode: 'standalone', node: { host: node.host, port: node.port } }) };
}

/** Primary and reader by address (no DNS names): the library sees reads go to the replica. */
export async function replicationClient(
  lab: Lab,
  name: string,
  readFrom?: ReadFrom,
): Promise<{ redis: ResilientRedis; pair: ReplicationLab }> {
  const pair = await lab.replicationPair();
  const redis = compatClient(lab, {
    name,
    mode: 'replication',
    primary: { host: pair.primary.host, port: pair.primary.port },
    reader: { host: pair.replica.host, port: pair.replica.port },
    ...(readFrom === undefined ? {} : { readFrom }),
  });
  return { pair, redis };
}

/** A 3-primary cluster without replicas: enough for routing, fan-out and nodes(). */
export async function clusterClient(lab: Lab, name: string): Promise<{ redis: ResilientRedis; cluster: ClusterLab }> {
  const cluster = await lab.cluster({ primaries: 3, replicasPerPrimary: 0 });
  return { cluster, redis: compatClient(lab, { name, mode: 'cluster', nodes: cluster.seeds() }) };
}

/** How often the nodes fell back from EVALSHA to EVAL: NOSCRIPT replies and EVAL calls, summed. */
export async function scriptFallbacks(nodes: readonly RedisNode[]): Promise<{ noscript: number; evals: number }> {
  let noscript = 0;
  let evals = 0;
  for (const node of nodes) {
    const errors = await node.info('errorstats');
    const commands = await node.info('commandstats');
    noscript += Number(/count=(\d+)/.exec(errors['errorstat_NOSCRIPT'] ?? '')?.[1] ?? 0);
    evals += Number(/calls=(\d+)/.exec(commands['cmdstat_eval'] ?? '')?.[1] ?? 0);
  }
  return { noscript, evals };
}
