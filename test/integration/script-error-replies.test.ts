// Issue 12, defect 2, through the client against a real redis-server: a script that writes and
// then answers with an error whose first word looks like a Redis state (TRYAGAIN, BUSY...) is
// not re-executed, and its errors never count against the node's breaker.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ReplyError } from 'ioredis';
import type { ResilienceEvent, ResilientRedis } from '../../src/index.js';
import { type RedisNode, createLab } from '../support/lab.js';
import { HAIR_TRIGGER_BREAKER, recordedStandalone } from '../support/recorded-client.js';

const INCR_THEN_FAIL = "redis.call('INCR', KEYS[1]); return redis.error_reply(ARGV[1])";

describe('script error replies through the client', { timeout: 30_000 }, () => {
  const lab = createLab();
  let node: RedisNode;
  let redis: ResilientRedis;
  let events: ResilienceEvent[] = [];

  before(async () => {
    node = await lab.standalone();
    ({ client: redis, events } = recordedStandalone(lab, node, 'script-errors', { breaker: HAIR_TRIGGER_BREAKER }));
    await redis.connect();
  });
  after(() => lab.teardown());

  test(
    'EVAL answering TRYAGAIN/CLUSTERDOWN/LOADING after an INCR runs once and returns the reply unchanged',
    { timeout: 10_000 },
    async () => {
      for (const reply of ['TRYAGAIN try later', 'CLUSTERDOWN not really', 'LOADING nope', 'MASTERDOWN nope']) {
        const key = `se:${reply.split(' ')[0]}`;
        const error = await redis.eval(INCR_THEN_FAIL, 1, key, reply).then(
          () => assert.fail('resolved'),
          (e: unknown) => e,
        );
        assert.ok(error instanceof ReplyError, `the script's own ReplyError reaches the caller: ${String(error)}`);
        assert.equal((error as Error).message, reply);
        assert.equal(await node.command('GET', key), '1', `${reply}: the script ran exactly once`);
      }
      // The same through EVALSHA and FCALL, in upper case via call().
      const sha = String(await redis.script('LOAD', INCR_THEN_FAIL));
      await assert.rejects(redis.call('EVALSHA', sha, 1, 'se:sha', 'TRYAGAIN x'), { message: 'TRYAGAIN x' });
      assert.equal(await node.command('GET', 'se:sha'), '1');
      await redis.call(
        'FUNCTION',
        'LOAD',
        'REPLACE',
        "#!lua name=selib\nredis.register_function('incr_then_fail', function(keys, args) redis.call('INCR', keys[1]); return redis.error_reply(args[1]) end)",
      );
      await assert.rejects(redis.call('FCALL', 'incr_then_fail', 1, 'se:fcall', 'TRYAGAIN y'), { message: 'TRYAGAIN y' });
      assert.equal(await node.command('GET', 'se:fcall'), '1');
      assert.deepEqual(
        events.filter((e) => e.type === 'command.retried'),
        [],
        'no script was retried',
      );
    },
  );

  test('EVAL answering BUSY/READONLY 50 times keeps the breaker closed; GET keeps working', { timeout: 10_000 }, async () => {
    const settled = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        redis.eval(INCR_THEN_FAIL, 1, 'se:busy', i % 2 === 0 ? 'BUSY busy script' : "READONLY You can't write against a read only replica"),
      ),
    );
    assert.ok(settled.every((s) => s.status === 'rejected' && s.reason instanceof ReplyError));
    assert.equal(await node.command('GET', 'se:busy'), '50');
    assert.equal(redis.health().nodes[0]?.breaker, 'closed');
    assert.deepEqual(
      events.filter((e) => e.type.startsWith('breaker.') || e.type === 'command.retried' || e.type === 'endpoint.changed'),
      [],
    );
    await redis.set('se:k', 'v');
    assert.equal(await redis.get('se:k'), 'v');
  });
});
