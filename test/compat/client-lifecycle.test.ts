// ioredis lifecycle parity on a real redis-server: status values and events, connect on
// construction, disconnect() that ends at once (client.closed, events$ completes), connect()
// after disconnect(), node-style callbacks that agree with the promise, and no password in
// any inspect or JSON output.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { Cluster, Redis } from 'ioredis';
import {
  createResilientRedis,
  isCircuitOpenError,
  isClientClosedError,
  isInvalidOptionsError,
  ResilientRedis,
  silentLogger,
  type ResilientRedisOptions,
} from '../../src/index.js';
import { createLab, type RedisNode, waitFor } from '../support/lab.js';

const SECRET = 'pw-Zq8-do-not-leak';

/** Runs a call with a node-style callback; collects every callback invocation and the promise outcome. */
const call = (run: (cb: (e?: Error | null, r?: unknown) => void) => Promise<unknown>) =>
  new Promise<{ calls: Array<[Error | null | undefined, unknown]>; promise: PromiseSettledResult<unknown> }>((resolve) => {
    const calls: Array<[Error | null | undefined, unknown]> = [];
    const p = run((e, r) => calls.push([e, r]));
    void Promise.allSettled([p]).then(([promise]) => setTimeout(() => resolve({ calls, promise: promise! }), 50));
  });

