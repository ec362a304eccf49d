import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ClientRegistry } from '../core/client/client-registry.js';
import type { ResilienceLogger } from '../core/events/resilience-logger.js';
import { REDIS_RESILIENCE_OPTIONS } from './redis-resilience.module-definition.js';
import type { RedisResilienceModuleOptions } from './redis-resilience.options.js';

/**
 * Maps Nest's lifecycle onto the clients: connect on init, fail readiness before the HTTP
 * server stops, drain and close after it stopped (requests still running need Redis).
 */
@Injectable()
export class RedisResilienceLifecycle implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger: ResilienceLogger;

  constructor(
    @Inject(ClientRegistry) private readonly registry: ClientRegistry,
    @Inject(REDIS_RESILIENCE_OPTIONS) private readonly options: RedisResilienceModuleOptions,
  ) {
    this.logger = options.logger ?? new Logger('RedisResilience');
  }

  async onModuleInit(): Promise<void> {
    let failures: Array<{ name: string; error: unknown }>;
    try {
      failures = await this.registry.connectAll(!this.options.failFastOnBoot);
    } catch (error) {
      // Failing the boot: stop the background reconnects, or the process would never exit.
      await this.registry.closeAll();
      throw error;
    }
    for (const { name, error } of failures) {
      const required = this.registry.get(name).resolved.required;
      this.logger.warn(
        `client "${name}" is not connected at startup (${error instanceof Error ? error.message : String(error)}); ` +
          `it keeps reconnecting and readiness reports it as ${required ? 'down' : 'degraded'} meanwhile`,
      );
    }
  }

  beforeApplicationShutdown(): void {
    this.registry.markShuttingDown();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.options.closeOnShutdown !== false) await this.registry.closeAll();
  }
}
