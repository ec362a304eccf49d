// Issue 15, defect 5: connectTimeoutMs bounds the whole of connect(), DNS stage included, and
// every error on that path is one of the family (so HTTP adapters answer 503, not 500).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createResilientRedis, isConnectFailedError, isResilienceError, silentLogger, type ResilientRedis } from '../../src/index.js';
import { createLab, waitFor } from '../support/lab.js';

const lab = createLab();
after(() => lab.teardown());

function replicationClient(name: string, extra: Record<string, unknown>): ResilientRedis {
  const client = createResilientRedis({
    name,
    mode: 'replication',
    primary: { host: 'silent.repl.test', port: 6379 },
    logger: silentLogger,
    metrics: { enabled: false },
    policy: { connectTimeoutMs: 1000, totalTimeoutMs: 800, attemptTimeoutMs: 200 },
    ...extra,
  } as never);
  lab.defer(() => client.close());
  return client;
}

async function timedConnect(client: ResilientRedis): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  const error = await client.connect().then(
    () => assert.fail('connect() resolved without a reachable node'),
    (e: unknown) => e,
  );
  return { error, ms: performance.now() - started };
}

describe('connect() is bounded by connectTimeoutMs', { timeout: 30_000 }, () => {
  test('a DNS server that never answers: connect() fails within connectTimeoutMs with ConnectFailedError', async () => {
    const dns = await lab.dns();
    dns.setFailure('silent.repl.test', 'drop');
    const client = replicationClient('bounded-dns', { dns: { servers: [dns.server] } });
    const { error, ms } = await timedConnect(client);
    assert.ok(isConnectFailedError(error), String(error));
    assert.ok(ms < 1000 + 150, `settled after ${Math.round(ms)} ms`);
    await waitFor(() => dns.queryCount('silent.repl.test') > 0, { timeoutMs: 1000, what: 'the name to have been asked for' });
  });

  test('a resolver that never answers: connect() and close() both settle, and calls get a family error', async () => {
    const client = replicationClient('bounded-resolver', { dns: { resolve: () => new Promise(() => {}) } });
    const { error, ms } = await timedConnect(client);
    assert.ok(isConnectFailedError(error), String(error));
    assert.ok(ms < 1000 + 150, `settled after ${Math.round(ms)} ms`);
    // A call before the router could start: a typed error within its deadline, not a plain Error.
    const started = performance.now();
    const callError = await client.get('k').then(
      () => assert.fail('a call succeeded with no endpoint'),
      (e: unknown) => e,
    );
    assert.ok(isResilienceError(callError), `family error, got ${String(callError)}`);
    assert.ok(performance.now() - started < 800 + 100, 'within the call deadline');
    const closing = performance.now();
    await client.close();
    assert.ok(performance.now() - closing < 500, 'close() does not wait for the resolver');
  });
});
