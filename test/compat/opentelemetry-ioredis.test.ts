// @opentelemetry/instrumentation-ioredis traces a ResilientRedis: it patches ioredis's
// connections, which our attempts go through, so there is one span per attempt (a retried call
// shows one span per try), each a child of the span active where the call was made, and none
// for a call the client refused without sending (breaker open). Standalone here; replication
// and cluster in opentelemetry-ioredis-modes.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { trace } from '@opentelemetry/api';
// First: the tracer and its ioredis hook, before the library under test loads ioredis.
import { exporter, provider, spansUnder } from './otel-tracing.js';

const { createResilientRedis, isCircuitOpenError, silentLogger } = await import('../../src/index.js');
const { createLab } = await import('../support/lab.js');

type Client = ReturnType<typeof createResilientRedis>;

after(() => provider.shutdown());

describe('OpenTelemetry ioredis instrumentation over ResilientRedis', { timeout: 60_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());
  let redis: Client;
  let address: string;
  let pause: () => Promise<void>;
  let resume: () => Promise<void>;

  before(async () => {
    const node = await lab.standalone();
    address = node.address;
    pause = () => node.pause();
    resume = () => node.resume();
    redis = createResilientRedis({
      name: 'otel',
      mode: 'standalone',
      node: { host: node.host, port: node.port },
      logger: silentLogger,
      metrics: { enabled: false },
      policy: { attemptTimeoutMs: 150, totalTimeoutMs: 2000 },
    });
    lab.defer(() => redis.close());
    await redis.connect();
  });

  test('each call is a child span of the active span, with its command name', async () => {
    exporter.reset();
    const tracer = trace.getTracer('compat');
    const parentId = await tracer.startActiveSpan('request', async (span) => {
      await redis.set('otel:k', 'v');
      assert.equal(await redis.get('otel:k'), 'v');
      span.end();
      return span.spanContext().spanId;
    });
    assert.deepEqual(
      spansUnder(parentId)
        .map((s) => s.name)
        .toSorted(),
      ['get', 'set'],
    );
  });

  test('one span per attempt: a retried read shows two, a refused call none', async () => {
    exporter.reset();
    const tracer = trace.getTracer('compat');
    const parentId = await tracer.startActiveSpan('retry', async (span) => {
      await pause();
      const resumer = setTimeout(() => void resume(), 300);
      try {
        assert.equal(await redis.get('otel:k'), 'v');
      } finally {
        clearTimeout(resumer);
        await resume().catch(() => {});
      }
      span.end();
      return span.spanContext().spanId;
    });
    const gets = spansUnder(parentId).filter((s) => s.name === 'get');
    assert.ok(gets.length >= 2, `${gets.length} get spans for a call that needed a retry`);

    exporter.reset();
    redis.controlBreaker(address, 'open');
    try {
      const refusedId = await tracer.startActiveSpan('refused', async (span) => {
        await assert.rejects(redis.get('otel:k'), isCircuitOpenError);
        span.end();
        return span.spanContext().spanId;
      });
      assert.equal(spansUnder(refusedId).length, 0);
    } finally {
      redis.controlBreaker(address, 'close');
    }
  });
});
