// The parts of the ioredis surface beyond plain commands, on a real standalone node: a watched
// transaction whose outcome is unknown is never re-sent, a blocking command never holds the
// shared connection, a blocking command that waited never outlives its deadline on the
// server, and calls in flight when the client closes fail as closed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { ErrorCodes } from '../../src/index.js';
import { type RedisNode, createLab, faults, waitFor } from '../support/lab.js';
import { standaloneClients } from '../support/standalone-clients.js';

describe('command path: transactions, blocking commands and close', { timeout: 90_000 }, () => {
  const lab = createLab();
  let node: RedisNode;
  let plain: Redis;
  const client = standaloneClients(lab, 'surface', () => node);

  before(async () => {
    node = await lab.standalone();
    plain = lab.client(node.clientOptions());
  });
  after(() => lab.teardown());

  test('WATCH + MULTI whose EXEC times out is not re-sent without its WATCH (no lost update)', async () => {
    // Short attempts and a long total: before the fix, the timed-out EXEC was retried as a
    // fresh MULTI/EXEC (idempotent SET) without the WATCH, and committed over the other write.
    const redis = client({ attemptTimeoutMs: 300, totalTimeoutMs: 4000 });
    await redis.connect();
    const k = 'surface:watched';
    await redis.set(k, 'original');
    assert.equal(await redis.watch(k), 'OK');
    await plain.set(k, 'theirs');
    await plain.call('CLIENT', 'PAUSE', '1500', 'WRITE');
    const outcome = await redis
      .multi()
      .set(k, 'mine')
      .exec()
      .then(
        (r) => ({ result: r }),
        (e: { code?: string }) => ({ code: e.code }),
      );
    await waitFor(async () => (await plain.get(k)) !== null, { timeoutMs: 5000, what: 'writes unpaused' });
    // EXEC ran once the pause ended and aborted: the watched key had changed.
    assert.equal(await plain.get(k), 'theirs', `the other client's write stands (outcome ${JSON.stringify(outcome)})`);
    assert.ok(
      ('code' in outcome && outcome.code === ErrorCodes.outcomeUnknown) || ('result' in outcome && outcome.result === null),
      `fails as outcome-unknown or aborts as EXEC would, never reports success: ${JSON.stringify(outcome)}`,
    );
  });

  test('a transaction after a WATCH whose connection was lost aborts instead of committing unwatched', async () => {
    const redis = client();
    await redis.connect();
    const k = 'surface:watched-reconnect';
    await redis.set(k, 'original');
    await redis.watch(k);
    // The server drops our connection: the WATCH is gone with it.
    await plain.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    await waitFor(() => redis.health().nodes[0]!.connected, { timeoutMs: 5000, what: 'reconnected' });
    assert.equal(await redis.multi().set(k, 'mine').exec(), null, 'aborted, as EXEC is when a watch does not hold');
    assert.equal(await plain.get(k), 'original');
  });

  test('BLPOP on the shared client never holds its connection: concurrent GETs stay fast, the breaker closed', async () => {
    const redis = client({ attemptTimeoutMs: 200 });
    await redis.connect();
    const popped = redis.blpop('surface:empty-list', 2);
    const started = performance.now();
    let slowest = 0;
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await redis.get('surface:any');
      slowest = Math.max(slowest, performance.now() - t);
    }
    assert.ok(performance.now() - started < 1500, 'the GETs finished while BLPOP still blocked');
    assert.ok(slowest < 150, `slowest GET ${slowest.toFixed(1)} ms, below the 200 ms attempt timeout`);
    assert.equal(await popped, null, 'BLPOP answered nil at its own timeout');
    assert.equal(redis.health().nodes[0]!.breaker, 'closed');
  });

  test('blocking calls beyond the per-node pool wait for a connection and all settle', async () => {
    const redis = client();
    await redis.connect();
    const started = performance.now();
    const pops = Array.from({ length: 20 }, (_, i) => redis.blpop(`surface:pool:${i}`, 1));
    const results = await Promise.all(pops);
    assert.deepEqual(
      results,
      Array.from({ length: 20 }, () => null),
    );
    const elapsed = performance.now() - started;
    // 16 dedicated connections: the last 4 wait for one, then block for what is left of
    // their 2 s budget (1 s + grace) minus the reply margin.
    assert.ok(elapsed >= 1500 && elapsed < 2500, `two rounds of blocking within the budget, took ${elapsed.toFixed(0)} ms`);
    const list = String(await plain.call('CLIENT', 'LIST'));
    const blocking = list.split('\n').filter((l) => l.includes(`redis-resilience:${redis.name}`) && l.includes(':blocking')).length;
    assert.ok(blocking > 0 && blocking <= 16, `dedicated connections are bounded: ${blocking}`);
  });

  test('a BLPOP that waited for its connection goes out with its block cut to its deadline: no element lost', async () => {
    const redis = client({ blockingGraceMs: 500, connectTimeoutMs: 5000 });
    await redis.connect();
    const k = 'surface:late-blpop';
    await faults.pause(node);
    const start = performance.now();
    // Its dedicated connection can't get ready while the node is stopped.
    const pop = redis.blpop(k, 3).then(
      (v) => ({ value: v }),
      (e: { code?: string }) => ({ code: e.code }),
    );
    setTimeout(() => void faults.resume(node), 2000);
    const outcome = await pop;
    const settledAt = performance.now() - start;
    assert.ok(settledAt < 3500 + 300, `settled within its budget: ${settledAt.toFixed(0)} ms`);
    if ('value' in outcome && outcome.value !== null) return; // it got an element: nothing lost
    // The caller gave up (or heard nil): an element pushed now must reach the next consumer,
    // not an abandoned BLPOP still blocking on the server.
    await plain.lpush(k, 'precious');
    assert.deepEqual(
      await plain.blpop(k, 2),
      [k, 'precious'],
      `the element was not consumed behind the caller's back (${JSON.stringify(outcome)})`,
    );
  });

  test('a call in flight when close() gives up draining fails as ClientClosedError, not circuit-open', async () => {
    const redis = client({ closeDrainMs: 200 });
    await redis.connect();
    await faults.pause(node);
    try {
      const inflight = redis.get('surface:inflight').catch((e: { code?: string }) => e.code);
      await new Promise((r) => setImmediate(r));
      await redis.close();
      assert.equal(await inflight, ErrorCodes.clientClosed, 'in-flight call');
    } finally {
      await faults.resume(node);
    }
  });

  test('a call in flight when disconnect() is called fails as ClientClosedError', async () => {
    const redis = client();
    await redis.connect();
    await faults.pause(node);
    try {
      const inflight = redis.get('surface:inflight2').catch((e: { code?: string }) => e.code);
      await new Promise((r) => setImmediate(r));
      redis.disconnect();
      assert.equal(await inflight, ErrorCodes.clientClosed, 'in-flight call');
    } finally {
      await faults.resume(node);
    }
  });
});
