// Express adapter of redis-resilience: translation only; every Redis behaviour lives in the core.
export { createResilience, type Resilience, type ResilienceOptions, type ConnectFailure } from './create-resilience.js';
export { createHealthRouter, type HealthRouterOptions } from './health-router.js';
export { createMetricsHandler } from './metrics-handler.js';
export { createErrorHandler, type ErrorHandlerOptions } from './error-handler.js';
export { attachGracefulShutdown, type GracefulShutdown, type GracefulShutdownOptions } from './graceful-shutdown.js';
// Framework-free translations, for wiring other HTTP frameworks the same way.
export { healthHttpStatus, unavailableResponse, type UnavailableResponse, type UnavailableResponseOptions } from './http-translation.js';
