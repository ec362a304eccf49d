import type { BreakerStateName } from '../events/resilience-event.js';
import type { Mode } from '../options/resilient-redis-options.js';

/** One shard's or endpoint's node, as the health model sees it. Contains no secrets. */
export interface NodeHealth {
  /** `host:port` currently connected to. */
  readonly address: string;
  readonly role: 'primary' | 'replica';
  /** Shard id (cluster) or endpoint name (replication, standalone). */
  readonly label: string;
  readonly connected: boolean;
  readonly breaker: BreakerStateName;
  /** Failure percentage in the breaker's rolling window. */
  readonly failureRate: number;
  /** Calls waiting for this node to become ready. */
  readonly queueDepth: number;
}

/** The client's view of one watched DNS name. */
export interface DnsHealth {
  readonly name: string;
  /** The address in use. */
  readonly address: string | undefined;
  readonly ttlSeconds: number | undefined;
  /** Wall-clock ms of the last address change. */
  readonly lastChangeAt: number | undefined;
  /** Every address of the last answer. */
  readonly addresses?: readonly string[];
  /** Wall-clock ms of the last successful resolution. */
  readonly lastResolvedAt?: number | undefined;
  /** Why the last resolution failed, if it did. */
  readonly lastError?: string | undefined;
  /** Wall-clock ms until which the name is polled quickly, if it is. */
  readonly fastPollUntil?: number | undefined;
}

/** Immutable point-in-time view of one client. */
export interface ClientHealthSnapshot {
  readonly client: string;
  readonly mode: Mode;
  readonly required: boolean;
  /** Cluster mode: whether losing some shards counts as degraded rather than down. */
  readonly allowPartial: boolean;
  readonly status: 'connecting' | 'ready' | 'closing' | 'closed';
  readonly nodes: readonly NodeHealth[];
  /** Calls in flight through the command path. */
  readonly inFlight: number;
  /** Milliseconds since the topology was last confirmed (cluster), if known. */
  readonly topologyAgeMs?: number;
  /** DNS view per watched name (replication, cluster configuration endpoint). */
  readonly dns?: ReadonlyArray<DnsHealth>;
  readonly takenAt: number;
}
