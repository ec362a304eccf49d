import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import { Counter, Registry, register } from 'prom-client';
import { createMetricsHandler } from '../../src/express/index.js';
import { request, serve } from './express-test-helpers.js';

describe('createMetricsHandler', { timeout: 20_000 }, () => {
  test("serves the given registry with Prometheus's content type; defaults to the global registry", async () => {
    const mine = new Registry();
    new Counter({ name: 'test_mine_total', help: 'in my registry', registers: [mine] }).inc(3);
    const global = new Counter({ name: 'test_global_total', help: 'in the global registry' });
    global.inc();
    const app = express();
    app.get('/metrics', createMetricsHandler(mine));
    app.get('/global', createMetricsHandler());
    const server = await serve(app);
    try {
      const res = await request(`${server.url}/metrics`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), mine.contentType);
      assert.match(res.body, /^test_mine_total 3$/m);
      assert.doesNotMatch(res.body, /test_global_total/);
      const g = await request(`${server.url}/global`);
      assert.match(g.body, /^test_global_total 1$/m);
    } finally {
      await server.close();
      register.removeSingleMetric('test_global_total');
    }
  });

  test('a failing collect goes to the error middleware', async () => {
    const broken = new Registry();
    const failing = new Counter({
      name: 'test_broken_total',
      help: 'throws at scrape',
      registers: [broken],
      collect() {
        throw new Error('collect failed');
      },
    });
    const app = express();
    assert.equal(broken.getSingleMetric('test_broken_total'), failing);
    app.get('/metrics', createMetricsHandler(broken));
    app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).send(`handled: ${error.message}`);
    });
    const server = await serve(app);
    try {
      const res = await request(`${server.url}/metrics`);
      assert.equal(res.status, 500);
      assert.equal(res.body, 'handled: collect failed');
    } finally {
      await server.close();
    }
  });
});
