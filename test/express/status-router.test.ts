import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import { attachGracefulShutdown, createResilience, createStatusRouter, type Resilience } from '../../src/express/index.js';
import { isInvalidOptionsError, type ClientRegistry, type ResilienceLogger } from '../../src/index.js';
import { downClient, silentServer } from '../nestjs/nest-test-helpers.js';
import { waitFor } from '../support/wait.js';
import { request, serve } from './express-test-helpers.js';
import { countingEvents, openSse, trackIntervals } from './sse-client.js';

/** The real registry, with an `events$` that counts its subscribers. */
function counted(resilience: Resilience): { registry: ClientRegistry; active: () => number } {
  const { events$, active } = countingEvents(resilience.registry.events$);
  return { registry: Object.create(resilience.registry, { events$: { value: events$ } }) as ClientRegistry, active };
}

const quiet: ResilienceLogger = { log: () => {}, warn: () => {}, error: () => {} };

describe('createStatusRouter', { timeout: 30_000 }, () => {
  // Issue 15, defect 6: control without a guard let an anonymous POST force a breaker open.
  test('refuses breaker control without an authorize hook, at setup, with InvalidOptionsError', async (t) => {
    const resilience = createResilience(downClient(1, { name: 'main' }));
    // Clients connect on construction: this one would keep retrying, and the process alive.
    t.after(() => resilience.close());
    const refused = (options: object) => {
      try {
        createStatusRouter(resilience, options);
      } catch (error) {
        assert.ok(isInvalidOptionsError(error), String(error));
        return error.message;
      }
      assert.fail(`accepted ${JSON.stringify(options)}`);
    };
    assert.match(refused({ control: true }), /breaker control is enabled without a guard/);
    assert.match(refused({ control: {} }), /control: \{ authorize/);
    assert.match(refused({ eventLimit: 0, heartbeatMs: 5 }), /eventLimit[\s\S]*heartbeatMs/);
    createStatusRouter(resilience, { control: true, authorize: () => true });
    createStatusRouter(resilience, { control: { authorize: () => true } });
  });

  test('read-only and address-free by default: page, view and stream name shards, never addresses', async () => {
    const silent = await silentServer();
    const resilience = createResilience(downClient(silent.port, { name: 'main' }));
    const { registry, active } = counted(resilience);
    const app = express();
    app.use('/status', createStatusRouter({ registry }, { heartbeatMs: 12_345 }));
    const server = await serve(app);
    const address = `127.0.0.1:${silent.port}`;
    const hidden = new RegExp(`127\\.0\\.0\\.1|:${silent.port}\\b`);
    const heartbeats = trackIntervals(12_345);
    try {
      const page = await request(`${server.url}/status/page`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type')!, /text\/html/);
      assert.match(page.headers.get('content-security-policy')!, /default-src 'none'/);
      assert.ok(Buffer.byteLength(page.body) < 30_000);

      const view = await request(`${server.url}/status/view`);
      assert.equal(view.status, 200);
      assert.equal(view.body.verbose, false);
      assert.equal(view.body.control, false);
      assert.equal(view.body.clients[0].name, 'main');
      assert.equal(view.body.clients[0].nodes[0].role, 'primary');
      assert.equal(view.body.clients[0].nodes[0].address, undefined);
      assert.doesNotMatch(JSON.stringify(view.body), hidden);

      const label = view.body.clients[0].nodes[0].label as string;
      assert.equal((await request(`${server.url}/status/breakers/main/${label}/open`, { method: 'POST' })).status, 404, 'no control route');

      const sse = await openSse(`${server.url}/status/stream`);
      assert.equal(sse.status, 200);
      assert.match(sse.headers.get('content-type')!, /text\/event-stream/);
      await sse.next((m) => m.type === 'hello', 'hello');
      await waitFor(() => active() === 1, { timeoutMs: 2000, what: 'the stream to subscribe' });
      assert.ok(resilience.client('main').controlBreaker(address, 'open'));
      const opened = await sse.next((m) => m.type === 'timeline' && m.data.type === 'breaker.opened', 'breaker.opened on the stream');
      assert.equal(opened.data.node, label);
      assert.match(opened.data.text, /opened by an operator/);
      assert.doesNotMatch(JSON.stringify(sse.messages), hidden);

      // A closed tab releases everything the stream held.
      sse.close();
      await waitFor(() => active() === 0, { timeoutMs: 2000, what: 'the events$ subscription to be released' });
      assert.equal(heartbeats.created(), 1);
      await waitFor(() => heartbeats.live() === 0, { timeoutMs: 2000, what: 'the heartbeat timer to be cleared' });
    } finally {
      heartbeats.restore();
      await server.close();
      await resilience.close();
      await silent.close();
    }
  });

  test('control: buttons in the view and the POST route, behind the authorize hook; addresses with verbose', async () => {
    const silent = await silentServer();
    const resilience = createResilience(downClient(silent.port, { name: 'main' }));
    const app = express();
    app.use('/ops', createStatusRouter(resilience, { verbose: true, control: { authorize: (req) => req.headers['x-admin'] === 'yes' } }));
    const server = await serve(app);
    const node = `127.0.0.1:${silent.port}`;
    const admin = { method: 'POST', headers: { 'x-admin': 'yes' } };
    const breaker = () => resilience.client('main').health().nodes[0]!.breaker;
    try {
      const view = await request(`${server.url}/ops/view`);
      assert.equal(view.body.control, true);
      assert.equal(view.body.clients[0].nodes[0].address, node);
      assert.equal(view.body.clients[0].nodes[0].target, node);

      assert.equal((await request(`${server.url}/ops/breakers/main/${node}/open`, { method: 'POST' })).status, 403);
      assert.equal(breaker(), 'closed', 'a refused call changes nothing');
      // Another site's page, with the operator's cookies: refused (CSRF).
      const crossSite: Array<Record<string, string>> = [
        { 'sec-fetch-site': 'cross-site' },
        { 'sec-fetch-site': 'same-site' },
        { origin: 'https://evil.example' },
      ];
      for (const headers of crossSite) {
        const res = await request(`${server.url}/ops/breakers/main/${node}/open`, {
          method: 'POST',
          headers: { ...admin.headers, ...headers },
        });
        assert.equal(res.status, 403, JSON.stringify(headers));
      }
      assert.equal(breaker(), 'closed', 'a cross-site call changes nothing');
      const opened = await request(`${server.url}/ops/breakers/main/${node}/open`, {
        method: 'POST',
        headers: { ...admin.headers, 'sec-fetch-site': 'same-origin', origin: server.url },
      });
      assert.equal(opened.status, 200);
      assert.deepEqual(opened.body, { client: 'main', node, action: 'open', breakers: { [node]: 'open' } });
      assert.equal(breaker(), 'open');
      assert.equal((await request(`${server.url}/ops/breakers/main/${node}/close`, admin)).body.breakers[node], 'closed');
      assert.equal(breaker(), 'closed');
      assert.equal((await request(`${server.url}/ops/breakers/main/127.0.0.1:1/open`, admin)).status, 404);
      assert.equal((await request(`${server.url}/ops/breakers/nope/${node}/open`, admin)).status, 404);
      assert.equal((await request(`${server.url}/ops/breakers/main/${node}/toggle`, admin)).status, 400);
    } finally {
      await server.close();
      await resilience.close();
      await silent.close();
    }
  });

  test('authorize guards every status route, and only them (mounted without a path)', async () => {
    const resilience = createResilience(downClient(1, { name: 'main' }));
    const app = express();
    app.use(createStatusRouter(resilience, { authorize: (req) => req.headers['x-ops'] === 'yes', control: true }));
    app.get('/hello', (_req, res) => res.send('hi'));
    const server = await serve(app);
    try {
      for (const path of ['/page', '/view', '/stream']) assert.equal((await request(`${server.url}${path}`)).status, 403, path);
      assert.equal((await request(`${server.url}/breakers/main/x/open`, { method: 'POST' })).status, 403);
      assert.equal((await request(`${server.url}/view`, { headers: { 'x-ops': 'yes' } })).status, 200);
      assert.equal(
        (await request(`${server.url}/breakers/main/x/open`, { method: 'POST', headers: { 'x-ops': 'yes' } })).status,
        404,
        'the control route takes the router guard',
      );
      assert.equal((await request(`${server.url}/hello`)).body, 'hi', "the app's own routes are not guarded");
    } finally {
      await server.close();
      await resilience.close();
    }
  });

  test('an open stream ends when shutdown starts, so the HTTP drain does not wait for it', async () => {
    const silent = await silentServer();
    const resilience = createResilience(downClient(silent.port, { name: 'main' }));
    const { registry, active } = counted(resilience);
    const app = express();
    app.use('/status', createStatusRouter({ registry }));
    const server = await serve(app);
    const lines: string[] = [];
    const shutdown = attachGracefulShutdown(server.server, resilience, {
      signals: [],
      exit: false,
      drainMs: 5000,
      logger: { ...quiet, log: (l: string) => lines.push(l), warn: (l: string) => lines.push(l) },
    });
    try {
      const sse = await openSse(`${server.url}/status/stream`);
      await sse.next((m) => m.type === 'hello', 'hello');
      const started = performance.now();
      assert.equal(await shutdown.shutdown('test'), 0);
      const tookMs = performance.now() - started;
      assert.ok(tookMs < 2500, `shutdown took ${Math.round(tookMs)} ms with a stream open (drain is 5000 ms)`);
      assert.ok(
        lines.some((l) => /every request answered/.test(l)),
        lines.join('\n'),
      );
      await sse.ended;
      assert.ok(
        sse.messages.some((m) => m.type === 'end'),
        'the page is told not to reconnect',
      );
      assert.equal(active(), 0);
    } finally {
      shutdown.detach();
      await server.close();
      await resilience.close();
      await silent.close();
    }
  });
});
