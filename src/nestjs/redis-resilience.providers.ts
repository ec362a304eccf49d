import { Logger, type Provider } from '@nestjs/common';
import { ClientRegistry, DEFAULT_CLIENT_NAME } from '../core/client/client-registry.js';
import type { ResilientRedis } from '../core/client/resilient-redis.js';
import type { ResilientRedisOptions } from '../core/options/resilient-redis-options.js';
import type { RedisResilienceModuleOptions } from './redis-resilience.options.js';
import { getResilientRedisToken } from './redis-resilience.tokens.js';

/** The client options as a list. */
export function clientList(options: Pick<RedisResilienceModuleOptions, 'clients'>): readonly ResilientRedisOptions[] {
  return (Array.isArray(options.clients) ? options.clients : [options.clients]) as readonly ResilientRedisOptions[];
}

/**
 * The registry of the module's clients. Clients without a logger log through Nest's `Logger`,
 * so their transition lines land where the app's other logs go (and obey `logger: false`).
 */
export function createRegistry(options: RedisResilienceModuleOptions): ClientRegistry {
  const logger = options.logger ?? new Logger('RedisResilience');
  return new ClientRegistry(
    clientList(options).map((o) => ({
      ...o,
      logger: o.logger ?? logger,
      ...(o.metrics || !options.metrics ? {} : { metrics: options.metrics }),
    })),
  );
}

/**
 * One provider per injectable client name plus the default token. They hand out the
 * registry's instances, so a name never opens a second connection.
 */
export function clientProviders(names: Iterable<string>): Provider[] {
  const unique = new Set(names);
  unique.delete(DEFAULT_CLIENT_NAME);
  const providers: Provider[] = [
    {
      provide: getResilientRedisToken(),
      useFactory: (registry: ClientRegistry): ResilientRedis => registry.get(),
      inject: [ClientRegistry],
    },
  ];
  for (const name of unique) {
    providers.push({
      provide: getResilientRedisToken(name),
      // An unknown name fails the boot with UnknownClientError listing the configured ones, and
      // closes the clients (they connect on construction and would keep the process alive).
      useFactory: (registry: ClientRegistry): ResilientRedis => {
        try {
          return registry.get(name);
        } catch (error) {
          void registry.closeAll();
          throw error;
        }
      },
      inject: [ClientRegistry],
    });
  }
  return providers;
}
