import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ClientRegistry } from '../core/client/client-registry.js';
import { RedisResilienceHealthIndicator } from './redis-resilience.health.js';
import { RedisResilienceLifecycle } from './redis-resilience.lifecycle.js';
import { ConfigurableModuleClass, REDIS_RESILIENCE_OPTIONS } from './redis-resilience.module-definition.js';
import type { RedisResilienceModuleOptions } from './redis-resilience.options.js';
import { createRegistry } from './redis-resilience.providers.js';

/**
 * Resilient Redis clients for Nest: `RedisResilienceModule.forRoot({ clients })` or
 * `forRootAsync({ imports, inject, useFactory | useClass | useExisting })`.
 *
 * Provides `ClientRegistry`, one token per client (`@InjectResilientRedis(name?)`) and
 * `RedisResilienceHealthIndicator` for Terminus. Clients connect in `onModuleInit`, which
 * waits at most each client's `policy.connectTimeoutMs`: a Redis outage at boot leaves the
 * app up and not ready (unless `failFastOnBoot`), and the clients keep reconnecting.
 * Readiness turns to shutting down in `beforeApplicationShutdown`, before Nest closes the
 * HTTP server; clients drain and close in `onApplicationShutdown`, after it.
 */
@Module({
  imports: [TerminusModule],
  providers: [
    {
      provide: ClientRegistry,
      useFactory: (options: RedisResilienceModuleOptions) => createRegistry(options),
      inject: [REDIS_RESILIENCE_OPTIONS],
    },
    RedisResilienceLifecycle,
    RedisResilienceHealthIndicator,
  ],
  exports: [RedisResilienceHealthIndicator],
})
export class RedisResilienceModule extends ConfigurableModuleClass {}
