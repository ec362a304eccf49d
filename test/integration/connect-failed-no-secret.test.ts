// Issue 15, defect 1 (error half), against a real server: a wrong password makes connect()
// reject with ConnectFailedError whose cause is ioredis's WRONGPASS error. ioredis attaches
// the AUTH command to it, arguments included; none of it may show at any inspect depth.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { test } from 'node:test';
import { createResilientRedis, isConnectFailedError, silentLogger } from '../../src/index.js';
import { useLab } from '../support/lab.js';

const SERVER_PASSWORD = 'server-side-9d2e';

test('ConnectFailedError after WRONGPASS shows no password at any depth (AUTH with and without a user)', { timeout: 30_000 }, async (t) => {
  const lab = useLab(t);
  const node = await lab.standalone({ password: SERVER_PASSWORD });
  for (const username of [undefined, 'default']) {
    const secret = `client-secret-${username ?? 'nouser'}-51ab`;
    const client = createResilientRedis({
      name: 'wrongpass',
      mode: 'standalone',
      node: { host: node.host, port: node.port },
      ...(username ? { username } : {}),
      password: secret,
      logger: silentLogger,
      metrics: { enabled: false },
      policy: { connectTimeoutMs: 3000 },
    });
    t.after(() => client.close());
    const error = await client.connect().then(
      () => assert.fail('connected with a wrong password'),
      (e: unknown) => e,
    );
    assert.ok(isConnectFailedError(error), String(error));
    assert.equal(error.scenario, 'auth');
    const cause = error.cause as { command?: { name: string; args: unknown[] } };
    assert.equal(cause.command?.name, 'auth', 'the cause still says which command failed');
    const outputs = [0, 2, 4, 10, Infinity].map((depth) => inspect(error, { depth, showHidden: true }));
    outputs.push(JSON.stringify(error), JSON.stringify(cause), String(error), error.stack ?? '');
    for (const text of outputs) assert.ok(!text.includes(secret), `the password leaked:\n${text}`);
    await client.close();
  }
});
