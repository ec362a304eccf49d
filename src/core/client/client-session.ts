import { CommandExecutor } from '../command/command-executor.js';
import type { CommandRouter } from '../command/command-router.js';
import { EventBus } from '../events/event-bus.js';
import { createConsoleLogger, type ResilienceLogger } from '../events/resilience-logger.js';
import { attachClientMetrics } from '../metrics/client-metrics.js';
import type { ResolvedOptions } from '../options/validate-options.js';
import { createRouter } from './create-router.js';
import { EndpointFactory } from '../endpoint/endpoint-factory.js';

/**
 * Everything one connect-to-close span of a client owns. `close()` ends a session (its
 * event stream completes); `connect()` after it starts a new one, as an ioredis client
 * reconnects after `disconnect()`.
 */
export interface ClientSession {
  readonly bus: EventBus;
  readonly logger: ResilienceLogger;
  readonly router: CommandRouter;
  readonly executor: CommandExecutor;
  readonly detachMetrics: () => void;
}

export function openSession(resolved: ResolvedOptions): ClientSession {
  const logger = resolved.logger ?? createConsoleLogger();
  const bus = new EventBus(resolved.name, logger);
  const router = createRouter(resolved, new EndpointFactory(resolved, bus), bus);
  const executor = new CommandExecutor(resolved.name, resolved.policy, router, bus);
  const detachMetrics = attachClientMetrics(
    {
      client: resolved.name,
      *nodes() {
        for (const e of router.endpoints()) {
          yield { node: e.id, role: e.role, stats: e.stats, breaker: e.breaker.state, ready: e.ready, queueDepth: e.queueDepth };
        }
      },
      inFlight: () => executor.pending,
    },
    bus.events$,
    resolved.metrics,
  );
  return { bus, logger, router, executor, detachMetrics };
}
