// NestJS adapter of redis-resilience: translation only; every Redis behaviour lives in the core.
export { RedisResilienceModule } from './redis-resilience.module.js';
export {
  REDIS_RESILIENCE_OPTIONS,
  type RedisResilienceForRootOptions,
  type RedisResilienceAsyncOptions,
} from './redis-resilience.module-definition.js';
export { getResilientRedisToken, InjectResilientRedis } from './redis-resilience.tokens.js';
export type {
  RedisResilienceModuleOptions,
  RedisResilienceModuleExtras,
  StatusControllerOptions,
  ExceptionFilterOptions,
} from './redis-resilience.options.js';
export { RedisResilienceHealthIndicator, type RedisHealthCheckOptions } from './redis-resilience.health.js';
export { RedisResilienceExceptionFilter, REDIS_RESILIENCE_FILTER_OPTIONS } from './redis-resilience-exception.filter.js';
export type { BreakerControlResult } from './redis-resilience-status.controller.js';
// Re-exported so Nest apps can inject the registry without a second import path.
export { ClientRegistry } from '../core/client/client-registry.js';
