// A pipeline or MULTI may not take the node's shared command connection over. SUBSCRIBE (any
// of its family) or MONITOR in a batch would leave that connection refusing every other
// command; a blocking command in a pipeline would hold everyone queued behind it for its
// block. Each is refused before any I/O with UnsupportedInBatchError, and the client serves
// on. Inside MULTI a blocking command does not block (Redis runs it at once), so it may ride.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { isUnsupportedInBatchError, type ResilientRedis } from '../../src/index.js';
import { type RedisNode, createLab } from '../support/lab.js';
import { standaloneClients } from '../support/standalone-clients.js';

describe('batches that would take the shared connection over', { timeout: 60_000 }, () => {
  const lab = createLab();
  let node: RedisNode;
  let redis: ResilientRedis;
  let plain: Redis;

  before(async () => {
    node = await lab.standalone();
    plain = lab.client(node.clientOptions());
    redis = standaloneClients(lab, 'batch-refusal', () => node)();
    await redis.connect();
  });
  after(() => lab.teardown());

  /** Asserts the batch is refused for `reason`, nothing of it ran, and the client still serves. */
  async function assertRefused(batch: Promise<unknown>, reason: 'subscriber' | 'blocking', marker: string): Promise<void> {
    await assert.rejects(batch, (error: unknown) => {
      assert.ok(isUnsupportedInBatchError(error), String(error));
      assert.equal(error.reason, reason);
      assert.match(error.message, /shared command connection/);
      return true;
    });
    assert.equal(await plain.get(marker), null, 'no command of the refused batch was sent');
    assert.equal(await redis.set('br:after', marker), 'OK', 'the shared connection still serves');
    assert.equal(await redis.get('br:after'), marker);
  }

  test('SUBSCRIBE in a pipeline, PSUBSCRIBE (any case) and MONITOR in MULTI: refused', { timeout: 10_000 }, async () => {
    await assertRefused(redis.pipeline().set('br:1', 'x').subscribe('br:ch').exec(), 'subscriber', 'br:1');
    await assertRefused(redis.multi().set('br:2', 'x').call('PSUBSCRIBE', 'br:*').exec(), 'subscriber', 'br:2');
    await assertRefused(redis.multi().set('br:3', 'x').call('monitor').exec(), 'subscriber', 'br:3');
    const clients = String(await plain.client('LIST'));
    assert.doesNotMatch(clients, /name=redis-resilience:batch-refusal-0:\S* .*\bsub=[1-9]/, 'no connection of ours subscribed');
  });

  test('BLPOP and XREAD BLOCK in a pipeline: refused; XREAD without BLOCK rides', { timeout: 10_000 }, async () => {
    await assertRefused(redis.pipeline().set('br:4', 'x').blpop('br:list', 2).exec(), 'blocking', 'br:4');
    await assertRefused(redis.pipeline().set('br:5', 'x').xread('BLOCK', 1000, 'STREAMS', 'br:stream', '$').exec(), 'blocking', 'br:5');
    await plain.xadd('br:stream', '*', 'f', 'v');
    const result = await redis.pipeline().xread('COUNT', 1, 'STREAMS', 'br:stream', '0').exec();
    assert.equal(result![0]![0], null);
    assert.equal((result![0]![1] as unknown[]).length, 1, 'the non-blocking XREAD answered');
  });

  test('BLPOP inside MULTI does not block: it runs, answering nil at once', { timeout: 10_000 }, async () => {
    const started = performance.now();
    const result = await redis.multi().set('br:6', 'x').blpop('br:empty', 5).exec();
    assert.deepEqual(result, [
      [null, 'OK'],
      [null, null],
    ]);
    assert.ok(performance.now() - started < 1000, 'answered without waiting out the 5 s block');
  });
});
