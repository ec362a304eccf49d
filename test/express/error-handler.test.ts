import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import { createErrorHandler } from '../../src/express/index.js';
import { CircuitOpenError, ClientClosedError, CrossSlotError, QueueFullError } from '../../src/index.js';
import { request, serve } from './express-test-helpers.js';

const target = { client: 'c', node: '127.0.0.1:7000', command: 'get' };

describe('createErrorHandler', { timeout: 20_000 }, async () => {
  const app = express();
  const thrown: Record<string, () => unknown> = {
    circuit: () => new CircuitOpenError(target, 2300),
    'circuit-soon': () => new CircuitOpenError(target, 40),
    'queue-full': () => new QueueFullError(target, 1000),
    closed: () => new ClientClosedError('c', 'get'),
    crossslot: () => new CrossSlotError('c', 'mget'),
    wrongtype: () => Object.assign(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), { name: 'ReplyError' }),
  };
  app.get('/throw/:what', (req, _res, next) => next(thrown[String(req.params.what)]!()));
  app.get('/async/:what', async (req) => {
    throw thrown[String(req.params.what)]!();
  });
  app.use(createErrorHandler());
  const seen: unknown[] = [];
  // The handler must pass everything else on: this one records what reached it.
  app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    seen.push(error);
    res.status(500).json({ passedOn: (error as Error).message });
  });
  const server = await serve(app);
  after(() => server.close());

  test('is a 4-argument middleware (Express tells error handlers by arity)', () => {
    assert.equal(createErrorHandler().length, 4);
  });

  test('CircuitOpenError: 503 with Retry-After from retryAfterMs, rounded up, at least 1 s', async () => {
    const res = await request(`${server.url}/throw/circuit`);
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '3');
    assert.deepEqual(res.body, {
      statusCode: 503,
      error: 'Service Unavailable',
      code: 'ERR_CIRCUIT_OPEN',
      message: 'A backing service is temporarily unavailable; retry later.',
    });
    assert.equal((await request(`${server.url}/async/circuit-soon`)).headers.get('retry-after'), '1');
  });

  test('other unavailability errors: 503 with the default Retry-After', async () => {
    for (const what of ['queue-full', 'closed']) {
      const res = await request(`${server.url}/async/${what}`);
      assert.equal(res.status, 503, what);
      assert.equal(res.headers.get('retry-after'), '1', what);
    }
  });

  test('user and programming errors go on to next(err) unchanged', async () => {
    seen.length = 0;
    const wrongType = await request(`${server.url}/throw/wrongtype`);
    assert.equal(wrongType.status, 500);
    assert.match(wrongType.body.passedOn, /^WRONGTYPE/);
    const crossSlot = await request(`${server.url}/throw/crossslot`);
    assert.equal(crossSlot.status, 500);
    assert.equal(crossSlot.headers.get('retry-after'), null);
    assert.equal(seen.length, 2);
    assert.equal((seen[1] as { code: string }).code, 'ERR_CROSS_SLOT');
  });

  test('options: defaultRetryAfterSeconds and exposeMessage', async () => {
    const custom = express();
    custom.get('/', (_req, _res, next) => next(new QueueFullError(target, 5)));
    custom.use(createErrorHandler({ defaultRetryAfterSeconds: 7, exposeMessage: true }));
    const s = await serve(custom);
    try {
      const res = await request(s.url);
      assert.equal(res.headers.get('retry-after'), '7');
      assert.match(res.body.message, /Queue full \(5 calls waiting\)/);
    } finally {
      await s.close();
    }
  });
});
