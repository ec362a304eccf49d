// connect-redis 7 with express-session, storing sessions through a ResilientRedis: a session
// written by one request is read back by the next, in standalone, replication and cluster mode.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import RedisStore from 'connect-redis';
import express from 'express';
import session from 'express-session';
import type { ResilientRedis } from '../../src/index.js';
import { clusterClient, replicationClient, standaloneClient } from './compat-clients.js';
import { createLab } from '../support/lab.js';
import { request } from '../support/http-request.js';
import { commandCalls } from '../support/command-stats.js';

declare module 'express-session' {
  interface SessionData {
    visits: number;
  }
}

async function exercise(redis: ResilientRedis): Promise<void> {
  const app = express();
  app.use(
    session({ store: new RedisStore({ client: redis, prefix: 'sess:' }), secret: 'test-only', resave: false, saveUninitialized: false }),
  );
  app.get('/visit', (req, res) => {
    req.session.visits = (req.session.visits ?? 0) + 1;
    res.json({ visits: req.session.visits });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/visit`;
    const first = await request(url);
    assert.equal(first.body.visits, 1);
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    const second = await request(url, { headers: { cookie } });
    assert.equal(second.body.visits, 2, 'the session came back from Redis');
    const sid = decodeURIComponent(cookie.split('=')[1]!).slice(2).split('.')[0]!;
    assert.ok(await redis.get(`sess:${sid}`), 'stored under the session id');
  } finally {
    await new Promise((r) => server.close(r));
  }
}

describe('connect-redis 7 with express-session over ResilientRedis', { timeout: 60_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());

  test('standalone', async () => {
    await exercise((await standaloneClient(lab, 'sess-s')).redis);
  });

  // A session is read back by the very next request: that needs read-your-writes, which a
  // reader behind its primary does not give (with reads on the reader this failed about one run
  // in four). 'primary-preferred' reads the primary, and the reader only while it is down.
  test('replication, reads on the primary (primary-preferred)', async () => {
    const { redis, pair } = await replicationClient(lab, 'sess-r', 'primary-preferred');
    const readerGets = await commandCalls(pair.replica, 'get');
    await exercise(redis);
    assert.equal(await commandCalls(pair.replica, 'get'), readerGets, 'no session read went to the reader');
  });

  test('cluster', async () => {
    await exercise((await clusterClient(lab, 'sess-c')).redis);
  });
});
