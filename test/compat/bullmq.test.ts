// bullmq 6 with a ResilientRedis handed over as its connection, as an ioredis client would be:
// Queue, Worker (its duplicated blocking connection), QueueEvents, FlowProducer, addBulk
// (scripts on MULTI), pause, resume, SCRIPT FLUSH (NOSCRIPT fallback) and a graceful close, in
// standalone, replication and cluster mode.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { FlowProducer, Queue, QueueEvents, Worker, type ConnectionOptions } from 'bullmq';
import { isOutcomeUnknownError, type ResilientRedis } from '../../src/index.js';
import { clusterClient, replicationClient, scriptFallbacks, standaloneClient } from './compat-clients.js';
import { type RedisNode, createLab, waitFor, withTimeout } from '../support/lab.js';

async function exercise(redis: ResilientRedis, prefix: string, primaries: () => Promise<readonly RedisNode[]>): Promise<void> {
  const connection = redis as unknown as ConnectionOptions;
  const errors: unknown[] = [];
  const queue = new Queue('jobs', { connection, prefix });
  const events = new QueueEvents('jobs', { connection, prefix });
  const flow = new FlowProducer({ connection, prefix });
  const done: number[] = [];
  const worker = new Worker<{ n: number }, number>(
    'jobs',
    async (job) => {
      done.push(job.data.n);
      return job.data.n * 2;
    },
    { connection, prefix, concurrency: 5 },
  );
  for (const e of [queue, events, worker, flow] as unknown as NodeJS.EventEmitter[]) e.on('error', (err: unknown) => errors.push(err));
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady(), worker.waitUntilReady()]);
    await queue.addBulk(Array.from({ length: 20 }, (_, n) => ({ name: 'bulk', data: { n } })));
    const single = await queue.add('one', { n: 100 });
    assert.equal(await single.waitUntilFinished(events, 10_000), 200, 'result through QueueEvents');
    await waitFor(() => done.length >= 21, { timeoutMs: 10_000, what: 'all 21 jobs processed' });
    assert.deepEqual(
      [...new Set(done)].toSorted((a, b) => a - b),
      [...Array.from({ length: 20 }, (_, n) => n), 100],
    );

    await worker.pause();
    await queue.add('paused', { n: 200 });
    await waitFor(async () => (await queue.getWaitingCount()) === 1, {
      timeoutMs: 3000,
      what: 'the job waiting: a paused worker takes nothing',
    });
    assert.ok(!done.includes(200), 'not processed while paused');
    worker.resume();
    await waitFor(() => done.includes(200), { timeoutMs: 10_000, what: 'the job added while paused, after resume' });

    const tree = await flow.add({
      name: 'parent',
      queueName: 'jobs',
      data: { n: 300 },
      children: [1, 2, 3].map((i) => ({ name: 'child', queueName: 'jobs', data: { n: 300 + i } })),
    });
    assert.equal(await tree.job.waitUntilFinished(events, 10_000), 600, 'parent finished after its children');
    assert.ok([301, 302, 303].every((n) => done.includes(n)));

    // SCRIPT FLUSH (every primary, in cluster mode): bullmq's scripts are defined with
    // defineCommand, which sends EVALSHA and falls back to EVAL on NOSCRIPT. Single adds and
    // addBulk (its scripts queued in a MULTI) keep landing, and the worker keeps processing.
    // addBulk first: its MULTI is the first to meet the flushed cache (each of its 3 EVALSHAs
    // answers NOSCRIPT inside EXEC); once a script fell back on a connection, ioredis sends
    // EVAL there next time, so the single add after it meets NOSCRIPT only for its own script.
    const before = await scriptFallbacks(await primaries());
    assert.equal(await redis.script('FLUSH'), 'OK');
    await queue.addBulk([401, 402, 403].map((n) => ({ name: 'flushed-bulk', data: { n } })));
    const afterBulk = await scriptFallbacks(await primaries());
    await queue.add('flushed', { n: 400 });
    await waitFor(() => [400, 401, 402, 403].every((n) => done.includes(n)), {
      timeoutMs: 10_000,
      what: 'the jobs added after SCRIPT FLUSH, processed',
    });
    const figures = JSON.stringify({ before, afterBulk });
    assert.ok(afterBulk.noscript >= before.noscript + 3, `addBulk's 3 EVALSHAs in MULTI met NOSCRIPT: ${figures}`);
    // One EVAL reloads the script on the connection; the other two resends go as EVALSHA behind it.
    assert.ok(afterBulk.evals > before.evals, `and fell back to EVAL: ${figures}`);
  } finally {
    // A graceful close: bounded, and the shared client stays usable afterwards.
    await withTimeout(Promise.all([worker.close(), queue.close(), events.close(), flow.close()]), 10_000, 'bullmq close');
  }
  assert.equal(await redis.ping(), 'PONG');
  // Pausing and closing disconnect the Worker's blocking client and cut its in-flight
  // BZPOPMIN: plain ioredis rejects it with
  // "Connection is closed.", which bullmq ignores; ours is a typed outcome-unknown error, which
  // bullmq reports as an error event (README: deliberate differences). Nothing else may show.
  assert.deepEqual(
    errors.filter((e) => !(isOutcomeUnknownError(e) && /BZPOPMIN/.test(String(e)))),
    [],
  );
}

describe('bullmq with a ResilientRedis connection', { timeout: 90_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());

  test('standalone', async () => {
    const { redis, node } = await standaloneClient(lab, 'bull-s');
    await exercise(redis, 'bull', async () => [node]);
  });

  test('replication', async () => {
    const { redis, pair } = await replicationClient(lab, 'bull-r');
    await exercise(redis, 'bull', async () => [pair.primary]);
  });

  test('cluster (hash-tagged prefix, as bullmq requires)', async () => {
    const { redis, cluster } = await clusterClient(lab, 'bull-c');
    assert.equal(redis.isCluster, true);
    await exercise(redis, '{bull}', () => cluster.primaries());
  });
});
