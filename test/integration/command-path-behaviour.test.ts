// What an app sees from the resilient command path on a healthy standalone node: pipelines and
// MULTI shaped exactly as ioredis returns them, close() semantics, blocking commands with their
// own deadline, keyPrefix, and connect() against a port where no server listens yet.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { ErrorCodes, isClientClosedError, isConnectFailedError } from '../../src/index.js';
import { type RedisNode, createLab, waitFor } from '../support/lab.js';
import { allocatePort, releasePort } from '../support/ports.js';
import { standaloneClients } from '../support/standalone-clients.js';

type Results = Array<[Error | null, unknown]> | null;

/** Pipeline results with errors reduced to name and message, to compare two clients' answers. */
function shape(results: Results): unknown {
  return results?.map(([e, v]) => [e ? { name: e.name, message: e.message } : null, v]);
}

const buildPipeline = (p: ReturnType<Redis['pipeline']>, k: string) =>
  p
    .set(`${k}:s`, '1')
    .incr(`${k}:s`)
    .lpush(`${k}:s`, 'x')
    .get(`${k}:s`)
    .hset(`${k}:h`, { a: '1', b: '2' })
    .hgetall(`${k}:h`)
    .get(`${k}:missing`);
const buildMulti = (m: ReturnType<Redis['multi']>, k: string) => m.set(k, '5').incrby(k, 2).lpush(k, 'x').get(k);
/** A command with the wrong arity while queueing aborts the whole transaction. */
const abortedMulti = (m: ReturnType<Redis['multi']>, k: string) => m.set(k, 'a').call('set', k).exec();

/** A connection blocked in BLPOP right now (flags=b), not one whose last command was one. */
const blocked = (list: string): boolean => list.split('\n').some((l) => l.includes('cmd=blpop') && / flags=b /.test(l));

