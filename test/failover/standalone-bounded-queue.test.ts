// 10,000 calls while the only node is down must not pile up (DESIGN §2, standalone: "never
// let callers pile up"): the wait queue stays bounded, overflow fails at once with
// ERR_QUEUE_FULL, every call settles within its deadline, and memory returns to where it was.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createResilientRedis, policyPresets, silentLogger, type ResilientRedis } from '../../src/index.js';
import { type RedisNode, createLab, waitFor } from '../support/lab.js';
import { allocatePort, releasePort } from '../support/ports.js';

// A real GC between measurements, without restarting node with --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMb = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

/**
 * The heap once it has settled: polled (with a full GC each time) for up to 3 s until it is
 * within `boundMb` of `baseline`. Right after a burst, V8 may still hold freshly optimised
 * code and feedback for the paths it just ran hot; a leak never comes back down, that does.
 */
async function settledHeapMb(baseline: number, boundMb: number): Promise<number> {
  let heap = heapMb();
  for (const until = performance.now() + 3000; heap - baseline >= boundMb && performance.now() < until; heap = heapMb()) {
    await new Promise((r) => setTimeout(r, 100));
  }
  return heap;
}

const CALLS = 10_000;
const { totalTimeoutMs, maxQueueLength } = policyPresets.standalone;

interface Burst {
  /** Settled before any timer or I/O ran, by error code (or 'ok'). */
  atOnce: Record<string, number>;
  /** All outcomes by code. */
  outcomes: Record<string, number>;
  slowestMs: number;
  peakQueueDepth: number;
  peakHeapMb: number;
}

/** Fires CALLS GETs in one go and waits for all of them (bounded). */
async function burst(redis: ResilientRedis): Promise<Burst> {
  const outcomes: Record<string, number> = {};
  const atOnce: Record<string, number> = {};
  let issuing = true;
  let slowestMs = 0;
  const calls: Promise<void>[] = [];
  for (let i = 0; i < CALLS; i++) {
    const start = performance.now();
    calls.push(
      redis
        .get(`bq:${i % 100}`)
        .then(
          () => 'ok',
          (e: { code?: string }) => e.code ?? String(e),
        )
        .then((code) => {
          outcomes[code] = (outcomes[code] ?? 0) + 1;
          if (issuing) atOnce[code] = (atOnce[code] ?? 0) + 1;
          slowestMs = Math.max(slowestMs, performance.now() - start);
        }),
    );
  }
  // Everything settled before a macrotask runs was refused without waiting for anything.
  await new Promise((r) => setImmediate(r));
  issuing = false;
  const peakQueueDepth = redis.health().nodes[0]!.queueDepth;
  const peakHeapMb = process.memoryUsage().heapUsed / 2 ** 20;
  let timer: NodeJS.Timeout | undefined;
  const all = Promise.all(calls);
  await Promise.race([all, new Promise((r) => (timer = setTimeout(r, totalTimeoutMs + 3000)))]);
  clearTimeout(timer);
  const settled = Object.values(outcomes).reduce((a, b) => a + b, 0);
  assert.equal(settled, CALLS, `every call settled (${settled}/${CALLS})`);
  return { atOnce, outcomes, slowestMs, peakQueueDepth, peakHeapMb };
}

