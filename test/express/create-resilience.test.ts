import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { createResilience } from '../../src/express/index.js';
import { isConnectFailedError, isInvalidOptionsError } from '../../src/index.js';
import { closedPort, downClient } from '../nestjs/nest-test-helpers.js';

describe('createResilience', { timeout: 20_000 }, () => {
  test('accepts bare client options, a list, or the wrapper; client() picks "default", else the first', async () => {
    const port = await closedPort();
    const single = createResilience(downClient(port, { name: 'only' }));
    const list = createResilience([downClient(port, { name: 'a' }), downClient(port, { name: 'b' })]);
    const wrapped = createResilience({ clients: [downClient(port, { name: 'x' }), downClient(port)] });
    try {
      assert.equal(single.client().name, 'only');
      assert.equal(list.client().name, 'a');
      assert.equal(list.client('b').name, 'b');
      assert.equal(wrapped.client().name, 'default');
      assert.deepEqual([...wrapped.clients.keys()], ['x', 'default']);
      assert.throws(() => list.client('nope'), /No redis-resilience client named "nope"/);
    } finally {
      await Promise.all([single.close(), list.close(), wrapped.close()]);
    }
    assert.throws(
      () => createResilience([downClient(port), downClient(port)]),
      (e: unknown) => isInvalidOptionsError(e),
    );
  });

  test('wrapper logger and metrics apply to clients that set none', async () => {
    const port = await closedPort();
    const logger = { log() {}, warn() {}, error() {} };
    const registry = new Registry();
    const own = { log() {}, warn() {}, error() {} };
    const r = createResilience({
      clients: [
        { mode: 'standalone', name: 'plain', node: { host: '127.0.0.1', port } },
        downClient(port, { name: 'custom', logger: own }),
      ],
      logger,
      metrics: { registry },
    });
    try {
      assert.equal(r.client('plain').resolved.logger, logger);
      assert.equal(r.client('plain').resolved.metrics?.registry, registry);
      assert.equal(r.client('custom').resolved.logger, own);
      assert.deepEqual(r.client('custom').resolved.metrics, { enabled: false });
      assert.match(await registry.metrics(), /client="plain"/);
    } finally {
      await r.close();
    }
  });

  test('connect tolerates a down Redis by default; failFast rejects and closes everything', async () => {
    const port = await closedPort();
    const tolerant = createResilience(downClient(port));
    const failures = await tolerant.connect();
    assert.equal(failures.length, 1);
    assert.ok(isConnectFailedError(failures[0]!.error));
    assert.equal(tolerant.registry.readiness().status, 'error');
    await tolerant.close();

    const strict = createResilience(downClient(port));
    await assert.rejects(strict.connect({ failFast: true }), (e: unknown) => isConnectFailedError(e));
    assert.equal(strict.client().status, 'end');
  });
});
