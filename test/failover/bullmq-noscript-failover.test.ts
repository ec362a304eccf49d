// bullmq over a replication client through a planned FAILOVER to a replica that never loaded
// bullmq's scripts (Redis replicates a script's effects, not the script). bullmq defines its
// scripts with defineCommand: ioredis sends EVAL on a connection that has not run the script,
// EVALSHA after, and EVAL again on NOSCRIPT. The first call after the hand-over goes to the
// demoted primary (nothing has told the client yet): READONLY, the client follows the demotion
// and sends it again to the promoted node, where the scripts are unknown. Every job must still be
// added once and processed, and no error may reach the producer. A pair per test (about 1.5 s).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { type Job, Queue, Worker, type ConnectionOptions } from 'bullmq';
import { replicationClient, scriptFallbacks } from '../compat/compat-clients.js';
import { type Lab, type RedisNode, createLab, waitFor, withTimeout } from '../support/lab.js';

/** SHA1s of the scripts a client defined with defineCommand (ioredis keeps them in scriptsSet). */
function definedShas(client: object): string[] {
  return Object.values((client as { scriptsSet: Record<string, { sha: string }> }).scriptsSet).map((s) => s.sha);
}

async function loadedOn(node: RedisNode, shas: readonly string[]): Promise<number> {
  const flags = (await node.command('SCRIPT', 'EXISTS', ...shas)) as number[];
  return flags.filter((f) => f === 1).length;
}

const ids = (from: number, n: number): string[] => Array.from({ length: n }, (_, i) => `job-${from + i}`);

function addBulk(queue: Queue, list: readonly string[]): Promise<Job[]> {
  return queue.addBulk(list.map((id) => ({ name: 'j', data: { id }, opts: { jobId: id } })));
}

/**
 * Six jobs before the FAILOVER; after it, `first` is the first call: a plain write (the client
 * follows the demotion before bullmq runs a script), a single add, or an addBulk (a MULTI of
 * addJob scripts). Then more adds and addBulks: 17 jobs, each processed exactly once. Returns
 * the promoted node's NOSCRIPT and EVAL counts over the hand-over.
 */
async function throughFailover(lab: Lab, name: string, first: 'write' | 'add' | 'addBulk'): Promise<{ noscript: number; evals: number }> {
  const { redis, pair } = await replicationClient(lab, name);
  const connection = redis as unknown as ConnectionOptions;
  const queue = new Queue('ns', { connection, prefix: 'bull' });
  const processed = new Map<string, number>();
  const worker = new Worker(
    'ns',
    async (job) => {
      processed.set(job.id!, (processed.get(job.id!) ?? 0) + 1);
    },
    { connection, prefix: 'bull', concurrency: 5 },
  );
  const errors: unknown[] = [];
  queue.on('error', (e) => errors.push(e));
  worker.on('error', (e) => errors.push(e));
  try {
    await Promise.all([queue.waitUntilReady(), worker.waitUntilReady()]);
    await addBulk(queue, ids(0, 5));
    await queue.add('j', { id: 'job-5' }, { jobId: 'job-5' });
    await waitFor(() => processed.size === 6, { timeoutMs: 10_000, what: 'the jobs before the failover, processed' });

    // The premise: the scripts ran on the primary, the replica never loaded one of them.
    const shas = definedShas(redis);
    assert.ok((await loadedOn(pair.primary, shas)) > 0, 'bullmq ran its scripts on the primary');
    assert.equal(await loadedOn(pair.replica, shas), 0, 'the replica has none of them');
    const countsBefore = await scriptFallbacks([pair.replica]);

    const startedAt = performance.now();
    await pair.plannedFailover();
    if (first === 'addBulk') {
      const added = await withTimeout(addBulk(queue, ids(6, 5)), 10_000, 'addBulk after the failover');
      assert.deepEqual(
        added.map((j) => j.id),
        ids(6, 5),
      );
      await queue.add('j', { id: 'job-11' }, { jobId: 'job-11' });
    } else {
      if (first === 'write') assert.equal(await withTimeout(redis.set('bull:probe', '1'), 10_000, 'a write after the failover'), 'OK');
      await withTimeout(queue.add('j', { id: 'job-6' }, { jobId: 'job-6' }), 10_000, 'add after the failover');
      const added = await addBulk(queue, ids(7, 5));
      assert.deepEqual(
        added.map((j) => j.id),
        ids(7, 5),
      );
    }
    await addBulk(queue, ids(12, 5));
    const all = ids(0, 17);
    await waitFor(() => all.every((id) => processed.has(id)), { timeoutMs: 15_000, what: 'every job processed on the promoted node' });
    const tookMs = performance.now() - startedAt;

    const countsAfter = await scriptFallbacks([pair.replica]);
    const fallbacks = { noscript: countsAfter.noscript - countsBefore.noscript, evals: countsAfter.evals - countsBefore.evals };
    const duplicates = [...processed.values()].reduce((a, c) => a + c - 1, 0);
    console.log(
      `bullmq failover, first call ${first}: ${all.length} jobs (${all.length - 6} after the hand-over), all processed ${tookMs.toFixed(0)} ms after the FAILOVER began; ` +
        `promoted node: ${fallbacks.noscript} NOSCRIPT, ${fallbacks.evals} EVAL; ${duplicates} processed twice; ${errors.length} error events`,
    );
    assert.ok(fallbacks.evals > 0 && (await loadedOn(pair.replica, shas)) > 0, 'the promoted node loaded the scripts through EVAL');
    assert.equal(duplicates, 0, 'jobs processed twice');
    assert.equal(await queue.getJobCountByTypes('failed'), 0);
    assert.deepEqual(errors, []);
    return fallbacks;
  } finally {
    await withTimeout(Promise.all([worker.close(), queue.close()]), 15_000, 'bullmq close after the failover');
  }
}

describe('bullmq through a failover to a replica without its scripts', { timeout: 60_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());

  test('planned FAILOVER, the client follows it first: adds and addBulk MULTIs load their scripts on the promoted node (EVAL), every job processed once', async () => {
    await throughFailover(lab, 'bull-ns-write', 'write');
  });

  // The first call meets the demoted primary (READONLY) and is re-sent to the promoted node as
  // a copy: the copy must keep the script command's class, which sends EVAL on a connection that
  // has not run the script. A plain Command copy answered NOSCRIPT (queue.add and addBulk threw).
  test('planned FAILOVER, first call a single add: it is re-sent to the promoted node and lands', async () => {
    await throughFailover(lab, 'bull-ns-add', 'add');
  });

  test('planned FAILOVER, first call an addBulk: the MULTI re-sent to the promoted node adds every job', async () => {
    await throughFailover(lab, 'bull-ns-bulk', 'addBulk');
  });
});
