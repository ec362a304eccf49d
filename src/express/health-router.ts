import { Router, type Response } from 'express';
import { authorizeHandler, type AuthorizeHook } from './authorize-hook.js';
import type { ClientRegistry } from '../core/client/client-registry.js';
import type { HealthReport } from '../core/health/health-model.js';
import { withoutAddresses } from '../core/status/report-redaction.js';
import { healthHttpStatus } from '../core/http/http-translation.js';

/** Options of {@link createHealthRouter}. */
export interface HealthRouterOptions {
  /**
   * Serve the verbose report on `/` (per client and per shard or endpoint: role, address,
   * breaker, topology age, DNS view, recent events). It maps your network (node addresses,
   * DNS names), so it is off unless asked for; turn it on only behind `authorize`, or on a
   * listener the public cannot reach. @default false
   */
  verbose?: boolean;
  /**
   * Runs before the verbose report; a false answer gets 403. Liveness and readiness stay
   * open (probes carry no credentials); readiness names shards, never addresses. @default none
   */
  authorize?: AuthorizeHook;
  /** Recent events per client in the verbose report. @default 20 */
  eventLimit?: number;
}

function send(res: Response, report: HealthReport): void {
  // Probes must see the state of now, never a cached answer from a proxy.
  res.set('Cache-Control', 'no-store').status(healthHttpStatus(report.status)).json(report);
}

/**
 * Health endpoints in Terminus's JSON shape, so Nest and Express services look alike:
 * - `GET /live`: the process is up. Never depends on Redis: restarting every pod during a
 *   Redis failover would turn one outage into a cascade.
 * - `GET /ready`: follows the required clients; 503 when one is down or during shutdown,
 *   200 (with `status: "degraded"`) when only a reader, a replica or an optional client is lost.
 * - `GET /`: the verbose report, same status codes; only with `verbose: true`.
 */
export function createHealthRouter(resilience: { readonly registry: ClientRegistry }, options: HealthRouterOptions = {}): Router {
  const { registry } = resilience;
  const router = Router();
  router.get('/live', (_req, res) => send(res, registry.liveness()));
  router.get('/ready', (_req, res) => send(res, withoutAddresses(registry.readiness(), [...registry.clients.values()])));
  if (options.verbose === true) {
    router.get('/', authorizeHandler(options.authorize), (_req, res) => send(res, registry.report(options.eventLimit)));
  }
  return router;
}