describe('standalone: 10,000 calls while the node is down', { timeout: 60_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());

  const client = (name: string, port: number): ResilientRedis => {
    const redis = createResilientRedis({
      name,
      mode: 'standalone',
      node: { host: '127.0.0.1', port },
      logger: silentLogger,
      metrics: { enabled: false },
    });
    lab.defer(() => redis.disconnect());
    return redis;
  };
  const connected = async (name: string, node: RedisNode): Promise<ResilientRedis> => {
    const redis = client(name, node.port);
    await redis.connect();
    await burst(redis); // warm the code paths before any baseline
    return redis;
  };

  test(
    'down from the start: the queue stays bounded, overflow is refused at once, all settle in time, memory returns',
    { timeout: 30_000 },
    async () => {
      const port = await allocatePort({ hosts: ['127.0.0.1'] });
      lab.defer(() => releasePort(port));
      const redis = client('never-up', port);
      const baseline = heapMb();
      // Issued before the first connect attempt has even failed: the breaker is closed, so
      // calls wait for the connection, up to maxQueueLength of them.
      const first = await burst(redis);
      const afterFirst = await settledHeapMb(baseline, 5);
      const second = await burst(redis);
      const afterSecond = await settledHeapMb(baseline, 5);
      console.log(
        `10k calls, node never up: ${JSON.stringify({ first, second, heapMb: { baseline, afterFirst, afterSecond } }, (_, v: unknown) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v))}`,
      );

      assert.equal(first.peakQueueDepth, maxQueueLength, 'the queue filled up to its bound, not beyond');
      assert.equal(first.atOnce.ERR_QUEUE_FULL, CALLS - maxQueueLength, 'overflow refused before any timer ran');
      // Failed reconnect attempts open the breaker, which releases the queued calls at once
      // (never sent, so they fail as circuit-open) long before their deadline.
      assert.equal((first.outcomes.ERR_CIRCUIT_OPEN ?? 0) + (first.outcomes.ERR_COMMAND_TIMEOUT ?? 0), maxQueueLength);
      assert.ok(first.slowestMs <= totalTimeoutMs + 50, `slowest call ${first.slowestMs.toFixed(1)} ms`);
      assert.equal(second.atOnce.ERR_CIRCUIT_OPEN, CALLS, 'with the breaker open, every call fails at once');
      assert.ok(second.peakQueueDepth <= 1, 'an open breaker lets at most its one probe wait');
      assert.ok(afterFirst - baseline < 5, `heap grew ${(afterFirst - baseline).toFixed(1)} MB after 10k failed calls`);
      assert.ok(afterSecond - baseline < 5, `heap grew ${(afterSecond - baseline).toFixed(1)} MB after 20k failed calls`);
      assert.ok(first.peakHeapMb - baseline < 200, `peak heap +${(first.peakHeapMb - baseline).toFixed(1)} MB`);

      // A server appears on that port: the client recovers on its own.
      await lab.node({ port, label: 'finally-up' });
      await waitFor(async () => (await redis.set('bq:up', '1').catch(() => undefined)) === 'OK', {
        timeoutMs: 5000,
        what: 'calls to succeed',
      });
    },
  );

  test(
    'SIGKILL while connected: the breaker opens without traffic, 10k calls fail at once, recovery after restart',
    { timeout: 30_000 },
    async () => {
      const node = await lab.standalone();
      const redis = await connected('killed', node);
      const baseline = heapMb();
      const killedAt = performance.now();
      await node.kill();
      await waitFor(() => redis.health().nodes[0]!.breaker === 'open', { timeoutMs: 3000, what: 'failed reconnects to open the breaker' });
      const openedAfter = performance.now() - killedAt;
      const result = await burst(redis);
      const afterwards = await settledHeapMb(baseline, 5);
      console.log(
        `10k calls, node killed: ${JSON.stringify({ openedAfterMs: Math.round(openedAfter), result, heapMb: { baseline, afterwards } })}`,
      );
      assert.equal(
        (result.atOnce.ERR_CIRCUIT_OPEN ?? 0) + (result.atOnce.ERR_QUEUE_FULL ?? 0),
        result.outcomes.ERR_CIRCUIT_OPEN! + (result.outcomes.ERR_QUEUE_FULL ?? 0),
      );
      assert.ok((result.outcomes.ERR_CIRCUIT_OPEN ?? 0) >= CALLS - 1, 'all but a half-open probe fail fast');
      assert.ok(result.slowestMs <= totalTimeoutMs + 50, `slowest call ${result.slowestMs.toFixed(1)} ms`);
      assert.ok(afterwards - baseline < 5, `heap grew ${(afterwards - baseline).toFixed(1)} MB`);
      await node.restart();
      const back = performance.now();
      await waitFor(async () => (await redis.set('bq:back', '1').catch(() => undefined)) === 'OK', {
        timeoutMs: 5000,
        what: 'calls to succeed again',
      });
      console.log(`recovered ${Math.round(performance.now() - back)} ms after the restart`);
      await waitFor(() => redis.health().nodes[0]!.breaker === 'closed', { timeoutMs: 2000, what: 'breaker closed' });
    },
  );

  test('SIGSTOP: 10,000 calls written to a hung socket all settle, none succeeds, memory returns', { timeout: 30_000 }, async () => {
    const node = await lab.standalone();
    const redis = await connected('hung', node);
    const baseline = heapMb();
    await node.pause();
    let result: Burst;
    try {
      result = await burst(redis);
    } finally {
      await node.resume();
    }
    await waitFor(async () => (await redis.get('bq:0').catch(() => 'x')) !== 'x', { timeoutMs: 5000, what: 'calls to succeed again' });
    const afterwards = await settledHeapMb(baseline, 5);
    console.log(`10k calls, node hung: ${JSON.stringify({ result, heapMb: { baseline, after: afterwards } })}`);
    assert.equal(result.outcomes.ok ?? 0, 0);
    // All 10k attempt timers fire together and each caller gets its own error: on 2 busy cores
    // that takes a few hundred ms of CPU, so this bound allows for it (the queue-based cases
    // above hold the strict deadline + 50 ms).
    assert.ok(result.slowestMs <= totalTimeoutMs + 1500, `slowest call ${result.slowestMs.toFixed(1)} ms`);
    assert.ok(afterwards - baseline < 5, `heap grew ${(afterwards - baseline).toFixed(1)} MB`);
  });
});
