// Express adapter of redis-resilience: translation only; every Redis behaviour lives in the core.
export { createResilience, type Resilience, type ResilienceOptions, type ConnectFailure } from './create-resilience.js';
export { createHealthRouter, type HealthRouterOptions } from './health-router.js';
export { createStatusRouter, type StatusRouterOptions } from './status-router.js';
export type { AuthorizeHook } from './authorize-hook.js';
export { createMetricsHandler } from './metrics-handler.js';
export { createErrorHandler, type ErrorHandlerOptions } from './error-handler.js';
export { attachGracefulShutdown, type GracefulShutdown, type GracefulShutdownOptions } from './graceful-shutdown.js';
// Framework-free translations, for wiring other HTTP frameworks the same way.
export { healthHttpStatus, unavailableResponse, type UnavailableResponse, type UnavailableResponseOptions } from './http-translation.js';
export { renderStatusPage, type StatusPageOptions, type StatusPageResponse } from '../core/status/status-page.js';
export { buildStatusView, type StatusView, type StatusViewOptions, type ClientView, type NodeView, type DnsView } from '../core/status/status-view.js';
export { timelineStream, statusMessages, shutdownSignal, type TimelineStreamOptions, type StatusMessagesOptions } from '../core/status/status-stream.js';
export type { TimelineEntry, TimelineSeverity } from '../core/status/timeline-entry.js';
export { formatSseMessage, formatSseComment, type SseMessage } from '../core/status/sse-format.js';
