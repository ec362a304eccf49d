import type { FailureScenario } from '../policy/failure-scenario.js';

/** Fields every event carries. */
interface EventBase {
  /** The client's configured name. */
  readonly client: string;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  /** `host:port` of the node or the endpoint role it concerns, when it concerns one. */
  readonly node?: string;
  /** The failure scenario behind the event, when there is one. */
  readonly scenario?: FailureScenario;
}

export type BreakerStateName = 'closed' | 'open' | 'half-open';

export type TopologyTrigger =
  | 'initial'
  | 'scheduled'
  | 'moved'
  | 'ask'
  | 'clusterdown'
  | 'connection'
  | 'timeouts'
  | 'uncovered-slot'
  | 'unknown-node'
  | 'breaker-opened'
  /** A replica of a failing shard answered ROLE with master: its promotion is adopted at once. */
  | 'replica-promoted'
  /** The cheap CLUSTER INFO check saw the epoch grow, or the node or assigned-slot count move. */
  | 'epoch-changed'
  /** The one full read that confirms a promotion adopted from ROLE. */
  | 'promotion-confirm'
  | 'manual';

export interface ClientReadyEvent extends EventBase {
  readonly type: 'client.ready';
}
export interface ClientClosedEvent extends EventBase {
  readonly type: 'client.closed';
}
export interface ConnectionLostEvent extends EventBase {
  readonly type: 'connection.lost';
  readonly node: string;
}
export interface ConnectionRestoredEvent extends EventBase {
  readonly type: 'connection.restored';
  readonly node: string;
}
export interface BreakerOpenedEvent extends EventBase {
  readonly type: 'breaker.opened';
  readonly node: string;
  /** Failure percentage in the rolling window when it opened. */
  readonly failureRate: number;
  /** Whether an operator forced it. */
  readonly forced: boolean;
}
export interface BreakerHalfOpenedEvent extends EventBase {
  readonly type: 'breaker.half_opened';
  readonly node: string;
}
export interface BreakerClosedEvent extends EventBase {
  readonly type: 'breaker.closed';
  readonly node: string;
  readonly forced: boolean;
}
export interface CommandRetriedEvent extends EventBase {
  readonly type: 'command.retried';
  readonly scenario: FailureScenario;
  readonly command: string;
  readonly attempt: number;
  readonly delayMs: number;
}
export interface QueueOverflowedEvent extends EventBase {
  readonly type: 'queue.overflowed';
  readonly node: string;
  readonly limit: number;
}
export interface TopologyRefreshedEvent extends EventBase {
  readonly type: 'topology.refreshed';
  readonly trigger: TopologyTrigger;
  readonly changed: boolean;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** Shards whose primary changed, as `old -> new`. */
  readonly promoted: readonly string[];
  readonly durationMs: number;
}
export interface TopologyRefreshFailedEvent extends EventBase {
  readonly type: 'topology.refresh_failed';
  readonly trigger: TopologyTrigger;
  readonly reason: string;
}
export interface EndpointChangedEvent extends EventBase {
  readonly type: 'endpoint.changed';
  /** The DNS name or role that moved. */
  readonly name: string;
  readonly oldAddress: string | undefined;
  readonly newAddress: string;
  /** What revealed the change: the DNS answer, or READONLY from a demoted node. */
  readonly cause: 'dns' | 'readonly' | 'role-follow';
}
export interface DnsResolvedEvent extends EventBase {
  readonly type: 'dns.resolved';
  readonly name: string;
  readonly outcome: 'success' | 'failure';
  readonly addresses: readonly string[];
  readonly ttlSeconds: number | undefined;
}
export interface FailoverDetectedEvent extends EventBase {
  readonly type: 'failover.detected';
  readonly node: string;
}
/**
 * `readFrom: 'primary-preferred'`: reads moved to replicas while their primary is down (a
 * cluster shard's replicas, or the reader in replication mode). One event per episode.
 */
export interface ReplicaReadsStartedEvent extends EventBase {
  readonly type: 'replica_reads.started';
  /** The primary that is down. */
  readonly node: string;
  readonly replica: string;
}
/** The primary (or the replica promoted in its place) takes its reads again: the episode ends. */
export interface ReplicaReadsEndedEvent extends EventBase {
  readonly type: 'replica_reads.ended';
  readonly node: string;
  /** Reads routed to a replica in the episode. */
  readonly reads: number;
  readonly durationMs: number;
}
export interface FailoverRecoveredEvent extends EventBase {
  readonly type: 'failover.recovered';
  readonly node: string;
  /** Client-side impact: from detection to the first success on the shard's new owner, ms. */
  readonly durationMs: number;
}

/**
 * Pub/sub subscriptions moved to another connection (a primary swap, a dead node, a slot that
 * moved) and the new one confirmed them. Messages published between `lostAt` and now may not
 * have been delivered (at-most-once during the switch).
 */
export interface PubSubResubscribedEvent extends EventBase {
  readonly type: 'pubsub.resubscribed';
  readonly family: 'classic' | 'sharded';
  /** The new home, `host:port`. */
  readonly node: string;
  readonly previousNode: string | undefined;
  /** Channels, patterns and shard channels restored. */
  readonly subscriptions: number;
  /** From the old home's last sign of life (or the decision to leave it) to the confirmation, ms. */
  readonly gapMs: number;
}

/** Everything `events$` can emit: a discriminated union on `type`. */
export type ResilienceEvent =
  | ClientReadyEvent
  | ClientClosedEvent
  | ConnectionLostEvent
  | ConnectionRestoredEvent
  | BreakerOpenedEvent
  | BreakerHalfOpenedEvent
  | BreakerClosedEvent
  | CommandRetriedEvent
  | QueueOverflowedEvent
  | TopologyRefreshedEvent
  | TopologyRefreshFailedEvent
  | EndpointChangedEvent
  | DnsResolvedEvent
  | FailoverDetectedEvent
  | FailoverRecoveredEvent
  | PubSubResubscribedEvent
  | ReplicaReadsStartedEvent
  | ReplicaReadsEndedEvent;

export type ResilienceEventType = ResilienceEvent['type'];

/** Event payload without the fields the bus fills in. */
export type EventInput<E extends ResilienceEvent = ResilienceEvent> = E extends ResilienceEvent ? Omit<E, 'client' | 'timestamp'> : never;
