import type { Endpoint } from '../endpoint/endpoint.js';
import type { PolicyOptions } from '../options/policy-options.js';
import type { FailureClass } from '../policy/failure-scenario.js';
import type { ClusterNodeSet } from './cluster-node-set.js';
import { deferred } from './deferred.js';
import { ReadyEvidence } from './ready-evidence.js';

/**
 * When a cluster call that is waiting may go again: what releases a retry sleeping out its
 * backoff, and a call held through its shard's failover, as soon as the servers show it can
 * succeed (DESIGN §10, the physical floor) rather than when its own timer ends:
 * - a success on the node it failed on, that node's connection back, or its breaker closed by
 *   a half-open probe ({@link ReadyEvidence});
 * - the slot layout changing: a promotion adopted, so the call routes to the new primary.
 */
export class RetryRelease {
  /** Settles at the next change of the slot layout (a promotion, a node added or removed). */
  private layoutChanged = deferred();
  private readonly evidence: ReadyEvidence;

  constructor(
    private readonly nodes: ClusterNodeSet,
    private readonly policy: Readonly<Pick<PolicyOptions, 'totalTimeoutMs' | 'backoffMaxMs' | 'holdDuringFailoverMs'>>,
  ) {
    this.evidence = new ReadyEvidence(policy.totalTimeoutMs);
  }

  /** The slot layout changed: every call waiting for that goes again. */
  layoutMoved(): void {
    const changed = this.layoutChanged;
    this.layoutChanged = deferred();
    changed.resolve();
  }

  /**
   * For a call held while `endpoint`'s shard fails over: released by the promotion, or by the
   * primary itself serving again (a hung host that resumed before its replica won), whichever
   * the servers show first. Undefined unless `endpoint` is a primary with replicas: nothing
   * else gets rescued by a promotion, and a call would wait in vain.
   */
  failover(endpoint: Endpoint): Promise<void> | undefined {
    const shard = this.nodes.shardOf(endpoint);
    if (shard < 0 || this.nodes.primaryOf(shard) !== endpoint || this.nodes.replicasOf(shard).length === 0) return undefined;
    return Promise.race([this.layoutChanged.promise, this.evidence.next([endpoint], this.policy.holdDuringFailoverMs)]);
  }

  /**
   * For a retry after `failure` on `endpoint`, sleeping out a backoff (never longer than the
   * longest one, so the evidence is not looked for longer either). Undefined: the backoff
   * alone decides.
   */
  retry(endpoint: Endpoint, failure: FailureClass): Promise<void> | undefined {
    const backoffMaxMs = this.policy.backoffMaxMs;
    switch (failure.scenario) {
      // CLUSTERDOWN ends for every node when the vote ends, but each node turns ok on its own a
      // few ms after the winner: a promotion seen is no proof this node serves yet, and a call
      // released on it would only burn an attempt. A success on this node is, and the first
      // call that gets through releases every call waiting it out.
      case 'clusterdown':
        return this.evidence.next([endpoint], backoffMaxMs);
      case 'connection':
      case 'timeout':
      case 'loading':
      case 'masterdown':
        return Promise.race([this.layoutChanged.promise, this.evidence.next([endpoint], backoffMaxMs)]);
      // TRYAGAIN is left to the backoff: other calls succeed on that node all through a
      // migration, which says nothing about this slot.
      default:
        return undefined;
    }
  }

  /** Releases every waiter (the client is closing). */
  stop(): void {
    this.evidence.stop();
    this.layoutMoved();
  }
}
