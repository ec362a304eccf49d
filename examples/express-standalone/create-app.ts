import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { Registry } from 'prom-client';
import { createErrorHandler, createHealthRouter, createMetricsHandler, createResilience, type Resilience } from 'redis-resilience/express';
import type { StandaloneExampleConfig } from './config.js';

/** The example app and what `main` needs to run and stop it. */
export interface StandaloneExample {
  app: Express;
  resilience: Resilience;
  registry: Registry;
}

/** Wraps an async handler so its rejection reaches the error middleware. */
const handle =
  (fn: (req: Request, res: Response) => Promise<unknown>) =>
  (req: Request, res: Response, next: NextFunction): void => {
    fn(req, res).catch(next);
  };

/**
 * Builds the Express example: a small key/value API over one standalone Redis, the health
 * router on /health, Prometheus metrics on /metrics and the 503 error handler. Nothing
 * connects until `resilience.connect()` (or the first request).
 */
export function createStandaloneApp(config: StandaloneExampleConfig): StandaloneExample {
  const registry = config.registry ?? new Registry();
  const resilience = createResilience({
    clients: {
      name: 'kv',
      mode: 'standalone',
      node: config.redis,
      ...(config.password ? { password: config.password } : {}),
    },
    ...(config.logger ? { logger: config.logger } : {}),
    metrics: { registry },
  });
  const redis = resilience.client();
  const app = express();
  app.use(express.text({ type: '*/*', limit: '64kb' }));

  app.get(
    '/kv/:key',
    handle(async (req, res) => {
      const value = await redis.get(`kv:${String(req.params.key)}`);
      if (value === null) res.status(404).json({ key: req.params.key, found: false });
      else res.json({ key: req.params.key, value });
    }),
  );
  app.put(
    '/kv/:key',
    handle(async (req, res) => {
      await redis.set(`kv:${String(req.params.key)}`, String(req.body ?? ''));
      res.status(204).end();
    }),
  );
  // A deliberately slow request (think report generation) that still needs Redis at its
  // end: it shows that shutdown lets it finish before the client closes.
  app.get(
    '/slow',
    handle(async (req, res) => {
      const ms = Math.min(Number(req.query.ms ?? 500), 30_000);
      await new Promise((resolve) => setTimeout(resolve, ms));
      const hits = await redis.incr('slow:hits');
      res.json({ waitedMs: ms, hits });
    }),
  );

  app.use('/health', createHealthRouter(resilience));
  app.get('/metrics', createMetricsHandler(registry));
  // After the routes: resilience errors become 503 + Retry-After; others go to Express's handler.
  app.use(createErrorHandler());
  return { app, resilience, registry };
}
