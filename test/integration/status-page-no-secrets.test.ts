// The status page's every output (page, view, stream) and the health router's, through a hung
// node and a client with a wrong password: never the password, and no address unless the
// verbose report is allowed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import { createHealthRouter, createResilience, createStatusRouter } from '../../src/express/index.js';
import { silentLogger } from '../../src/index.js';
import { request, serve } from '../express/express-test-helpers.js';
import { openSse } from '../express/sse-client.js';
import { createLab, waitFor } from '../support/lab.js';

const PASSWORD = 'status-page-s3cret-Pa55';

test('status page and health router: no password anywhere; addresses only in verbose mode', { timeout: 60_000 }, async () => {
  const lab = createLab();
  try {
    const node = await lab.standalone({ password: PASSWORD });
    const base = {
      mode: 'standalone' as const,
      node: { host: node.host, port: node.port },
      logger: silentLogger,
      metrics: { enabled: false as const },
    };
    const resilience = createResilience([
      { ...base, name: 'kv', password: PASSWORD, policy: { attemptTimeoutMs: 200 } },
      { ...base, name: 'wrong', password: `${PASSWORD}-nope`, required: false, policy: { connectTimeoutMs: 500 } },
    ]);
    lab.defer(() => resilience.close());
    await resilience.connect();
    const app = express();
    app.use('/open', createStatusRouter(resilience));
    app.use('/ops', createStatusRouter(resilience, { verbose: true, control: { authorize: () => true } }));
    app.use('/health', createHealthRouter(resilience, { verbose: true }));
    app.use('/public-health', createHealthRouter(resilience));
    const server = await serve(app);
    lab.defer(() => server.close());
    const hiddenStream = await openSse(`${server.url}/open/stream`);
    const verboseStream = await openSse(`${server.url}/ops/stream`);
    lab.defer(() => hiddenStream.close());
    lab.defer(() => verboseStream.close());
    await hiddenStream.next((m) => m.type === 'hello', 'hidden stream');
    await verboseStream.next((m) => m.type === 'hello', 'verbose stream');

    // A hung node: timeouts open the breaker; then it comes back.
    const kv = resilience.client('kv');
    await node.pause();
    lab.defer(() => node.resume());
    await Promise.all(Array.from({ length: 6 }, () => kv.get('k').catch(() => {})));
    await hiddenStream.next((m) => m.type === 'timeline' && m.data.type === 'breaker.opened' && m.data.client === 'kv', 'breaker.opened');
    const duringOutage = await Promise.all(
      ['/open/view', '/ops/view', '/health', '/public-health/ready'].map((p) => request(`${server.url}${p}`)),
    );
    await node.resume();
    await waitFor(
      async () =>
        (await kv.get('k').then(
          () => true,
          () => false,
        )) && kv.health().nodes[0]!.breaker === 'closed',
      { timeoutMs: 10_000, what: 'kv to serve again' },
    );
    const after = await Promise.all(
      ['/open/page', '/open/view', '/ops/view', '/health', '/public-health/ready'].map((p) => request(`${server.url}${p}`)),
    );

    const hidden = JSON.stringify([hiddenStream.messages, duringOutage[0]!.body, duringOutage[3]!.body, after[1]!.body, after[4]!.body]);
    const verbose = JSON.stringify([
      verboseStream.messages,
      duringOutage[1]!.body,
      duringOutage[2]!.body,
      after[0]!.body,
      after[2]!.body,
      after[3]!.body,
    ]);
    for (const [what, text] of [
      ['hidden outputs', hidden],
      ['verbose outputs', verbose],
    ] as const) {
      assert.ok(!text.includes(PASSWORD), `${what} contain the password`);
      assert.ok(!text.includes(Buffer.from(PASSWORD).toString('base64')), `${what} contain the password in base64`);
    }
    assert.doesNotMatch(hidden, new RegExp(`${node.host.replaceAll('.', '\\.')}|:${node.port}\\b`), 'an address in the hidden outputs');
    assert.ok(verbose.includes(`${node.host}:${node.port}`), 'verbose outputs name the node');
    // The wrong-password client is reported, without the password it tried.
    assert.equal(after[1]!.body.clients.find((c: { name: string }) => c.name === 'wrong').status, 'down');
  } finally {
    await lab.teardown();
  }
});
