import type { CommandRouter } from '../command/command-router.js';
import { ClientClosedError } from '../errors/client-closed.error.js';
import { ConnectFailedError } from '../errors/connect-failed.error.js';
import { isResilienceError } from '../errors/resilience.error.js';
import type { ResolvedOptions } from '../options/validate-options.js';
import type { EndpointFactory } from '../endpoint/endpoint-factory.js';

/**
 * What `connect()` and `close()` promise in every mode, whatever the router does inside:
 *
 * - `connect()` settles within `policy.connectTimeoutMs`, DNS stage included (a resolver that
 *   never answers once left it pending forever), rejects only with errors of the family, and
 *   never resolves on a client that was closed meanwhile;
 * - `close()` leaves no connection of ours open: besides the router's own endpoints, the
 *   factory closes whatever a refresh, a DNS swap or a ROLE follow created while closing.
 *
 * Wrapping the router's two methods keeps these guarantees in one place rather than in three
 * routers, and keeps them true for a router that gets them wrong.
 */
export function guardRouterLifecycle(router: CommandRouter, options: ResolvedOptions, factory: EndpointFactory): CommandRouter {
  const innerConnect = router.connect.bind(router);
  const innerClose = router.close.bind(router);
  const waiting = new Set<(error: Error) => void>();
  let closing: Promise<void> | undefined;

  router.connect = () => {
    if (factory.isClosed) return Promise.reject(new ClientClosedError(options.name));
    const ms = options.policy.connectTimeoutMs;
    return new Promise<void>((resolve, reject) => {
      const fail = (error: Error): void => {
        clearTimeout(timer);
        waiting.delete(fail);
        reject(error);
      };
      const timer = setTimeout(
        () =>
          fail(
            new ConnectFailedError(
              options.name,
              `not ready within ${ms} ms (name resolution or the first connection did not finish)`,
              'connection',
            ),
          ),
        ms,
      );
      waiting.add(fail);
      innerConnect().then(
        () => {
          if (factory.isClosed) return fail(new ClientClosedError(options.name));
          clearTimeout(timer);
          waiting.delete(fail);
          resolve();
        },
        (error: unknown) =>
          fail(
            isResilienceError(error)
              ? error
              : new ConnectFailedError(options.name, 'the connection could not be set up', 'connection', error),
          ),
      );
    });
  };

  router.close = () => {
    closing ??= (async () => {
      factory.refuseNewConnections();
      for (const fail of waiting) fail(new ClientClosedError(options.name));
      try {
        await innerClose();
      } finally {
        await factory.closeAll();
      }
    })();
    return closing;
  };
  return router;
}
