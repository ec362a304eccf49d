/**
 * Every metric the library exports, in one table. Names get the configurable prefix
 * (default `redis_resilience_`). Units are base units (seconds); counters end in `_total`.
 * Labels are bounded by topology and configuration — never a key or an argument.
 */
export const METRICS = {
  /**
   * `fallback="primary-down"` marks the successful reads a replica served because its shard's
   * primary was down (`readFrom: 'primary-preferred'`); every other series has no `fallback`
   * label (PromQL: `fallback=""`). One value, so it adds at most one series per replica.
   */
  commands: {
    name: 'commands_total',
    help: 'Commands completed, by outcome (success or error) and failure scenario (none on success); fallback="primary-down" on reads a replica served while its primary was down.',
    labels: ['client', 'node', 'role', 'outcome', 'scenario', 'fallback'],
  },
  commandDuration: {
    name: 'command_duration_seconds',
    help: 'Duration of successful commands, including queueing and retries, in seconds.',
    labels: ['client', 'node', 'role'],
  },
  breakerState: {
    name: 'breaker_state',
    help: 'Circuit breaker state per node: 1 for the current state, 0 for the others.',
    labels: ['client', 'node', 'state'],
  },
  breakerTransitions: {
    name: 'breaker_transitions_total',
    help: 'Circuit breaker state transitions, by target state.',
    labels: ['client', 'node', 'state'],
  },
  retries: {
    name: 'retries_total',
    help: 'Command retries, by the failure scenario that caused them.',
    labels: ['client', 'scenario'],
  },
  topologyRefreshes: {
    name: 'topology_refreshes_total',
    help: 'Cluster topology refreshes, by trigger and outcome.',
    labels: ['client', 'trigger', 'outcome'],
  },
  topologyRefreshDuration: {
    name: 'topology_refresh_duration_seconds',
    help: 'Duration of successful cluster topology refreshes, in seconds.',
    labels: ['client'],
  },
  dnsResolutions: {
    name: 'dns_resolutions_total',
    help: 'DNS resolutions of watched endpoint names, by outcome.',
    labels: ['client', 'name', 'outcome'],
  },
  dnsChanges: {
    name: 'dns_address_changes_total',
    help: 'Address changes observed behind watched endpoint names.',
    labels: ['client', 'name'],
  },
  queueDepth: {
    name: 'queue_depth',
    help: 'Calls waiting for a node to become ready.',
    labels: ['client', 'node'],
  },
  queueOverflows: {
    name: 'queue_overflows_total',
    help: 'Calls rejected at once because the wait queue for a node was full.',
    labels: ['client', 'node'],
  },
  inFlight: {
    name: 'in_flight',
    help: 'Calls in flight through the command path.',
    labels: ['client'],
  },
  connected: {
    name: 'node_connected',
    help: '1 when the connection to the node is ready, else 0.',
    labels: ['client', 'node', 'role'],
  },
  failovers: {
    name: 'failovers_total',
    help: 'Failovers observed by the client (a shard or endpoint became unavailable).',
    labels: ['client', 'node'],
  },
  failoverDuration: {
    name: 'failover_duration_seconds',
    help: 'Client-side duration of observed failovers, from detection to recovery, in seconds.',
    labels: ['client'],
  },
} as const;

export type MetricKey = keyof typeof METRICS;

export const DEFAULT_METRIC_PREFIX = 'redis_resilience_';

/** Buckets for failovers and refreshes: from a fast refresh to a slow managed failover. */
export const SLOW_EVENT_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