describe('ioredis lifecycle parity', { timeout: 60_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());
  let node: RedisNode;
  let options: ResilientRedisOptions;

  const client = (extra: Partial<ResilientRedisOptions> = {}): ResilientRedis => {
    const c = createResilientRedis({ ...options, ...extra } as ResilientRedisOptions);
    lab.defer(() => c.close());
    return c;
  };

  before(async () => {
    node = await lab.standalone({ password: SECRET });
    options = {
      mode: 'standalone',
      node: { host: node.host, port: node.port },
      password: SECRET,
      logger: silentLogger,
      metrics: { enabled: false },
    };
  });

  test('connects on construction and reports ioredis statuses and events; lazyConnect waits', async () => {
    const redis = client();
    assert.ok((redis as object) instanceof Redis, 'instanceof ioredis Redis');
    assert.ok(!((redis as object) instanceof Cluster));
    assert.ok(redis instanceof ResilientRedis);
    assert.equal(redis.isCluster, false);
    const events: string[] = [];
    for (const e of ['connect', 'ready', 'close', 'end']) redis.on(e, () => events.push(e));
    await waitFor(() => redis.status === 'ready', { timeoutMs: 5000, what: 'ready without connect()' });
    assert.deepEqual(events, ['connect', 'ready']);
    await redis.connect();
    assert.equal(await redis.ping(), 'PONG');
    // Libraries assign it (bullmq after closing); the assignment holds until the next change.
    redis.status = 'end';
    assert.equal(redis.status, 'end');

    // Built together: once the eager one is ready, the lazy one has had every chance to connect.
    const lazy = client({ lazyConnect: true });
    const eager = client();
    await waitFor(() => eager.status === 'ready', { timeoutMs: 5000, what: 'the eager client ready on its own' });
    assert.equal(lazy.status, 'wait');
    await lazy.connect();
    assert.equal(lazy.status, 'ready');
  });

  test('disconnect() ends at once with client.closed, events$ completed and end; connect() reconnects', async () => {
    const redis = client();
    await redis.connect();
    const seen: string[] = [];
    let completed = false;
    redis.events$.subscribe({ next: (e) => seen.push(e.type), complete: () => (completed = true) });
    const ended = new Promise((resolve) => redis.once('end', resolve));
    const start = performance.now();
    redis.disconnect();
    await ended;
    const ms = performance.now() - start;
    assert.ok(ms < 100, `disconnect took ${ms.toFixed(0)} ms`);
    assert.ok(seen.includes('client.closed'), 'client.closed emitted');
    assert.ok(completed, 'events$ completed');
    assert.equal(redis.status, 'end');
    await assert.rejects(redis.get('k'), isClientClosedError);
    await redis.connect();
    assert.equal(redis.status, 'ready');
    assert.equal(await redis.set('again', '1'), 'OK');
  });

  test('an error event with no listener does not crash the process', async () => {
    const warnings: string[] = [];
    const down = createResilientRedis({
      mode: 'standalone',
      node: { host: '127.0.0.1', port: 1 },
      logger: { ...silentLogger, warn: (m: string) => warnings.push(m) },
      metrics: { enabled: false },
      policy: { connectTimeoutMs: 200 },
    });
    lab.defer(() => down.close());
    await waitFor(() => warnings.some((w) => w.includes('Unhandled error event')), {
      timeoutMs: 5000,
      what: 'the unhandled-error warning',
    });
  });

  test('callbacks agree with the promise, exactly once: open breaker, closed client, success after a retry', async () => {
    const redis = client({ policy: { attemptTimeoutMs: 150, totalTimeoutMs: 2000 } });
    await redis.connect();
    await redis.set('cb', 'v');
    // Success after a retry: the first attempt times out against a hung node.
    await node.pause();
    const resume = setTimeout(() => void node.resume(), 400);
    const retried = await call((cb) => redis.get('cb', cb));
    clearTimeout(resume);
    if (node.status === 'paused') await node.resume();
    assert.equal(retried.promise.status, 'fulfilled');
    assert.deepEqual(retried.calls, [[null, 'v']]);

    redis.controlBreaker(`${node.host}:${node.port}`, 'open');
    const open = await call((cb) => redis.get('cb', cb));
    assert.equal(open.calls.length, 1);
    assert.ok(isCircuitOpenError(open.calls[0]![0]), 'callback got CircuitOpenError');
    assert.equal(open.promise.status, 'rejected');
    redis.controlBreaker(`${node.host}:${node.port}`, 'close');

    await redis.close();
    const closed = await call((cb) => redis.get('cb', cb));
    assert.equal(closed.calls.length, 1);
    assert.ok(isClientClosedError(closed.calls[0]![0]), 'callback got ClientClosedError');
  });

  test('no output shows the password: inspect at any depth, JSON, duplicate, resolved options', async () => {
    const redis = client();
    await redis.connect();
    const dup = redis.duplicate({ connectionName: 'dup-conn' });
    lab.defer(() => dup.close());
    await dup.connect();
    assert.equal(await dup.client('GETNAME'), 'dup-conn');
    const outputs: string[] = [];
    for (const target of [redis, dup, redis.resolved, dup.resolved, redis.nodes()[0]]) {
      for (const depth of [0, 2, 5, 10, Infinity]) outputs.push(inspect(target, { depth, showHidden: true }));
      outputs.push(JSON.stringify(target) ?? '');
      outputs.push(String(target));
    }
    for (const out of outputs) assert.ok(!out.includes(SECRET), `secret in: ${out.slice(0, 200)}`);
  });

  test('duplicate() maps ioredis options and names every one it does not support', async () => {
    const redis = client();
    const blocking = redis.duplicate({ maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: true, db: 2, keyPrefix: 'p:' });
    lab.defer(() => blocking.close());
    assert.equal(blocking.status, 'wait');
    assert.equal(blocking.resolved.policy.blockingGraceMs >= 3_600_000, true, 'blocking consumer: no client deadline in practice');
    await blocking.set('x', '1');
    // Written as p:x in db 2: not visible from db 0, under either name.
    assert.equal(await blocking.get('x'), '1');
    assert.equal(await redis.get('p:x'), null);
    assert.equal(await redis.get('x'), null);
    assert.throws(
      () => redis.duplicate({ sentinels: [], retryStrategy: () => 1 }),
      (e: unknown) => isInvalidOptionsError(e) && /sentinels/.test(e.message) && /retryStrategy/.test(e.message),
    );
  });
});

test('a registry whose second client has bad options leaves no client of the first connecting', { timeout: 10_000 }, async () => {
  const { ClientRegistry } = await import('../../src/index.js');
  const { closedPort } = await import('../nestjs/nest-test-helpers.js');
  const port = await closedPort();
  const seen: ResilientRedis[] = [];
  const original = ResilientRedis.prototype.disconnect;
  ResilientRedis.prototype.disconnect = function (this: ResilientRedis, reconnect?: boolean) {
    seen.push(this);
    return original.call(this, reconnect);
  };
  try {
    assert.throws(
      () =>
        new ClientRegistry([
          { name: 'good', mode: 'standalone', node: { host: '127.0.0.1', port }, logger: silentLogger, metrics: { enabled: false } },
          { name: 'bad', mode: 'standalone', node: { host: '127.0.0.1', port: 0 } } as ResilientRedisOptions,
        ]),
      isInvalidOptionsError,
    );
  } finally {
    ResilientRedis.prototype.disconnect = original;
  }
  assert.equal(seen.length, 1);
  await waitFor(() => seen[0]!.status === 'end', { timeoutMs: 2000, what: 'the first client ended' });
});
