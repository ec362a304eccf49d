import { ConfigurableModuleBuilder } from '@nestjs/common';
import { ClientRegistry, DEFAULT_CLIENT_NAME } from '../core/client/client-registry.js';
import { createStatusController } from './redis-resilience-status.controller.js';
import type { RedisResilienceModuleExtras, RedisResilienceModuleOptions } from './redis-resilience.options.js';
import { clientList, clientProviders } from './redis-resilience.providers.js';

/**
 * The generated base of `RedisResilienceModule` (`forRoot` / `forRootAsync`, the options
 * factory method `createRedisResilienceOptions`) and `REDIS_RESILIENCE_OPTIONS`, the token of
 * the resolved module options. The extras add the global flag, the opt-in status controller
 * and one injection token per known client name.
 */
export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: REDIS_RESILIENCE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<RedisResilienceModuleOptions>({ moduleName: 'RedisResilience' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createRedisResilienceOptions')
  .setExtras<RedisResilienceModuleExtras>({ isGlobal: false, statusController: false, clientNames: [] }, (definition, extras) => {
    // forRoot passes its whole options object here, so the names come from `clients`;
    // forRootAsync only has the extras, hence `clientNames`.
    const given = (extras as Partial<RedisResilienceModuleOptions>).clients;
    const names = [
      ...(extras.clientNames ?? []),
      ...(given ? clientList({ clients: given }).map((o) => o.name ?? DEFAULT_CLIENT_NAME) : []),
    ];
    const tokens = clientProviders(names);
    const status = extras.statusController;
    return {
      ...definition,
      global: extras.isGlobal ?? false,
      controllers: status ? [createStatusController(status === true ? {} : status)] : [],
      providers: [...(definition.providers ?? []), ...tokens],
      exports: [ClientRegistry, ...tokens.map((p) => (p as { provide: string }).provide), ...(definition.exports ?? [])],
    };
  })
  .build();

/** The argument of `RedisResilienceModule.forRoot()`: the module options plus the extras. */
export type RedisResilienceForRootOptions = typeof OPTIONS_TYPE;
/** The argument of `RedisResilienceModule.forRootAsync()`. */
export type RedisResilienceAsyncOptions = typeof ASYNC_OPTIONS_TYPE;
