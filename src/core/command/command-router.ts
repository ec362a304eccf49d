import type { Command } from 'ioredis';
import type { FailureClass } from '../policy/failure-scenario.js';
import type { Endpoint } from '../endpoint/endpoint.js';
import type { DnsHealth } from '../health/client-health.js';

/**
 * Decides where each attempt goes, and reacts to failures: the mode-specific part of the
 * command path (standalone, replication, cluster).
 */
export interface CommandRouter {
  /**
   * The endpoint for this attempt. `previous` is the last failure of this call, so a router
   * can follow a MOVED/ASK or move a read to another node. May throw a ResilienceError
   * (e.g. cross-slot) which is returned to the caller unchanged. `slot`: the hash slot of the
   * command's keys when the caller has computed it already (a split command's part).
   */
  route(command: Command, isRead: boolean, previous: FailureClass | undefined, slot?: number): Endpoint;
  /** Where a read goes when `from`'s breaker is open, if anywhere. */
  fallback(from: Endpoint, command: Command, isRead: boolean): Endpoint | undefined;
  /** A failure was observed on `endpoint` (before any retry): trigger refresh/re-resolve. */
  onFailure(endpoint: Endpoint, failure: FailureClass): void;
  /** Extra work an attempt must do before being sent (ASKING for an ASK redirect). */
  prepare?(endpoint: Endpoint, command: Command, previous: FailureClass | undefined): undefined;
  /**
   * A recovery the router is in the middle of (first resolution, a primary swap, a topology
   * refresh after MOVED). Attempts wait for it, bounded by their deadline, before routing.
   * `isRead`: a read may have somewhere else to go (a reader) and need not wait.
   */
  pending?(previous: FailureClass | undefined, isRead?: boolean): Promise<void> | undefined;
  /** DNS view per watched name, for health. */
  dnsView?(): DnsHealth[];
  /** Milliseconds since the topology was last confirmed (cluster). */
  topologyAgeMs?(): number | undefined;
  /**
   * Splits a pipeline into parts that each go to one node (cluster shards), as lists of
   * indexes into `commands`. Undefined when the whole batch goes to one place.
   */
  partition?(commands: readonly Command[]): number[][] | undefined;
  /**
   * When `endpoint` is being failed over (a cluster shard with replicas whose primary is
   * down), resolves once its traffic has moved elsewhere. Undefined when no failover is
   * expected to rescue it.
   */
  failoverInProgress?(endpoint: Endpoint): Promise<void> | undefined;
  /**
   * Evidence that a retry after `failure` on `endpoint` can now succeed (a success on that
   * node, a promotion seen, a topology that shows the slot served). A retry waiting out its
   * backoff is released as soon as it resolves: waiters follow the server, not their own
   * timers (DESIGN §10). Undefined: the backoff alone decides.
   */
  readySignal?(endpoint: Endpoint, failure: FailureClass): Promise<void> | undefined;
  /** Every endpoint currently in use. */
  endpoints(): readonly Endpoint[];
  connect(): Promise<void>;
  close(): Promise<void>;
}
