import type { RequestHandler } from 'express';
import { register as globalRegistry, type Registry } from 'prom-client';

/**
 * Serves a prom-client registry in the Prometheus text format. Pass the same `Registry` the
 * clients were given (`metrics: { registry }`); without one, prom-client's global registry.
 * Values are read at scrape time, so a scrape costs the hot path nothing.
 */
export function createMetricsHandler(registry: Registry = globalRegistry): RequestHandler {
  return (_req, res, next) => {
    registry.metrics().then(
      (body) => {
        res.set('Content-Type', registry.contentType).set('Cache-Control', 'no-store').send(body);
      },
      (error: unknown) => next(error),
    );
  };
}
