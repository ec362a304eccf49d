// Topology replies a real server cannot be made to send, from a scripted node: the client keeps
// its map and keeps serving, connects to no more than a few hosts a server names, and retires
// the endpoints a MOVED created once a refresh shows the map does not list them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ClusterRouter } from '../../src/core/client/cluster-router.js';
import { MAX_REDIRECT_NODES } from '../../src/core/client/cluster-router.js';
import { createResilientRedis, isResilienceError, type ResilienceEvent, type ResilientRedis, silentLogger } from '../../src/index.js';
import { type HostileServer, type Reply, allSlotsTo, clusterInfo, startHostileServer } from '../support/hostile-cluster-server.js';
import { waitFor } from '../support/wait.js';

describe('cluster topology from a hostile server', { timeout: 60_000 }, () => {
  let a: HostileServer;
  let b: HostileServer;
  let redis: ResilientRedis;
  let router: ClusterRouter;
  let slotsReply: Reply;
  const events: ResilienceEvent[] = [];

  before(async () => {
    a = await startHostileServer(() => undefined);
    b = await startHostileServer((c) => (c[0] === 'GET' ? 'from-b' : c[0] === 'CLUSTER' ? { error: 'ERR b is not asked' } : undefined));
    slotsReply = allSlotsTo(a.host, a.port);
    let wander = 0;
    a.setScript((c) => {
      const sub = c[1]?.toUpperCase();
      if (c[0] === 'CLUSTER' && sub === 'SLOTS') return slotsReply;
      if (c[0] === 'CLUSTER' && sub === 'INFO') return clusterInfo(1, 1);
      if (c[0] === 'ROLE') return ['master', 0, []];
      if (c[0] === 'GET' && c[1] === 'moved-key') return { error: `MOVED 1 ${b.host}:${b.port}` };
      // A new host each time, where nothing listens (port 1 refuses at once).
      if (c[0] === 'GET' && c[1]?.startsWith('wander')) return { error: `MOVED 1 127.0.0.${10 + (wander++ % 200)}:1` };
      if (c[0] === 'GET') return 'from-a';
      return undefined;
    });
    redis = createResilientRedis({
      name: 'hostile',
      mode: 'cluster',
      nodes: [{ host: a.host, port: a.port }],
      // Every refresh below is one the test asked for.
      topology: { refreshIntervalMs: 600_000 },
      logger: silentLogger,
      metrics: { enabled: false },
    });
    redis.events$.subscribe((e) => events.push(e));
    router = redis.router as ClusterRouter;
    await redis.connect();
  });

  after(async () => {
    await redis?.close();
    await a?.close();
    await b?.close();
  });

  const ports = (): number[] => router.endpoints().map((e) => Number(e.client.options.port));

  test('an empty, mistyped, unparsable or overlapping CLUSTER SLOTS answer is refused: the map is kept and calls keep working', async (t) => {
    const hostile: Array<[string, Reply, RegExp]> = [
      ['empty', [], /covers no slot/],
      ['an integer', 42, /not an array/],
      ['an error', { error: 'ERR CLUSTER SLOTS broke' }, /CLUSTER SLOTS broke/],
      ['a string', 'garbage', /not an array/],
      ['bad ports', [[0, 16_383, ['127.0.0.1', 'not-a-port', 'x']]], /covers no slot/],
      ['one slot only', [[0, 0, [a.host, a.port, 'a']]], /covers 1 slots where the current map covers 16384/],
      // Far more hosts than a client may ever connect to, small enough that a loaded CI machine
      // serves, parses and refuses it within one attempt timeout.
      [
        '8,192 overlapping primaries',
        Array.from({ length: 8192 }, (_, i) => [0, 16_383, [`10.9.${i >> 8}.${i & 255}`, 7000, `n${i}`]]),
        /claims slots 0-16383 twice/,
      ],
    ];
    // A failed case must not leave the hostile answer in place for the tests after this one.
    t.after(() => {
      slotsReply = allSlotsTo(a.host, a.port);
    });
    for (const [what, reply, reason] of hostile) {
      slotsReply = reply;
      const failedBefore = events.filter((e) => e.type === 'topology.refresh_failed').length;
      assert.equal(await router.refreshNow(), false, `${what}: the refresh must fail`);
      const failed = events.filter((e) => e.type === 'topology.refresh_failed');
      assert.equal(failed.length, failedBefore + 1);
      assert.match(failed.at(-1)!.type === 'topology.refresh_failed' ? failed.at(-1)!.reason : '', reason, what);
      assert.equal(router.snapshot()?.shards.length, 1, `${what}: the map is kept`);
      assert.equal(await redis.get('k'), 'from-a', `${what}: calls keep working`);
    }
    slotsReply = allSlotsTo(a.host, a.port);
    assert.equal(await router.refreshNow(), true);
  });

  test('an endpoint created for a MOVED target is retired when the next refresh shows no change', async () => {
    assert.equal(await redis.get('moved-key'), 'from-b');
    assert.ok(ports().includes(b.port), 'followed the MOVED to b');
    assert.ok(b.openConnections() > 0);
    assert.equal(await router.refreshNow(), true);
    await waitFor(() => !ports().includes(b.port), { timeoutMs: 2000, what: "b's endpoint to be retired" });
    await waitFor(() => b.openConnections() === 0, { timeoutMs: 5000, what: "b's connection to close" });
    assert.deepEqual(ports(), [a.port]);
  });

  test('MOVED to host after unknown host: a typed error within the deadline, and at most a few connections', async () => {
    let most = 0;
    const sample = setInterval(() => (most = Math.max(most, router.endpoints().length)), 5);
    try {
      for (let i = 0; i < 20; i++) {
        const started = performance.now();
        const error = await redis.get(`wander-${i}`).then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(isResilienceError(error), `a typed error, got ${String(error)}`);
        assert.ok(performance.now() - started < 5000, 'within the deadline');
      }
    } finally {
      clearInterval(sample);
    }
    assert.ok(most <= 1 + MAX_REDIRECT_NODES, `${most} endpoints at most, cap ${1 + MAX_REDIRECT_NODES}`);
    assert.equal(await router.refreshNow(), true);
    await waitFor(() => router.endpoints().length === 1, { timeoutMs: 2000, what: 'the strays to be retired' });
    assert.equal(await redis.get('k'), 'from-a');
  });
});
