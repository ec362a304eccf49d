import type { ClusterNodeSet } from './cluster-node-set.js';
import type { Endpoint } from '../endpoint/endpoint.js';

/** A replica that answered LOADING/MASTERDOWN gets no reads for this long, ms. */
export const AVOID_REPLICA_MS = 1000;

/**
 * Picks the replica of a shard that serves a read: connected, not behind an open breaker, and
 * not answering LOADING or MASTERDOWN lately; in turn, so reads spread over a shard's replicas.
 */
export class ReplicaPicker {
  private readonly avoidUntil = new WeakMap<Endpoint, number>();
  private turn = 0;

  constructor(private readonly nodes: ClusterNodeSet) {}

  pick(shard: number): Endpoint | undefined {
    const replicas = this.nodes.replicasOf(shard);
    const now = performance.now();
    for (let i = 0; i < replicas.length; i++) {
      const r = replicas[(this.turn++ + i) % replicas.length]!;
      if (r.usable && (this.avoidUntil.get(r) ?? 0) <= now) return r;
    }
    return undefined;
  }

  /** `replica` is loading or has lost its primary: leave it out for a while. */
  avoid(replica: Endpoint): void {
    this.avoidUntil.set(replica, performance.now() + AVOID_REPLICA_MS);
  }
}
