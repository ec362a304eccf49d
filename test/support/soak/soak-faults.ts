/**
 * The soak's fault cycle, one every 30 s in this order: a planned failover, a hung primary, a
 * crashed-and-restarted primary, the loss of a replica. Each resolves once the cluster has
 * recovered: every slot served, the faulted node back as a replica, every replica in sync.
 */
import type { ClusterLab } from '../cluster-lab.js';
import type { RedisNode } from '../redis-node.js';

export type SoakFaultName = 'planned-failover' | 'hung-primary' | 'crashed-primary' | 'replica-loss';

export const SOAK_FAULTS: readonly SoakFaultName[] = ['planned-failover', 'hung-primary', 'crashed-primary', 'replica-loss'];

/** Bound on one fault's recovery; the cluster's node timeout is 1.5 s, so this is generous. */
const RECOVERY_MS = 30_000;

export async function injectFault(cluster: ClusterLab, fault: SoakFaultName, shard: number): Promise<string> {
  const primaries = await cluster.primaries();
  const primary = primaries[shard % primaries.length]!;
  const replica = await cluster.replicaOf(primary);
  switch (fault) {
    case 'planned-failover':
      await cluster.failover(replica, undefined, RECOVERY_MS);
      break;
    case 'hung-primary':
      await primary.pause();
      try {
        await cluster.waitForPromotion(replica, RECOVERY_MS);
      } finally {
        await primary.resume();
      }
      break;
    case 'crashed-primary':
      await primary.kill();
      await cluster.waitForPromotion(replica, RECOVERY_MS);
      // Restarted only after the promotion: it comes back empty and must rejoin as a replica.
      await primary.restart();
      break;
    case 'replica-loss':
      await replica.kill();
      await cluster.waitForClusterOk(RECOVERY_MS);
      await replica.restart();
      break;
  }
  await settle(cluster);
  return describeTarget(fault, primary, replica);
}

async function settle(cluster: ClusterLab): Promise<void> {
  await cluster.waitForClusterOk(RECOVERY_MS);
  await cluster.waitForStable(RECOVERY_MS);
}

function describeTarget(fault: SoakFaultName, primary: RedisNode, replica: RedisNode): string {
  return fault === 'replica-loss' ? `${fault} ${replica.address}` : `${fault} ${primary.address} -> ${replica.address}`;
}
