// rate-limiter-flexible, @nest-lab/throttler-storage-redis, connect-redis and
// @socket.io/redis-adapter on one ResilientRedis through a hung primary (SIGSTOP) and its
// replica's promotion. During the fault, the rate limiter answers every call from its
// insuranceLimiter within the deadline (never a raw error); after the promotion, each library
// is served by Redis again, and no acknowledged session is lost.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, describe, test } from 'node:test';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { createAdapter } from '@socket.io/redis-adapter';
import RedisStore from 'connect-redis';
import type { SessionData } from 'express-session';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { Server } from 'socket.io';
import { createLab, waitFor, withTimeout } from '../support/lab.js';
import { warmClusterClient } from './compat-failover-cluster.js';

const DEADLINE_MS = 2000;

describe('ioredis libraries through a primary failover', { timeout: 120_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());

  test('SIGSTOP a primary: insurance answers during the fault, every library served after it, 0 sessions lost', async () => {
    const { cluster, redis } = await warmClusterClient(lab, 'libs-fo', { totalTimeoutMs: DEADLINE_MS });

    // socket.io: two servers; pub/sub following a failover is another part of the library, so
    // the fault hits a shard other than the one the subscribers use.
    const ios: Server[] = [];
    for (let i = 0; i < 2; i++) {
      const sub = redis.duplicate();
      lab.defer(() => sub.close());
      const http = createServer();
      const io = new Server(http, { adapter: createAdapter(redis, sub, { requestsTimeout: 3000 }) });
      io.on('ping-all', (cb: (r: number) => void) => cb(i));
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      lab.defer(() => io.close());
      ios.push(io);
    }
    const subscriberNode = redis.router.endpoints().find((e) => e.role === 'primary')!.id;
    const victim = (await cluster.primaries()).find((p) => p.address !== subscriberNode)!;
    const replica = await cluster.replicaOf(victim);
    const hotKey = await cluster.keyForNode(victim, 'libs');

    const limiter = new RateLimiterRedis({
      storeClient: redis, points: 1000, duration: 60, keyPrefix: 'rl',
      insuranceLimiter: new RateLimiterMemory({ points: 1000, duration: 60 }),
    });
    const storage = new ThrottlerStorageRedisService(redis as unknown as Redis);
    const store = new RedisStore({ client: redis, prefix: 'sess:' });
    const sessions = Array.from({ length: 30 }, (_, i) => `sid-${i}`);
    // connect-redis reports through its callback (its promise resolves either way).
    const setSession = (sid: string): Promise<void> =>
      new Promise((resolve, reject) => void store.set(sid, { cookie: { originalMaxAge: 60_000 } } as unknown as SessionData, (e?: unknown) => (e ? reject(e as Error) : resolve())));
    const getSession = (sid: string): Promise<unknown> =>
      new Promise((resolve, reject) => void store.get(sid, (e: unknown, s?: unknown) => (e ? reject(e as Error) : resolve(s))));
    for (const sid of sessions) await setSession(sid);
    await waitFor(async () => (await ios[0]!.serverSideEmitWithAck('ping-all')).length === 1, { timeoutMs: 5000, what: 'both socket.io servers subscribed' });

    await victim.pause();
    let slowest = 0;
    let rawErrors = 0;
    let answered = 0;
    try {
      const until = performance.now() + 1500;
      while (performance.now() < until) {
        const start = performance.now();
        await limiter.consume(hotKey).then(
          () => answered++,
          (e: unknown) => (e instanceof RateLimiterRes ? answered++ : rawErrors++),
        );
        slowest = Math.max(slowest, performance.now() - start);
      }
      await cluster.waitForPromotion(replica, 20_000);
    } finally {
      await victim.resume();
    }
    console.log(`libraries failover: ${answered} rate-limit answers during the fault, slowest ${slowest.toFixed(0)} ms, ${rawErrors} raw errors`);
    assert.equal(rawErrors, 0);
    assert.ok(answered >= 2, 'the limiter kept answering during the fault');
    assert.ok(slowest <= DEADLINE_MS + 500, `a rate-limit call took ${slowest.toFixed(0)} ms`);

    // After the promotion: each library is served by Redis again.
    await waitFor(async () => (await limiter.consume(hotKey).then(() => true, () => false)) && (await redis.get(`rl:${hotKey}`)) !== null, {
      timeoutMs: 15_000, what: 'the rate limiter back on Redis',
    });
    await waitFor(async () => (await storage.increment(hotKey, 60_000, 10, 0, 'default').then(() => true, () => false)), {
      timeoutMs: 15_000, what: 'the throttler storage back on Redis',
    });
    const lost: string[] = [];
    for (const sid of sessions) if (!(await getSession(sid))) lost.push(sid);
    assert.deepEqual(lost, [], 'acknowledged sessions lost');
    const replies = await withTimeout(ios[0]!.serverSideEmitWithAck('ping-all'), 5000, 'serverSideEmitWithAck after the failover');
    assert.deepEqual(replies, [1]);
  });
});
