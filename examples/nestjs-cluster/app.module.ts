import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { Registry } from 'prom-client';
import { RedisResilienceExceptionFilter, RedisResilienceModule } from 'redis-resilience/nestjs';
import type { ClusterExampleConfig } from './config.js';
import { HealthController } from './health.controller.js';
import { ItemCacheService } from './item-cache.service.js';
import { ItemOrigin } from './item-origin.js';
import { ItemsController } from './items.controller.js';
import { MetricsController } from './metrics.controller.js';
import { EXAMPLE_CONFIG, METRICS_REGISTRY } from './tokens.js';

/** Provides the example's config and metrics registry to the rest of the app. */
@Module({})
export class ExampleConfigModule {
  static forConfig(config: ClusterExampleConfig): DynamicModule {
    return {
      module: ExampleConfigModule,
      global: true,
      providers: [
        { provide: EXAMPLE_CONFIG, useValue: config },
        { provide: METRICS_REGISTRY, useValue: config.registry ?? new Registry() },
      ],
      exports: [EXAMPLE_CONFIG, METRICS_REGISTRY],
    };
  }
}

/** The cluster example's root module, built from a config (tests boot it with the lab's nodes). */
@Module({})
export class ClusterAppModule {
  static forConfig(config: ClusterExampleConfig): DynamicModule {
    return {
      module: ClusterAppModule,
      imports: [
        ExampleConfigModule.forConfig(config),
        // gracefulShutdownTimeoutMs: on SIGTERM, /health/ready answers shutting_down (503)
        // for this long before Nest closes the HTTP server.
        TerminusModule.forRoot({ gracefulShutdownTimeoutMs: config.shutdownGraceMs ?? 0 }),
        // forRootAsync: the client options come from injected config, as they would from
        // @nestjs/config's ConfigService in a real app.
        RedisResilienceModule.forRootAsync({
          inject: [EXAMPLE_CONFIG, METRICS_REGISTRY],
          useFactory: (cfg: ClusterExampleConfig, registry: Registry) => ({
            clients: {
              name: 'cache',
              mode: 'cluster' as const,
              nodes: cfg.nodes,
              ...(cfg.password ? { password: cfg.password } : {}),
              ...(cfg.dnsServers ? { dns: { servers: cfg.dnsServers } } : {}),
              ...(cfg.logger ? { logger: cfg.logger } : {}),
              policy: {
                ...(cfg.attemptTimeoutMs ? { attemptTimeoutMs: cfg.attemptTimeoutMs } : {}),
                ...(cfg.totalTimeoutMs ? { totalTimeoutMs: cfg.totalTimeoutMs } : {}),
              },
              metrics: { registry },
            },
          }),
          statusController: { control: false },
        }),
      ],
      controllers: [ItemsController, HealthController, MetricsController],
      providers: [ItemOrigin, ItemCacheService, { provide: APP_FILTER, useClass: RedisResilienceExceptionFilter }],
    };
  }
}
