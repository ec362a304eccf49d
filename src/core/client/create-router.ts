import type { CommandRouter } from '../command/command-router.js';
import type { EventBus } from '../events/event-bus.js';
import { ClusterRouter } from './cluster-router.js';
import type { ResolvedOptions } from '../options/validate-options.js';
import { InvalidOptionsError } from '../errors/invalid-options.error.js';
import type { EndpointFactory } from '../endpoint/endpoint-factory.js';
import { StandaloneRouter } from './standalone-router.js';
import { ReplicationRouter } from './replication-router.js';
import { guardRouterLifecycle } from './router-lifecycle.js';

/** Picks the router for the configured mode, with the lifecycle guarantees every mode shares. */
export function createRouter(options: ResolvedOptions, factory: EndpointFactory, bus: EventBus): CommandRouter {
  return guardRouterLifecycle(pickRouter(options, factory, bus), options, factory);
}

function pickRouter(options: ResolvedOptions, factory: EndpointFactory, bus: EventBus): CommandRouter {
  switch (options.mode) {
    case 'standalone':
      return new StandaloneRouter(options, factory);
    case 'replication':
      return new ReplicationRouter(options, factory, bus);
    case 'cluster':
      return new ClusterRouter(options, factory, bus);
    default:
      throw new InvalidOptionsError([`unknown mode ${JSON.stringify((options as { mode: unknown }).mode)}`]);
  }
}
