// One rule for the default client, used by `get()` and by both adapters: the client named
// "default" if there is one, else the first configured (get() used to throw for two clients
// with neither named "default", while the adapters picked the first).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClientRegistry, silentLogger } from '../../../src/index.js';

const client = (name?: string) =>
  ({
    ...(name ? { name } : {}),
    mode: 'standalone',
    node: { host: '127.0.0.1', port: 1 },
    lazyConnect: true,
    logger: silentLogger,
    metrics: { enabled: false },
  }) as const;

test('the default client: "default" if configured, else the first; get() and defaultName agree', async () => {
  const two = new ClientRegistry([client('orders'), client('sessions')]);
  try {
    assert.equal(two.defaultName, 'orders');
    assert.equal(two.get().name, 'orders');
  } finally {
    await two.closeAll();
  }
  const named = new ClientRegistry([client('orders'), client()]);
  try {
    assert.equal(named.defaultName, 'default');
    assert.equal(named.get().name, 'default');
  } finally {
    await named.closeAll();
  }
});
