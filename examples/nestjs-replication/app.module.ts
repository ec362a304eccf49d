import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { Registry } from 'prom-client';
import { RedisResilienceExceptionFilter, RedisResilienceModule } from 'redis-resilience/nestjs';
import type { ReplicationExampleConfig } from './config.js';
import { HealthController } from './health.controller.js';
import { MetricsController } from './metrics.controller.js';
import { NotesController } from './notes.controller.js';
import { EXAMPLE_CONFIG, METRICS_REGISTRY } from './tokens.js';

/** Provides the example's config and metrics registry to the rest of the app. */
@Module({})
export class ExampleConfigModule {
  static forConfig(config: ReplicationExampleConfig): DynamicModule {
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

/** The replication example's root module, built from a config. */
@Module({})
export class ReplicationAppModule {
  static forConfig(config: ReplicationExampleConfig): DynamicModule {
    return {
      module: ReplicationAppModule,
      imports: [
        ExampleConfigModule.forConfig(config),
        // gracefulShutdownTimeoutMs: on SIGTERM, /health/ready answers shutting_down (503)
        // for this long before Nest closes the HTTP server.
        TerminusModule.forRoot({ gracefulShutdownTimeoutMs: config.shutdownGraceMs ?? 0 }),
        RedisResilienceModule.forRootAsync({
          inject: [EXAMPLE_CONFIG, METRICS_REGISTRY],
          useFactory: (cfg: ReplicationExampleConfig, registry: Registry) => ({
            clients: {
              name: 'main',
              mode: 'replication' as const,
              // Names, not addresses: the client resolves them itself, on the TTL and at
              // once on evidence (READONLY from a demoted primary, connection errors).
              primary: cfg.primary,
              ...(cfg.reader ? { reader: cfg.reader } : {}),
              ...(cfg.password ? { password: cfg.password } : {}),
              dns: {
                ...(cfg.dnsServers ? { servers: cfg.dnsServers } : {}),
                ...(cfg.dnsMinIntervalMs ? { minIntervalMs: cfg.dnsMinIntervalMs } : {}),
              },
              ...(cfg.logger ? { logger: cfg.logger } : {}),
              metrics: { registry },
            },
          }),
          // The factory's client names are unknown until it runs: list the injectable ones.
          clientNames: ['main'],
          statusController: true,
        }),
      ],
      controllers: [NotesController, HealthController, MetricsController],
      providers: [{ provide: APP_FILTER, useClass: RedisResilienceExceptionFilter }],
    };
  }
}
