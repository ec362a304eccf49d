// rate-limiter-flexible 11 with a ResilientRedis as its storeClient, in standalone and cluster
// mode: consume, block() (MULTI exec(true)), rejectIfRedisNotReady right after construction,
// and the insuranceLimiter taking over while the breaker of the node is open.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { ResilientRedis } from '../../src/index.js';
import { clusterClient, replicationClient, standaloneClient } from './compat-clients.js';
import { createLab, slotOfKey, waitFor } from '../support/lab.js';

async function exercise(redis: ResilientRedis, node: () => string): Promise<void> {
  // Constructed right now: status turns ready on its own (no connect() call), as with ioredis.
  await waitFor(() => redis.status === 'ready', { timeoutMs: 5000, what: 'ready without connect()' });
  const limiter = new RateLimiterRedis({ storeClient: redis, points: 2, duration: 5, keyPrefix: 'rl', rejectIfRedisNotReady: true });
  await limiter.consume('u1');
  const second = await limiter.consume('u1');
  assert.equal(second.remainingPoints, 0);
  await assert.rejects(limiter.consume('u1'), (r: unknown) => r instanceof RateLimiterRes && r.remainingPoints === 0);

  await limiter.block('u2', 30);
  const blocked = await limiter.get('u2');
  assert.ok(blocked && blocked.consumedPoints > 2 && blocked.msBeforeNext > 20_000, 'block() stored the block');
  await assert.rejects(limiter.consume('u2'), (r: unknown) => r instanceof RateLimiterRes);

  const insured = new RateLimiterRedis({
    storeClient: redis,
    points: 5,
    duration: 5,
    keyPrefix: 'rl-ins',
    insuranceLimiter: new RateLimiterMemory({ points: 1, duration: 5 }),
  });
  redis.controlBreaker(node(), 'open');
  try {
    // The store fails fast (CircuitOpenError) and the in-memory insurance answers instead.
    const res = await insured.consume('k');
    assert.equal(res.remainingPoints, 0, 'the insurance limiter (1 point) answered');
    await assert.rejects(insured.consume('k'), (r: unknown) => r instanceof RateLimiterRes);
  } finally {
    redis.controlBreaker(node(), 'close');
  }
  assert.equal((await insured.consume('k')).remainingPoints, 4, 'back on Redis once the breaker closed');
}

describe('rate-limiter-flexible with a ResilientRedis store', { timeout: 60_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());

  test('standalone', async () => {
    const { redis, node } = await standaloneClient(lab, 'rl-s');
    await exercise(redis, () => node.address);
  });

  test('replication', async () => {
    const { redis, pair } = await replicationClient(lab, 'rl-r');
    await exercise(redis, () => pair.primary.address);
  });

  test('cluster', async () => {
    const { redis, cluster } = await clusterClient(lab, 'rl-c');
    // Every key of this test on one shard is enough: force that shard's breaker.
    const address = (await cluster.slotOwner(slotOfKey('rl-ins:k'))).address;
    await exercise(redis, () => address);
  });
});
