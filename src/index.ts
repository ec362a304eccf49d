// Public entry point of `redis-resilience`: explicit named exports only.
export { ResilientRedis, createResilientRedis, type ClientStatus } from './core/client/resilient-redis.js';
export { isResilientRedis } from './core/client/client-identity.js';
export { ResilientNode, type NodeRole } from './core/client/node-client.js';
export { FAN_OUT_COMMANDS } from './core/client/cluster-fan-out.js';
export { DUPLICATE_IOREDIS_OPTIONS } from './core/client/duplicate-options.js';
export type {
  ResilientRedisOptions,
  StandaloneOptions,
  ReplicationOptions,
  ClusterModeOptions,
  NodeAddress,
  TlsOptions,
  DnsOptions,
  MetricsOptions,
  ReadFrom,
  CrossSlotOptions,
  Mode,
} from './core/options/resilient-redis-options.js';
export type { PolicyOptions, BreakerOptions } from './core/options/policy-options.js';
export { policyPresets, breakerPresets } from './core/options/presets.js';
export { resolveOptions, type ResolvedOptions } from './core/options/validate-options.js';
export { ErrorCodes, type ErrorCode } from './core/errors/error-codes.js';
export { ResilienceError, isResilienceError } from './core/errors/resilience.error.js';
export { CircuitOpenError, isCircuitOpenError } from './core/errors/circuit-open.error.js';
export { CommandTimeoutError, isCommandTimeoutError } from './core/errors/command-timeout.error.js';
export { OutcomeUnknownError, isOutcomeUnknownError } from './core/errors/outcome-unknown.error.js';
export { RetriesExhaustedError, isRetriesExhaustedError } from './core/errors/retries-exhausted.error.js';
export { QueueFullError, isQueueFullError } from './core/errors/queue-full.error.js';
export { ClientClosedError, isClientClosedError } from './core/errors/client-closed.error.js';
export { ConnectFailedError, isConnectFailedError } from './core/errors/connect-failed.error.js';
export { InvalidOptionsError, isInvalidOptionsError } from './core/errors/invalid-options.error.js';
export { CrossSlotError, isCrossSlotError } from './core/errors/cross-slot.error.js';
export { type BatchRefusal, UnsupportedInBatchError, isUnsupportedInBatchError } from './core/errors/unsupported-in-batch.error.js';
export { UnknownClientError, isUnknownClientError } from './core/errors/unknown-client.error.js';
export { PartialFailureError, isPartialFailureError, type CommandPart } from './core/errors/partial-failure.error.js';
export type { ResilienceEvent, ResilienceEventType, BreakerStateName, TopologyTrigger } from './core/events/resilience-event.js';
export { createConsoleLogger, silentLogger, type ResilienceLogger } from './core/events/resilience-logger.js';
export type { ClientHealthSnapshot, NodeHealth } from './core/health/client-health.js';
export { classifyFailure } from './core/policy/classify-failure.js';
export type { FailureScenario, FailureClass, Execution } from './core/policy/failure-scenario.js';
export { getCommandSafety, isRetrySafe } from './core/policy/command-safety.js';
export {
  liveness,
  readiness,
  report,
  clientStatus,
  type HealthReport,
  type HealthCheckStatus,
  type IndicatorResult,
  type IndicatorStatus,
  type HealthSource,
} from './core/health/health-model.js';
export { METRICS, DEFAULT_METRIC_PREFIX } from './core/metrics/metric-names.js';
export { ClientRegistry, createClientRegistry, DEFAULT_CLIENT_NAME } from './core/client/client-registry.js';
// Framework-free HTTP translations and the status page, for wiring any HTTP framework the way the
// Express and Nest adapters do.
export {
  healthHttpStatus,
  unavailableResponse,
  type UnavailableResponse,
  type UnavailableResponseOptions,
} from './core/http/http-translation.js';
export { renderStatusPage, type StatusPageOptions, type StatusPageResponse } from './core/status/status-page.js';
export {
  buildStatusView,
  type StatusView,
  type StatusViewOptions,
  type ClientView,
  type NodeView,
  type DnsView,
} from './core/status/status-view.js';
export {
  timelineStream,
  statusMessages,
  shutdownSignal,
  type TimelineStreamOptions,
  type StatusMessagesOptions,
} from './core/status/status-stream.js';
export type { TimelineEntry, TimelineSeverity } from './core/status/timeline-entry.js';
export { formatSseMessage, formatSseComment, type SseMessage } from './core/status/sse-format.js';
