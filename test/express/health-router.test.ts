import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import { createHealthRouter, createResilience } from '../../src/express/index.js';
import type { ClientRegistry, HealthCheckStatus, HealthReport } from '../../src/index.js';
import { closedPort, downClient } from '../nestjs/nest-test-helpers.js';
import { request, serve } from './express-test-helpers.js';

const reportOf = (status: HealthCheckStatus): HealthReport => ({ status, info: {}, error: {}, details: {} });

/** A registry stand-in whose readiness is whatever the test says. */
function fakeRegistry(status: () => HealthCheckStatus): ClientRegistry {
  return {
    clients: new Map(),
    liveness: () => reportOf('ok'),
    readiness: () => reportOf(status()),
    report: () => reportOf(status()),
  } as unknown as ClientRegistry;
}

describe('createHealthRouter', { timeout: 20_000 }, () => {
  test('Terminus status codes: 200 for ok and degraded, 503 for error and shutting_down; liveness always 200', async () => {
    let status: HealthCheckStatus = 'ok';
    const app = express();
    app.use('/health', createHealthRouter({ registry: fakeRegistry(() => status) }, { verbose: true }));
    const server = await serve(app);
    try {
      for (const [s, code] of [
        ['ok', 200],
        ['degraded', 200],
        ['error', 503],
        ['shutting_down', 503],
      ] as const) {
        status = s;
        const ready = await request(`${server.url}/health/ready`);
        assert.equal(ready.status, code, s);
        assert.equal(ready.body.status, s);
        assert.equal(ready.headers.get('cache-control'), 'no-store');
        assert.equal((await request(`${server.url}/health`)).status, code, `verbose ${s}`);
        assert.equal((await request(`${server.url}/health/live`)).status, 200, `live while ${s}`);
      }
    } finally {
      await server.close();
    }
  });

  test('real registry: per-client details in Terminus shape; markShuttingDown flips readiness', async () => {
    const port = await closedPort();
    const resilience = createResilience([downClient(port, { name: 'main' }), downClient(port, { name: 'optional', required: false })]);
    const app = express();
    app.use('/health', createHealthRouter(resilience, { verbose: true, eventLimit: 3 }));
    const server = await serve(app);
    try {
      const ready = await request(`${server.url}/health/ready`);
      assert.equal(ready.status, 503);
      assert.deepEqual(Object.keys(ready.body).toSorted(), ['details', 'error', 'info', 'status']);
      assert.equal(ready.body.details.main.status, 'down');
      assert.equal(ready.body.details.optional.status, 'down');
      const verbose = await request(`${server.url}/health`);
      assert.equal(verbose.body.details.main.nodes[0].address, `127.0.0.1:${port}`);
      assert.ok(verbose.body.details.main.recentEvents.length <= 3);

      resilience.registry.markShuttingDown();
      assert.equal((await request(`${server.url}/health/ready`)).body.status, 'shutting_down');
      assert.equal((await request(`${server.url}/health/live`)).status, 200);
    } finally {
      await server.close();
      await resilience.close();
    }
  });

  // Issue 15, defect 6: the verbose report, with node addresses, was served to anyone by default.
  test('defaults are closed: no verbose report unless asked for, readiness names no address, authorize guards the report', async () => {
    const port = await closedPort();
    const resilience = createResilience(downClient(port, { name: 'main' }));
    await resilience.connect();
    const app = express();
    app.set('env', 'test'); // the failing hook's error is expected: keep it off stderr
    app.use('/health', createHealthRouter(resilience));
    app.use('/ops', createHealthRouter(resilience, { verbose: true, authorize: (req) => req.headers['x-admin'] === 'yes' }));
    app.use('/broken', createHealthRouter(resilience, { verbose: true, authorize: () => Promise.reject(new Error('auth backend down')) }));
    const server = await serve(app);
    try {
      assert.equal((await request(`${server.url}/health`)).status, 404, 'the verbose report is opt-in');
      const ready = await request(`${server.url}/health/ready`);
      assert.equal(ready.status, 503);
      assert.ok(ready.body.details.main.reasons.length > 0, 'readiness still says why');
      assert.doesNotMatch(JSON.stringify(ready.body), new RegExp(`127\\.0\\.0\\.1|:${port}`), JSON.stringify(ready.body));

      assert.equal((await request(`${server.url}/ops`)).status, 403, 'refused without credentials');
      const allowed = await request(`${server.url}/ops`, { headers: { 'x-admin': 'yes' } });
      assert.equal(allowed.status, 503, 'the report itself, with its Terminus status');
      assert.equal(allowed.body.details.main.nodes[0].address, `127.0.0.1:${port}`);
      assert.equal((await request(`${server.url}/ops/ready`)).status, 503, 'probes need no credentials');
      assert.equal((await request(`${server.url}/broken`)).status, 500, 'a failing hook refuses, it does not serve');
    } finally {
      await server.close();
      await resilience.close();
    }
  });
});
