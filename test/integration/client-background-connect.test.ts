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
      name: 'late', mode: 'standalone', node: { host: node.host, port: node.port }, logger: silentLogger, metrics: { enabled: false },
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
    assert.equal(redis.status, 'closed');
  } finally {
    await lab.teardown();
  }
});
