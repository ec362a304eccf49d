import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { createResilientRedis, report, readiness, type ResilienceEvent, type ResilienceLogger } from '../../src/index.js';
import { createLab, waitFor } from '../support/lab.js';

const PASSWORD = 'S3cret-Token-ForTheLab-9f1c2e';

test('no password or TLS key appears in metrics, events, logs, errors or health output', { timeout: 60_000 }, async () => {
  const lab = createLab();
  try {
    const ca = await lab.tls();
    const node = await lab.standalone({ password: PASSWORD, tls: true });
    const lines: string[] = [];
    const capture =
      (level: string) =>
      (m: string, ...rest: unknown[]) =>
        lines.push(`${level} ${m} ${rest.map(String).join(' ')}`);
    const logger: ResilienceLogger = { log: capture('log'), warn: capture('warn'), error: capture('error'), debug: capture('debug') };
    const registry = new Registry();
    const events: ResilienceEvent[] = [];
    const tls = { ca: ca.ca, servername: 'localhost' };
    const redis = createResilientRedis({
      name: 'secure',
      mode: 'standalone',
      node: { host: node.host, port: node.port },
      password: PASSWORD,
      tls,
      logger,
      metrics: { registry },
      policy: { attemptTimeoutMs: 200, totalTimeoutMs: 600, connectTimeoutMs: 2000 },
    });
    redis.events$.subscribe((e) => events.push(e));
    await redis.connect();
    await redis.set('k', 'v');
    assert.equal(await redis.get('k'), 'v');

    // Failures: a hung node (timeouts, breaker), and a client with a wrong password.
    await node.pause();
    const errors: unknown[] = [];
    for (let i = 0; i < 8; i++) await redis.get('k').catch((e: unknown) => errors.push(e));
    await waitFor(() => redis.health().nodes[0]!.breaker !== 'closed', { timeoutMs: 5000, what: 'breaker to open' });
    await node.resume();
    const wrong = createResilientRedis({
      name: 'wrong',
      mode: 'standalone',
      node: { host: node.host, port: node.port },
      password: `${PASSWORD}-nope`,
      tls,
      logger,
      metrics: { registry },
      policy: { connectTimeoutMs: 1500 },
    });
    await wrong.connect().catch((e: unknown) => errors.push(e));
    await wrong.close();

    const outputs = [
      await registry.metrics(),
      JSON.stringify(events),
      lines.join('\n'),
      JSON.stringify(redis.health()),
      JSON.stringify(readiness([redis])),
      JSON.stringify(report([redis])),
      ...errors.map((e) => `${(e as Error).message} ${(e as Error).stack} ${JSON.stringify(e)} ${String((e as Error).cause)}`),
    ].join('\n');
    assert.ok(errors.length > 0 && events.length > 0 && lines.length > 0, 'the test must have produced output to check');
    assert.ok(outputs.includes('breaker.opened'), 'the failure was observed');
    assert.ok(!outputs.includes(PASSWORD), 'the password leaked');
    const keyPem = ca.server.key
      .toString()
      .split('\n')
      .filter((l) => l.length > 20 && !l.startsWith('-----'));
    assert.ok(keyPem.length > 0);
    for (const chunk of keyPem) assert.ok(!outputs.includes(chunk), 'TLS key material leaked');
    await redis.close();
  } finally {
    await lab.teardown();
  }
});