describe('command path on a healthy standalone node', { timeout: 60_000 }, () => {
  const lab = createLab();
  let node: RedisNode;
  let plain: Redis;
  const client = standaloneClients(lab, 'behaviour', () => node);

  before(async () => {
    node = await lab.standalone();
    plain = lab.client(node.clientOptions());
  });
  after(() => lab.teardown());

  test('pipeline: same result shape as ioredis, a WRONGTYPE stays in its place', { timeout: 10_000 }, async () => {
    const redis = client();
    const ours = await buildPipeline(redis.pipeline(), 'pipe:r').exec();
    const theirs = await buildPipeline(plain.pipeline(), 'pipe:p').exec();
    assert.deepEqual(shape(ours), shape(theirs));
    assert.equal(ours?.length, 7);
    assert.equal(ours?.[2]?.[0]?.name, 'ReplyError');
    assert.match(String(ours?.[2]?.[0]?.message), /^WRONGTYPE/);
    assert.deepEqual(ours?.[5], [null, { a: '1', b: '2' }]);
    // The array form of pipeline() goes through the same path.
    assert.deepEqual(
      await redis
        .pipeline([
          ['set', 'pipe:arr', 'v'],
          ['get', 'pipe:arr'],
        ])
        .exec(),
      [
        [null, 'OK'],
        [null, 'v'],
      ],
    );
    assert.deepEqual(await redis.pipeline().exec(), []);
    assert.equal(redis.health().nodes[0]?.breaker, 'closed');
  });

  test('multi: same result shape as ioredis; EXECABORT rejects like ioredis', { timeout: 10_000 }, async () => {
    const redis = client();
    const ours = await buildMulti(redis.multi(), 'multi:r').exec();
    const theirs = await buildMulti(plain.multi(), 'multi:p').exec();
    assert.deepEqual(shape(ours), shape(theirs));
    assert.deepEqual(ours?.[1], [null, 7]);
    assert.match(String(ours?.[2]?.[0]?.message), /^WRONGTYPE/);
    // A syntax error while queueing aborts the whole transaction: nothing is applied.
    const ourAbort = await abortedMulti(redis.multi(), 'multi:abort:r').then(
      () => assert.fail('resolved'),
      (e: Error) => e,
    );
    const theirAbort = await abortedMulti(plain.multi(), 'multi:abort:p').then(
      () => assert.fail('resolved'),
      (e: Error) => e,
    );
    assert.equal(ourAbort.name, theirAbort.name);
    assert.match(ourAbort.message, /^EXECABORT/);
    assert.equal(await plain.exists('multi:abort:r'), 0);
    assert.equal(redis.health().nodes[0]?.breaker, 'closed');
  });

  test('keyPrefix applies to commands, pipelines and transactions exactly once', { timeout: 10_000 }, async () => {
    const redis = client({}, { keyPrefix: 'app:' });
    await redis.set('k1', 'v1');
    await redis.pipeline().set('k2', 'v2').get('k2').exec();
    await redis.multi().set('k3', 'v3').exec();
    await redis.mset({ k4: 'v4', k5: 'v5' });
    assert.deepEqual(await plain.mget('app:k1', 'app:k2', 'app:k3', 'app:k4', 'app:k5'), ['v1', 'v2', 'v3', 'v4', 'v5']);
    assert.equal(await plain.exists('k1', 'app:app:k1'), 0);
    assert.deepEqual(await redis.mget('k1', 'k5'), ['v1', 'v5']);
  });

  test('BLPOP with a timeout returns null after it, not cut short by the attempt timeout', { timeout: 10_000 }, async () => {
    const redis = client({ attemptTimeoutMs: 150, totalTimeoutMs: 400, blockingGraceMs: 500 });
    await redis.connect();
    let t0 = performance.now();
    assert.equal(await redis.blpop('blpop:empty', 1), null);
    const waited = performance.now() - t0;
    assert.ok(waited >= 950 && waited < 1500, `BLPOP 1 answered after ${Math.round(waited)} ms`);
    // An element pushed after the attempt timeout (and the total deadline) is still delivered.
    t0 = performance.now();
    const pushLater = setTimeout(() => void plain.rpush('blpop:late', 'hello'), 600);
    assert.deepEqual(await redis.blpop('blpop:late', 2), ['blpop:late', 'hello']);
    assert.ok(performance.now() - t0 >= 550);
    clearTimeout(pushLater);
    // BLPOP 0 blocks as long as it takes: no client deadline at all.
    setTimeout(() => void plain.rpush('blpop:forever', 'late'), 900);
    assert.deepEqual(await redis.blpop('blpop:forever', 0), ['blpop:forever', 'late']);
    assert.equal(redis.health().nodes[0]?.breaker, 'closed');
  });

  test('close() drains in-flight calls; later calls reject with ClientClosedError', { timeout: 10_000 }, async () => {
    const redis = client();
    await redis.connect();
    const t0 = performance.now();
    const inFlight = redis.blpop('close:empty', 0.6);
    const settledAt: number[] = [];
    void inFlight.finally(() => settledAt.push(performance.now()));
    const closing = redis.close();
    assert.equal(redis.status, 'close');
    await assert.rejects(
      redis.get('k'),
      (e: unknown) => isClientClosedError(e) && (e as { code: string }).code === ErrorCodes.clientClosed,
    );
    await assert.rejects(redis.pipeline().get('k').exec(), isClientClosedError);
    await closing;
    assert.equal(await inFlight, null, 'the in-flight call settled normally');
    assert.ok(settledAt.length === 1 && settledAt[0]! - t0 >= 550, 'close() waited for it');
    assert.equal(redis.status, 'end');
    await assert.rejects(redis.set('k', 'v'), isClientClosedError);
    // As with ioredis, connect() after close() connects again.
    await redis.connect();
    assert.equal(await redis.set('k', 'v'), 'OK');
    await redis.close();
  });

  test('BLPOP 0 in flight when the connection is killed settles at once (outcome unknown)', { timeout: 10_000 }, async () => {
    const redis = client();
    await redis.connect();
    const pending = redis.blpop('kill:forever', 0).then(
      () => 'resolved',
      (e: { code?: string }) => e.code ?? String(e),
    );
    await waitFor(async () => blocked(String(await plain.client('LIST'))), { timeoutMs: 2000, what: 'BLPOP to block' });
    const t0 = performance.now();
    await plain.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    // ioredis would drop the unanswered BLPOP on reconnect without settling it (no resend).
    assert.equal(await pending, ErrorCodes.outcomeUnknown);
    assert.ok(performance.now() - t0 < 500, 'settled right after the close');
    assert.equal(await redis.get('kill:after'), null, 'the client reconnected on its own');
  });

  test(
    'connect() to a closed port rejects with ConnectFailedError in time; recovers once a server appears',
    { timeout: 20_000 },
    async () => {
      const port = await allocatePort({ hosts: ['127.0.0.1'] });
      lab.defer(() => releasePort(port));
      const redis = client({ connectTimeoutMs: 800, reconnectMaxMs: 200 }, { port });
      const t0 = performance.now();
      const error = await redis.connect().then(
        () => assert.fail('connected to a closed port'),
        (e: unknown) => e,
      );
      const took = performance.now() - t0;
      assert.ok(isConnectFailedError(error), String(error));
      assert.equal((error as { scenario?: string }).scenario, 'connection');
      assert.ok(took >= 780 && took < 800 + 300, `rejected after ${Math.round(took)} ms`);
      await lab.node({ port, label: 'late-server' });
      await waitFor(async () => (await redis.set('late:k', 'v').catch(() => undefined)) === 'OK', {
        timeoutMs: 5000,
        what: 'calls to succeed',
      });
      assert.equal(await redis.get('late:k'), 'v');
      await waitFor(() => redis.health().nodes[0]?.breaker === 'closed' && redis.health().nodes[0]?.connected, { timeoutMs: 3000 });
    },
  );
});
