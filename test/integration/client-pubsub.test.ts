import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createResilientRedis, silentLogger } from '../../src/index.js';
import { createLab } from '../support/lab.js';

test('SUBSCRIBE gets its own connection: messages arrive and normal commands keep working', { timeout: 30_000 }, async () => {
  const lab = createLab();
  try {
    const node = await lab.standalone();
    const opts = {
      mode: 'standalone' as const,
      node: { host: node.host, port: node.port },
      logger: silentLogger,
      metrics: { enabled: false },
    };
    const sub = createResilientRedis({ ...opts, name: 'sub' });
    const pub = createResilientRedis({ ...opts, name: 'pub' });
    await Promise.all([sub.connect(), pub.connect()]);
    assert.equal(await sub.subscribe('news'), 1);
    const got = once(sub, 'message');
    assert.equal(await pub.publish('news', 'hello'), 1);
    const [channel, message] = (await got) as [string, string];
    assert.deepEqual([channel, message], ['news', 'hello']);
    // The command connection is not in subscriber mode.
    assert.equal(await sub.set('k', 'v'), 'OK');
    assert.equal(await sub.get('k'), 'v');
    const pgot = once(sub, 'pmessage');
    await sub.psubscribe('ne*');
    await pub.publish('news', 'again');
    const [pattern, pchannel, pmessage] = (await pgot) as [string, string, string];
    assert.deepEqual([pattern, pchannel, pmessage], ['ne*', 'news', 'again']);
    await sub.close();
    await pub.close();
    await assert.rejects(sub.subscribe('x'), { code: 'ERR_CLIENT_CLOSED' });
  } finally {
    await lab.teardown();
  }
});
