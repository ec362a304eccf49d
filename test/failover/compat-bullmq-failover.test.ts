// bullmq through a hung primary: a steady producer adds jobs to a queue whose slot lives on a
// primary we SIGSTOP; the cluster promotes its replica. Every job whose add was acknowledged,
// before and during the fault, must complete: 0 lost. Jobs processed twice (a stalled job the
// worker could not renew its lock for) are counted and reported.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import { createLab, withTimeout } from '../support/lab.js';
import { type Processed, outcomeLine, produceThroughFailover, recordProcessed } from './bullmq-failover-load.js';
import { warmClusterClient } from './compat-failover-cluster.js';

const PREFIX = '{bullfo}';

describe('bullmq through a primary failover', { timeout: 120_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());

  test('SIGSTOP the primary holding the queue: 0 acknowledged jobs lost, duplicates counted', async () => {
    const { cluster, redis } = await warmClusterClient(lab, 'bull-fo');
    const connection = redis as unknown as ConnectionOptions;
    const queue = new Queue('fo', { connection, prefix: PREFIX });
    const processed: Processed = new Map();
    const worker = new Worker('fo', async (job) => recordProcessed(processed, job), {
      connection,
      prefix: PREFIX,
      concurrency: 10,
      stalledInterval: 2000,
    });
    const errors: unknown[] = [];
    queue.on('error', (e) => errors.push(e));
    worker.on('error', (e) => errors.push(e));
    await Promise.all([queue.waitUntilReady(), worker.waitUntilReady()]);

    const outcome = await produceThroughFailover(cluster, queue, processed);
    console.log(outcomeLine('bullmq', outcome, errors.length));
    // Only Redis's own loss is allowed: a job gone because the hung primary acknowledged it
    // before replicating it. Anything else unprocessed (waiting, active, delayed) is ours.
    assert.deepEqual(
      outcome.lost.filter((j) => !outcome.lostByReplication.includes(j)),
      [],
      'acknowledged jobs not processed',
    );
    await withTimeout(Promise.all([worker.close(), queue.close()]), 15_000, 'bullmq close after the failover');
  });
});
