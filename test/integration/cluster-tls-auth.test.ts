// A TLS + AUTH cluster that announces hostnames (as ElastiCache does with in-transit
// encryption), behind a configuration endpoint name served by the lab DNS. The client resolves
// names itself, connects by IP, verifies each certificate against the node's hostname, and
// never lets the password into errors, logs, events or health.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import type { ClusterRouter } from '../../src/core/client/cluster-router.js';
import {
  type ResilienceEvent,
  type ResilienceLogger,
  type ResilientRedis,
  createResilientRedis,
  isConnectFailedError,
} from '../../src/index.js';
import { type ClusterLab, type DnsServer, type TestCa, createLab } from '../support/lab.js';

const PASSWORD = 'cluster-secret-4f9a1c';
const WRONG_PASSWORD = 'not-the-password-77e2';

describe('cluster: TLS + AUTH + announced hostnames', { timeout: 60_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());
  let ca: TestCa;
  let dns: DnsServer;
  let cluster: ClusterLab;
  const logLines: string[] = [];
  const logger: ResilienceLogger = {
    log: (m, ...rest) => logLines.push([m, ...rest].map(String).join(' ')),
    warn: (m, ...rest) => logLines.push([m, ...rest].map(String).join(' ')),
    error: (m, ...rest) => logLines.push([m, ...rest].map(String).join(' ')),
  };

  before(async () => {
    ca = await lab.tls();
    dns = await lab.dns();
    // The names-only certificate has no IP in it: a client that verified by IP would fail.
    cluster = await lab.cluster({
      primaries: 3,
      replicasPerPrimary: 1,
      tls: ca.namesOnly,
      password: PASSWORD,
      announceHostnames: true,
      dns,
    });
  });

  function client(name: string, password: string): { redis: ResilientRedis; events: ResilienceEvent[] } {
    const redis = createResilientRedis({
      name,
      mode: 'cluster',
      nodes: [{ host: cluster.configEndpoint!, port: cluster.nodes[0]!.port }],
      dns: { servers: [dns.server] },
      tls: { ca: ca.ca },
      password,
      logger,
      metrics: { enabled: false },
      policy: { connectTimeoutMs: 3000 },
    });
    lab.defer(() => redis.close());
    const events: ResilienceEvent[] = [];
    redis.events$.subscribe((e) => events.push(e));
    return { redis, events };
  }

  test('connects by IP, verifies each node by its hostname, and serves every shard', { timeout: 20_000 }, async () => {
    const { redis, events } = client('tls', PASSWORD);
    await redis.connect();
    const snapshot = (redis.router as ClusterRouter).snapshot()!;
    assert.equal(snapshot.shards.length, 3);
    for (const shard of snapshot.shards) {
      assert.match(shard.primary.host, /^127\.0\.0\.1$/, 'connected by IP');
      assert.match(shard.primary.hostname ?? '', /^node-\d\.cluster\.test$/, 'verified against the announced name');
    }
    for (const primary of await cluster.primaries()) {
      const key = await cluster.keyForNode(primary, 'tls');
      assert.equal(await redis.set(key, 'secure'), 'OK');
      assert.equal(await redis.get(key), 'secure');
    }
    for (const endpoint of redis.router.endpoints().filter((e) => e.ready)) {
      const socket = endpoint.client.stream as TLSSocket;
      assert.equal(socket.authorized, true, `${endpoint.id} verified`);
    }
    assert.ok(events.some((e) => e.type === 'dns.resolved' && e.name === cluster.configEndpoint));
    const exposed = JSON.stringify({ events, health: redis.health(), log: logLines, recent: redis.recentEvents() });
    assert.ok(!exposed.includes(PASSWORD), 'the password leaked into events, health or logs');
    await redis.close();
  });

  test('a wrong password fails fast with a clear error that does not contain the password', { timeout: 20_000 }, async () => {
    const { redis, events } = client('tls-wrong', WRONG_PASSWORD);
    const started = performance.now();
    const error = await redis.connect().then(
      () => assert.fail('connect must fail'),
      (e: unknown) => e,
    );
    assert.ok(isConnectFailedError(error), String(error));
    assert.equal(error.scenario, 'auth', error.message);
    assert.ok(performance.now() - started < 3000, 'auth errors are not retried until the timeout');
    const failed = await redis.get('{any}:key').then(
      () => assert.fail('a call must fail'),
      (e: unknown) => e,
    );
    const exposed = [error, failed]
      .map((e) => `${String(e)} ${(e as Error).stack} ${JSON.stringify(e)} ${String((e as { cause?: unknown }).cause)}`)
      .join(' ');
    const everything = `${exposed} ${JSON.stringify(events)} ${logLines.join('\n')} ${JSON.stringify(redis.health())}`;
    assert.ok(!everything.includes(WRONG_PASSWORD), 'the password leaked');
    assert.ok(!everything.includes(PASSWORD));
    await redis.close();
  });
});
