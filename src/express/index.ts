// Express adapter of redis-resilience: translation only; every Redis behaviour lives in the core.
export { createResilience, type Resilience, type ResilienceOptions, type ConnectFailure } from './create-resilience.js';
export { createHealthRouter, type HealthRouterOptions } from './health-router.js';
export { createStatusRouter, type StatusRouterOptions } from './status-router.js';
export type { AuthorizeHook } from './authorize-hook.js';
export { createMetricsHandler } from './metrics-handler.js';
export { createErrorHandler, type ErrorHandlerOptions } from './error-handler.js';
export { attachGracefulShutdown, type GracefulShutdown, type GracefulShutdownOptions } from './graceful-shutdown.js';
