// A pipeline (not a transaction) is sent by the endpoint itself: its commands in one socket
// write, the replies merged into ioredis's exec() shape, one attempt deadline for the batch,
// and counted once on the fast lane.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { createResilientRedis, isOutcomeUnknownError, silentLogger, type PolicyOptions, type ResilientRedis } from '../../src/index.js';
import { type RedisNode, createLab } from '../support/lab.js';

type Socket = NonNullable<Redis['stream']>;

const endpointOf = (c: ResilientRedis) => c.router.endpoints()[0]!;

/** Four SET/GET pairs, an INCR of a list (WRONGTYPE) and a GET of a missing key. */
function build(p: ReturnType<Redis['pipeline']>): ReturnType<Redis['pipeline']> {
  for (let i = 0; i < 4; i++) p.set(`ow:${i}`, `v${i}`).get(`ow:${i}`);
  return p.incr('ow:list').get('ow:missing');
}

describe('pipeline sent by the endpoint', { timeout: 60_000 }, () => {
  const lab = createLab();
  const clients: ResilientRedis[] = [];
  let node: RedisNode;
  let plain: Redis;

  const client = async (policy: Partial<PolicyOptions> = {}): Promise<ResilientRedis> => {
    const c = createResilientRedis({
      name: `one-write-${clients.length}`,
      mode: 'standalone',
      node: { host: node.host, port: node.port },
      logger: silentLogger,
      metrics: { enabled: false },
      policy,
    });
    clients.push(c);
    await c.connect();
    return c;
  };
  before(async () => {
    node = await lab.standalone();
    plain = lab.client(node.clientOptions());
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    await lab.teardown();
  });

  test(
    'ten commands leave in one socket write; the reply is exactly ioredis Pipeline’s, errors in place',
    { timeout: 10_000 },
    async () => {
      const redis = await client();
      await plain.del('ow:list');
      await plain.lpush('ow:list', 'x');
      const socket = endpointOf(redis).client.stream as Socket;
      const write = socket.write;
      let writes = 0;
      socket.write = function (this: Socket, ...args: Parameters<Socket['write']>) {
        writes++;
        return write.apply(this, args);
      } as Socket['write'];
      let ours;
      try {
        ours = await build(redis.pipeline()).exec();
      } finally {
        socket.write = write;
      }
      assert.equal(writes, 1, 'one socket write for the whole pipeline');
      const theirs = await build(plain.pipeline()).exec();
      assert.equal(ours!.length, 10);
      // Entry by entry, down to the tuple's length: ioredis reports a failed command as [error].
      ours!.forEach((entry, i) => {
        const expected = theirs![i]!;
        assert.equal(entry.length, expected.length, `entry ${i} has ioredis's shape`);
        if (expected[0]) assert.equal((entry[0] as Error).message, expected[0].message);
        else assert.deepEqual(entry, expected);
      });
      assert.match((ours![8]![0] as Error).message, /WRONGTYPE/);
    },
  );

  test('a successful pipeline is counted once on its endpoint, as one call', { timeout: 10_000 }, async () => {
    const redis = await client();
    const stats = endpointOf(redis).stats;
    const was = { ok: stats.ok, durations: stats.durationCount };
    await redis.pipeline().set('ow:count', '1').get('ow:count').get('ow:count').exec();
    assert.deepEqual({ ok: stats.ok - was.ok, durations: stats.durationCount - was.durations }, { ok: 1, durations: 1 });
  });

  test('a late last reply times the attempt out as a whole, though the replies before it came', { timeout: 10_000 }, async () => {
    const redis = await client({ attemptTimeoutMs: 150, totalTimeoutMs: 400, maxAttempts: 1 });
    const started = performance.now();
    // The SET is answered; DEBUG SLEEP then blocks the server past the attempt timeout, so the
    // GET after it is unanswered. DEBUG is not safe to resend: its outcome is unknown.
    const result = redis.pipeline().set('ow:late', '1').call('debug', 'sleep', '1').get('ow:late').exec();
    await assert.rejects(result, isOutcomeUnknownError);
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 900, `rejected at the attempt timeout, before the server answered (${Math.round(elapsed)} ms)`);
    // Plain ioredis waits out the sleep (no command timeout); then ours serves again.
    assert.equal(await plain.get('ow:late'), '1', 'the SET before the sleep ran');
    assert.equal(await redis.get('ow:late'), '1', 'the client serves again once the server does');
  });
});
