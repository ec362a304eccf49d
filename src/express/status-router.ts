import { Router } from 'express';
import { authorizeHandler, type AuthorizeHook } from './authorize-hook.js';
import type { ClientRegistry } from '../core/client/client-registry.js';
import { InvalidOptionsError } from '../core/errors/invalid-options.error.js';
import { assertControlGuarded, controlBreaker, CROSS_SITE_REFUSAL, isCrossSiteRequest } from '../core/status/breaker-control.js';
import { formatSseMessage, SSE_HEADERS } from '../core/status/sse-format.js';
import { renderStatusPage } from '../core/status/status-page.js';
import { shutdownSignal, statusMessages } from '../core/status/status-stream.js';
import { buildStatusView } from '../core/status/status-view.js';

/** Options of {@link createStatusRouter}. */
export interface StatusRouterOptions {
  /**
   * Show node addresses and DNS names on the page, as the verbose health report does. They
   * map your network, so only turn it on behind `authorize`. @default false
   */
  verbose?: boolean;
  /** Runs before every status route; a false answer gets 403. @default none (open) */
  authorize?: AuthorizeHook;
  /**
   * Breaker buttons on the page and `POST /breakers/:client/:node/:action` (`open` |
   * `close`). Forcing a breaker open takes a shard out of service, so it needs an authorize
   * hook: `control.authorize`, or the router's `authorize` when `true`. Without either,
   * `createStatusRouter` throws `InvalidOptionsError`. @default false
   */
  control?: boolean | { authorize: AuthorizeHook };
  /** Page title. @default 'Redis resilience status' */
  title?: string;
  /** How often the page re-reads the grid between events, in ms. @default 2000 */
  refreshMs?: number;
  /** Timeline entries the page starts with, across every client. @default 50 */
  eventLimit?: number;
  /** Interval of the `ping` messages that keep proxies from closing a quiet stream, in ms. @default 15000 */
  heartbeatMs?: number;
}

function validate(options: StatusRouterOptions): void {
  const problems: string[] = [];
  const positive = (key: 'refreshMs' | 'eventLimit' | 'heartbeatMs', min: number) => {
    const v = options[key];
    if (v !== undefined && (!Number.isFinite(v) || v < min)) problems.push(`status router: ${key} must be a number >= ${min}`);
  };
  positive('refreshMs', 250);
  positive('eventLimit', 1);
  positive('heartbeatMs', 1000);
  if (options.authorize !== undefined && typeof options.authorize !== 'function')
    problems.push('status router: authorize must be a function');
  if (problems.length) throw new InvalidOptionsError(problems);
  const control = options.control;
  const hook = typeof control === 'object' && control !== null ? control.authorize : options.authorize;
  assertControlGuarded(
    Boolean(control),
    typeof hook === 'function',
    'createStatusRouter',
    'Pass control: { authorize: (req) => ... }, or an authorize hook for the whole router.',
  );
}

/**
 * The live status page and its data, for operators (mount it where they look):
 * - `GET /page`: one self-contained HTML page (a grid per client, a live timeline);
 * - `GET /view`: what the page draws, as JSON;
 * - `GET /stream`: the timeline as Server-Sent Events, ended when the client leaves or the
 *   app starts shutting down;
 * - `POST /breakers/:client/:node/:action`: only with `control`, behind its authorize hook.
 *
 * Read-only and address-free by default: see `verbose`, `authorize` and `control`.
 */
export function createStatusRouter(resilience: { readonly registry: ClientRegistry }, options: StatusRouterOptions = {}): Router {
  validate(options);
  const { registry } = resilience;
  const verbose = options.verbose ?? false;
  const control = Boolean(options.control);
  const controlHook = typeof options.control === 'object' ? options.control.authorize : undefined;
  const sources = () => [...registry.clients.values()];
  const page = renderStatusPage({
    ...(options.title ? { title: options.title } : {}),
    ...(options.refreshMs ? { refreshMs: options.refreshMs } : {}),
  });
  const heartbeatMs = options.heartbeatMs ?? 15_000;

  // Per route, not router.use(): a router mounted without a path must not guard the app's
  // other routes.
  const auth = authorizeHandler(options.authorize);
  const router = Router();
  router.get('/page', auth, (_req, res) => {
    res.set(page.headers).send(page.body);
  });
  router.get('/view', auth, (_req, res) => {
    const view = buildStatusView(sources(), {
      verbose,
      control,
      shuttingDown: registry.isShuttingDown,
      eventLimit: options.eventLimit ?? 50,
    });
    res.set('Cache-Control', 'no-store').json(view);
  });
  router.get('/stream', auth, (req, res) => {
    res.writeHead(200, SSE_HEADERS);
    // Ends on shutdown (before the HTTP drain would wait for it) and when every client closed.
    const subscription = statusMessages(registry.events$, sources(), { verbose, heartbeatMs, until: shutdownSignal(registry) }).subscribe({
      next: (message) => res.write(formatSseMessage(message)),
      complete: () => res.end(),
      error: () => res.end(),
    });
    // The browser left: stop the heartbeat and release events$.
    req.on('close', () => subscription.unsubscribe());
  });
  if (control) {
    router.post('/breakers/:client/:node/:action', auth, authorizeHandler(controlHook), (req, res) => {
      if (isCrossSiteRequest(req.headers)) {
        res.status(403).json({ statusCode: 403, message: CROSS_SITE_REFUSAL });
        return;
      }
      const { client, node, action } = req.params as Record<string, string>;
      const outcome = controlBreaker(registry.clients, client!, node!, action!, verbose);
      if (outcome.ok) res.status(200).json(outcome.result);
      else res.status(outcome.status).json({ statusCode: outcome.status, message: outcome.message });
    });
  }
  return router;
}
