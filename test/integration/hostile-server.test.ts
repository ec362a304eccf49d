// Issue 15, "a scripted hostile server": replies redis-server can't be made to send. With
// each, the client stays up and bounded: a typed error within the deadline, nothing pending
// afterwards, and close() still releases everything.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createResilientRedis, isConnectFailedError, isResilienceError, silentLogger, type ResilientRedis } from '../../src/index.js';
import { createLab } from '../support/lab.js';
import { type HostileScript, handshakeReply, startHostileServer } from '../support/hostile-server.js';

const lab = createLab();
after(() => lab.teardown());

const POLICY = { attemptTimeoutMs: 200, totalTimeoutMs: 600, connectTimeoutMs: 1000, maxAttempts: 2 };

async function standaloneOn(script: HostileScript, name: string): Promise<ResilientRedis> {
  const server = await startHostileServer(script);
  lab.defer(() => server.close());
  const client = createResilientRedis({
    name,
    mode: 'standalone',
    node: { host: server.host, port: server.port },
    logger: silentLogger,
    metrics: { enabled: false },
    policy: POLICY,
  });
  lab.defer(() => client.close());
  return client;
}

/** Runs `call`, asserting a family error within the total deadline plus the 50 ms margin (and some scheduling slack). */
async function failsWithinDeadline(call: () => Promise<unknown>, boundMs = POLICY.totalTimeoutMs + 150): Promise<unknown> {
  const started = performance.now();
  const error = await call().then(
    (v) => assert.fail(`resolved with ${String(v)}`),
    (e: unknown) => e,
  );
  const ms = performance.now() - started;
  assert.ok(isResilienceError(error), `a family error, got ${String(error)}`);
  assert.ok(ms < boundMs, `settled after ${Math.round(ms)} ms (bound ${boundMs})`);
  return error;
}

describe('hostile server', { timeout: 60_000 }, () => {
  test('garbage instead of RESP during the handshake: connect() fails typed, within connectTimeoutMs', async () => {
    const client = await standaloneOn(() => 'this is not RESP at all\r\n\u0000\u00ff', 'hostile-garbage');
    const error = await failsWithinDeadline(() => client.connect(), POLICY.connectTimeoutMs + 150);
    assert.ok(isConnectFailedError(error));
    await client.close();
  });

  for (const [what, reply] of [
    ['a truncated bulk reply', '$10\r\nabc'],
    ['an array that never ends', '*100000\r\n$1\r\na\r\n'],
    ['no reply at all', undefined],
  ] as const) {
    test(`${what} to GET: a typed error within the deadline, and the next calls are bounded too`, async () => {
      const client = await standaloneOn(
        (c) => handshakeReply(c) ?? (c[0] === 'GET' ? reply : '+OK\r\n'),
        `hostile-${what.replaceAll(' ', '-')}`,
      );
      await client.connect();
      for (let i = 0; i < 3; i++) await failsWithinDeadline(() => client.get('k'));
      assert.equal(client.health().inFlight, 0, 'nothing pending');
      await client.close();
    });
  }

  test('a ROLE reply with wrong types is never followed or trusted as a primary', async () => {
    const roleReplies = [
      '*3\r\n:42\r\n*0\r\n$1\r\nx\r\n',
      '*2\r\n$5\r\nslave\r\n:1\r\n',
      '*3\r\n$5\r\nslave\r\n$9\r\nlocalhost\r\n$5\r\nnope!\r\n',
    ];
    for (const [i, role] of roleReplies.entries()) {
      const server = await startHostileServer(
        (c) =>
          handshakeReply(c) ??
          (c[0] === 'ROLE' ? role : c[0] === 'SET' ? "-READONLY You can't write against a read only replica.\r\n" : '+OK\r\n'),
      );
      lab.defer(() => server.close());
      const client = createResilientRedis({
        name: `hostile-role-${i}`,
        mode: 'replication',
        primary: { host: server.host, port: server.port },
        logger: silentLogger,
        metrics: { enabled: false },
        policy: POLICY,
      });
      lab.defer(() => client.close());
      await client.connect();
      await failsWithinDeadline(() => client.set('k', 'v'));
      assert.ok(!client.recentEvents().some((e) => e.type === 'endpoint.changed'), 'no swap on a malformed ROLE');
      assert.equal(server.connections.length >= 1, true);
      await client.close();
    }
  });

  test('DNS answers with no address and with 1,000 addresses', async () => {
    const node = await lab.standalone();
    const answers = new Map<string, string[]>([
      ['empty.hostile.test', []],
      ['huge.hostile.test', [node.host, ...Array.from({ length: 999 }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.1`)]],
    ]);
    const resolve = async (name: string) => (answers.get(name) ?? []).map((address) => ({ address, ttl: 1 }));
    /** A replication client whose primary is the name `host`, resolved by the hostile resolver. */
    const hostileClient = (label: string, host: string) =>
      createResilientRedis({
        name: `hostile-dns-${label}`,
        mode: 'replication',
        primary: { host, port: node.port },
        dns: { resolve },
        logger: silentLogger,
        metrics: { enabled: false },
        policy: POLICY,
      });
    const empty = hostileClient('empty', 'empty.hostile.test');
    lab.defer(() => empty.close());
    // No address: the name itself goes to the socket, which can't resolve it either.
    await failsWithinDeadline(() => empty.connect(), POLICY.connectTimeoutMs + 150);
    assert.match(String(empty.health().dns?.[0]?.lastError), /no A records/);
    await empty.close();

    const huge = hostileClient('huge', 'huge.hostile.test');
    lab.defer(() => huge.close());
    await huge.connect();
    assert.equal(await huge.set('hostile:k', 'v'), 'OK');
    assert.equal(huge.health().nodes.length, 1, 'one connection, whatever the answer lists');
    await huge.close();
  });
});
