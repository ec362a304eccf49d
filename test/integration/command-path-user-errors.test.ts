// A user error must never trip a breaker (DESIGN §3): one bad caller would otherwise take the
// node down for everyone. WRONGTYPE at 100 % of the traffic keeps the breaker closed, and every
// such error reaches the caller unchanged, as the ioredis ReplyError existing code expects.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ReplyError } from 'ioredis';
import type { ResilienceEvent, ResilientRedis } from '../../src/index.js';
import { type RedisNode, createLab } from '../support/lab.js';
import { HAIR_TRIGGER_BREAKER, recordedStandalone } from '../support/recorded-client.js';

describe('user errors and the breaker', { timeout: 30_000 }, () => {
  const lab = createLab();
  let node: RedisNode;
  let redis: ResilientRedis;
  let events: ResilienceEvent[] = [];

  before(async () => {
    node = await lab.standalone();
    ({ client: redis, events } = recordedStandalone(lab, node, 'user-errors', { breaker: HAIR_TRIGGER_BREAKER }));
    await redis.connect();
    await node.command('RPUSH', 'ue:list', 'a');
  });
  after(() => lab.teardown());

  const breakerEvents = () => events.filter((e) => e.type.startsWith('breaker.') || e.type === 'command.retried');

  test('WRONGTYPE at 100 %: 600 calls, breaker stays closed, each error is the ioredis ReplyError', { timeout: 15_000 }, async () => {
    const errors: unknown[] = [];
    // Concurrent bursts and sequential calls: both the rate and the consecutive rule are exercised.
    for (let round = 0; round < 5; round++) {
      const settled = await Promise.allSettled(Array.from({ length: 100 }, () => redis.get('ue:list')));
      for (const s of settled) errors.push(s.status === 'rejected' ? s.reason : new Error('resolved'));
    }
    for (let i = 0; i < 100; i++)
      errors.push(
        await redis.incr('ue:list').then(
          () => new Error('resolved'),
          (e: unknown) => e,
        ),
      );
    assert.equal(errors.length, 600);
    for (const error of errors) {
      assert.ok(error instanceof ReplyError, `unchanged ReplyError, got ${String(error)}`);
      assert.match((error as Error).message, /^WRONGTYPE Operation against a key holding the wrong kind of value/);
      assert.equal((error as { code?: unknown }).code, undefined, 'not wrapped in one of our errors');
    }
    assert.deepEqual(breakerEvents(), [], 'no breaker transition, no retry');
    assert.equal(redis.health().nodes[0]?.breaker, 'closed');
    assert.equal(await redis.lrange('ue:list', 0, -1).then((v) => v.length), 1, 'the node still serves');
  });

  test('syntax errors, unknown commands, script errors and NOSCRIPT do not count either', { timeout: 10_000 }, async () => {
    const failures = await Promise.allSettled([
      ...Array.from({ length: 50 }, () => redis.call('SET', 'ue:k')),
      ...Array.from({ length: 50 }, () => redis.call('NOSUCHCOMMAND', 'x')),
      ...Array.from({ length: 50 }, () => redis.eval("return redis.call('INCR', KEYS[1])", 1, 'ue:list')),
      ...Array.from({ length: 50 }, () => redis.evalsha('0123456789abcdef0123456789abcdef01234567', 0)),
    ]);
    assert.ok(
      failures.every((f) => f.status === 'rejected' && f.reason instanceof ReplyError),
      'all rejected with ReplyError',
    );
    assert.deepEqual(breakerEvents(), []);
    assert.equal(redis.health().nodes[0]?.breaker, 'closed');
  });

  test('a pipeline of only WRONGTYPE replies returns them in place and does not count', { timeout: 10_000 }, async () => {
    for (let i = 0; i < 50; i++) {
      const results = await redis.pipeline().get('ue:list').incr('ue:list').exec();
      assert.equal(results?.length, 2);
      for (const [error, value] of results!) {
        assert.ok(error instanceof ReplyError);
        assert.equal(value, undefined, 'as ioredis fills a failed entry: [error]');
      }
    }
    assert.deepEqual(breakerEvents(), []);
    assert.equal(redis.health().nodes[0]?.breaker, 'closed');
  });

  test('control: the same breaker does open on a real failure', { timeout: 10_000 }, async () => {
    // Proves the settings above would have opened it: one counted failure is enough.
    await node.pause();
    try {
      await assert.rejects(redis.incr('ue:counter'));
    } finally {
      await node.resume();
    }
    assert.ok(events.some((e) => e.type === 'breaker.opened'));
  });
});
