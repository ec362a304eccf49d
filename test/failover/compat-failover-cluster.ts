// The deployment both library failover tests start from: a warm 3x1 cluster and a client that
// already sees every node, so the fault, not discovery, is what the test measures.
import type { PolicyOptions, ResilientRedis } from '../../src/index.js';
import type { ClusterLab, Lab } from '../support/lab.js';
import { compatClient } from '../compat/compat-clients.js';
import { waitForFullTopology, warmCluster } from './cluster-failover-harness.js';

export async function warmClusterClient(
  lab: Lab,
  name: string,
  policy: Partial<PolicyOptions> = {},
): Promise<{ cluster: ClusterLab; redis: ResilientRedis }> {
  const cluster = await lab.cluster({ primaries: 3, replicasPerPrimary: 1 });
  await warmCluster(cluster);
  const redis = compatClient(lab, { name, mode: 'cluster', nodes: cluster.seeds(), policy });
  await redis.connect();
  await waitForFullTopology(redis, cluster);
  return { cluster, redis };
}
