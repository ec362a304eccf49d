import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ClientRegistry, RedisResilienceModule, type StatusControllerOptions } from '../../src/nestjs/index.js';
import { isInvalidOptionsError } from '../../src/index.js';
import { openSse } from '../express/sse-client.js';
import { closedPort, downClient, listen, request, silentServer } from './nest-test-helpers.js';

@Injectable()
class AdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest<{ headers: Record<string, string> }>().headers['x-admin'] === 'yes';
  }
}

async function boot(port: number, statusController: boolean | StatusControllerOptions | undefined) {
  const moduleRef = await Test.createTestingModule({
    imports: [
      RedisResilienceModule.forRoot({
        clients: [downClient(port, { name: 'main' }), downClient(port, { name: 'optional', required: false })],
        ...(statusController === undefined ? {} : { statusController }),
      }),
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  return { app, url: await listen(app), registry: app.get(ClientRegistry) };
}

describe('status controller', { timeout: 30_000 }, () => {
  test('is off unless asked for', async () => {
    const { app, url } = await boot(await closedPort(), undefined);
    try {
      assert.equal((await request(`${url}/redis-resilience`)).status, 404);
    } finally {
      await app.close();
    }
  });

  test('serves the verbose report (503 while a required client is down) and recent events; no control route by default', async () => {
    const silent = await silentServer();
    const port = silent.port;
    const { app, url, registry } = await boot(port, true);
    try {
      const report = await request(`${url}/redis-resilience`);
      assert.equal(report.status, 503);
      assert.equal(report.body.status, 'error');
      assert.equal(report.body.details.main.nodes[0].address, `127.0.0.1:${port}`);

      registry.get('main').controlBreaker(`127.0.0.1:${port}`, 'open');
      const events = await request(`${url}/redis-resilience/events?client=main&limit=5`);
      assert.equal(events.status, 200);
      assert.ok(events.body.length >= 1 && events.body.length <= 5);
      assert.ok(events.body.some((e: { type: string; forced?: boolean }) => e.type === 'breaker.opened' && e.forced));
      assert.equal((await request(`${url}/redis-resilience/events?client=nope`)).status, 404);
      assert.equal((await request(`${url}/redis-resilience/events?limit=0`)).status, 400);

      const control = await request(`${url}/redis-resilience/breakers/main/127.0.0.1:${port}/close`, { method: 'POST' });
      assert.equal(control.status, 404, 'the control route exists only when enabled');
    } finally {
      await app.close();
      await silent.close();
    }
  });

  test('the control route forces a breaker open and closed, behind its guard', async () => {
    // A silent server: the connection stays up and nothing fails, so the breaker only moves
    // when forced (against a refused port it would open by itself on the connection loss).
    const silent = await silentServer();
    const { app, url, registry } = await boot(silent.port, { path: 'ops/redis', control: { guards: [AdminGuard] } });
    const node = `127.0.0.1:${silent.port}`;
    const admin = { method: 'POST', headers: { 'x-admin': 'yes' } };
    const breaker = () => registry.get('main').health().nodes[0]!.breaker;
    try {
      assert.equal((await request(`${url}/ops/redis/breakers/main/${node}/open`, { method: 'POST' })).status, 403);
      assert.equal(breaker(), 'closed', 'a refused call changes nothing');
      const crossSite = await request(`${url}/ops/redis/breakers/main/${node}/open`, {
        method: 'POST',
        headers: { 'x-admin': 'yes', 'sec-fetch-site': 'cross-site' },
      });
      assert.equal(crossSite.status, 403, 'another site cannot ride on the operator session (CSRF)');
      assert.equal(breaker(), 'closed');

      const opened = await request(`${url}/ops/redis/breakers/main/${node}/open`, admin);
      assert.equal(opened.status, 201);
      assert.deepEqual(opened.body, { client: 'main', node, action: 'open', breakers: { [node]: 'open' } });
      assert.equal(breaker(), 'open');
      assert.ok(
        registry
          .get('main')
          .recentEvents()
          .some((e) => e.type === 'breaker.opened' && e.forced),
      );

      const closed = await request(`${url}/ops/redis/breakers/main/${node}/close`, admin);
      assert.equal(closed.body.breakers[node], 'closed');
      assert.equal(breaker(), 'closed');

      assert.equal((await request(`${url}/ops/redis/breakers/main/127.0.0.1:1/open`, admin)).status, 404);
      assert.equal((await request(`${url}/ops/redis/breakers/nope/${node}/open`, admin)).status, 404);
      assert.equal((await request(`${url}/ops/redis/breakers/main/${node}/toggle`, admin)).status, 400);
      // The status routes keep working beside it.
      assert.equal((await request(`${url}/ops/redis`)).status, 503);
    } finally {
      await app.close();
      await silent.close();
    }
  });

  // Issue 15, defect 6: `control: true` without a guard accepted an anonymous POST that forced
  // a breaker open (and readiness to 503).
  test('control without any guard is refused at setup with InvalidOptionsError; a status guard is enough', () => {
    for (const statusController of [{ control: true }, { control: { guards: [] } }]) {
      assert.throws(
        () => RedisResilienceModule.forRoot({ clients: downClient(1, { name: 'main' }), statusController }),
        (error: unknown) => isInvalidOptionsError(error) && /breaker control is enabled without a guard/.test(error.message),
      );
      assert.throws(
        () => RedisResilienceModule.forRootAsync({ useFactory: () => ({ clients: downClient(1) }), statusController }),
        (error: unknown) => isInvalidOptionsError(error),
      );
    }
    RedisResilienceModule.forRoot({ clients: downClient(1), statusController: { control: true, guards: [AdminGuard] } });
  });

  test('the status page, its view and its stream; no addresses without verbose; the stream ends on app.close()', async () => {
    const silent = await silentServer();
    const { app, url, registry } = await boot(silent.port, { verbose: false, control: { guards: [AdminGuard] } });
    const hidden = new RegExp(`127\\.0\\.0\\.1|:${silent.port}\\b`);
    let closed = false;
    try {
      const page = await request(`${url}/redis-resilience/page`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type')!, /text\/html/);
      assert.match(page.headers.get('content-security-policy')!, /script-src 'sha256-/);
      assert.match(page.body, /<main>/);
      const view = await request(`${url}/redis-resilience/view`);
      assert.equal(view.status, 200);
      assert.equal(view.body.control, true, 'buttons only because control is enabled');
      assert.deepEqual(
        view.body.clients.map((c: { name: string }) => c.name),
        ['main', 'optional'],
      );
      assert.doesNotMatch(JSON.stringify(view.body), hidden);
      assert.equal((await request(`${url}/redis-resilience`)).status, 404, 'no verbose report');
      assert.equal((await request(`${url}/redis-resilience/events`)).status, 404, 'no raw events');

      const sse = await openSse(`${url}/redis-resilience/stream`);
      assert.equal(sse.status, 200);
      const label = view.body.clients[0].nodes[0].label as string;
      const opened = await request(`${url}/redis-resilience/breakers/main/${label}/open`, {
        method: 'POST',
        headers: { 'x-admin': 'yes' },
      });
      assert.equal(opened.status, 201);
      assert.doesNotMatch(JSON.stringify(opened.body), hidden, 'the control answer keys breakers by label');
      const entry = await sse.next((m) => m.type === 'timeline' && m.data.type === 'breaker.opened', 'breaker.opened on the stream');
      assert.equal(entry.data.node, label);
      assert.doesNotMatch(JSON.stringify(sse.messages), hidden);

      // The stream must end as shutdown starts: an open SSE response would hold Nest's HTTP
      // close forever.
      const started = performance.now();
      const closing = app.close();
      await sse.ended;
      const endedAfterMs = performance.now() - started;
      assert.ok(endedAfterMs < 1000, `the stream ended ${Math.round(endedAfterMs)} ms after app.close()`);
      assert.ok(
        sse.messages.some((m) => m.type === 'end'),
        'the stream said it ended, so the page does not reconnect',
      );
      await closing;
      closed = true;
      const tookMs = performance.now() - started;
      assert.ok(tookMs < 3000, `app.close() took ${Math.round(tookMs)} ms with a stream open`);
      assert.equal(registry.isShuttingDown, true);
    } finally {
      if (!closed) await app.close();
      await silent.close();
    }
  });
});
