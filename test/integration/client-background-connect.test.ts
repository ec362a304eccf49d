import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createResilientRedis, silentLogger, isConnectFailedError } from '../../src/index.js';
import { createLab, waitFor } from '../support/lab.js';

test('a client whose first connect() failed turns ready on its own once Redis is back', { timeout: 30_000 }, async () => {
  const lab = createLab();
  try {
    const node = await lab.standalone();
    await node.kill();
    const redis = createResilientRedis({
      name: 'late',
      mode: 'standalone',
      node: { host: node.host, port: node.port },
      logger: silentLogger,
      metrics: { enabled: false },
      policy: { connectTimeoutMs: 500, reconnectMaxMs: 200 },
    });
    const ready: number[] = [];
    redis.events$.subscribe((e) => e.type === 'client.ready' && ready.push(e.timestamp));
    await assert.rejects(redis.connect(), isConnectFailedError);
    assert.equal(redis.status, 'connecting');
    await node.restart();
    await waitFor(() => redis.status === 'ready', { timeoutMs: 10_000, what: 'status ready after the node came back' });
    assert.equal(ready.length, 1, 'client.ready emitted once');
    assert.equal(await redis.set('k', 'v'), 'OK');
    await redis.close();
    assert.equal(redis.status, 'end');
  } finally {
    await lab.teardown();
  }
});

test('a recovered node closes its breaker with no traffic at all (background probe)', { timeout: 30_000 }, async () => {
  const lab = createLab();
  try {
    const node = await lab.standalone();
    const redis = createResilientRedis({
      name: 'quiet',
      mode: 'standalone',
      node: { host: node.host, port: node.port },
      logger: silentLogger,
      metrics: { enabled: false },
      policy: { attemptTimeoutMs: 100, totalTimeoutMs: 300 },
      breaker: { resetTimeoutMs: 200 },
    });
    await redis.connect();
    await node.pause();
    for (let i = 0; i < 3; i++) await redis.get('k').catch(() => {});
    await waitFor(() => redis.health().nodes[0]!.breaker === 'open', { timeoutMs: 5000, what: 'breaker open' });
    await node.resume();
    // No commands from here on: only the library's own probe can close it.
    await waitFor(() => redis.health().nodes[0]!.breaker === 'closed', { timeoutMs: 5000, what: 'breaker closed by the background probe' });
    await redis.close();
  } finally {
    await lab.teardown();
  }
});
