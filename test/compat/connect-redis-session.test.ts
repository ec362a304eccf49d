// connect-redis 7 with express-session, storing sessions through a ResilientRedis: a session
// written by one request is read back by the next, in standalone and cluster mode.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import RedisStore from 'connect-redis';
import express from 'express';
import session from 'express-session';
import { createResilientRedis, type ResilientRedis, type ResilientRedisOptions, silentLogger } from '../../src/index.js';
import { createLab } from '../support/lab.js';
import { request } from '../support/http-request.js';

declare module 'express-session' {
  interface SessionData {
    visits: number;
  }
}

async function exercise(redis: ResilientRedis): Promise<void> {
  const app = express();
  app.use(session({ store: new RedisStore({ client: redis, prefix: 'sess:' }), secret: 'test-only', resave: false, saveUninitialized: false }));
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
  const client = (options: ResilientRedisOptions): ResilientRedis => {
    const c = createResilientRedis({ ...options, logger: silentLogger, metrics: { enabled: false } } as ResilientRedisOptions);
    lab.defer(() => c.close());
    return c;
  };

  test('standalone', async () => {
    const n = await lab.standalone();
    await exercise(client({ name: 'sess-s', mode: 'standalone', node: { host: n.host, port: n.port } }));
  });

  test('replication', async () => {
    const pair = await lab.replicationPair();
    await exercise(client({
      name: 'sess-r', mode: 'replication',
      primary: { host: pair.primary.host, port: pair.primary.port }, reader: { host: pair.replica.host, port: pair.replica.port },
    }));
  });

  test('cluster', async () => {
    const cluster = await lab.cluster({ primaries: 3, replicasPerPrimary: 0 });
    await exercise(client({ name: 'sess-c', mode: 'cluster', nodes: cluster.seeds() }));
  });
});
