// bullmq through a hung primary: a steady producer adds jobs to a queue whose slot lives on a
// primary we SIGSTOP; the cluster promotes its replica. Every job whose add was acknowledged,
// before and during the fault, must complete: 0 lost. Jobs processed twice (a stalled job the
// worker could not renew its lock for) are counted and reported.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import { createLab, slotOfKey, waitFor, withTimeout } from '../support/lab.js';
import { warmClusterClient } from './compat-failover-cluster.js';

const PREFIX = '{bullfo}';

describe('bullmq through a primary failover', { timeout: 120_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());

  test('SIGSTOP the primary holding the queue: 0 acknowledged jobs lost, duplicates counted', async () => {
    const { cluster, redis } = await warmClusterClient(lab, 'bull-fo');
    const connection = redis as unknown as ConnectionOptions;
    const queue = new Queue('fo', { connection, prefix: PREFIX });
    const processed = new Map<string, number>();
    const worker = new Worker(
      'fo',
      async (job) => {
        processed.set(job.id!, (processed.get(job.id!) ?? 0) + 1);
      },
      { connection, prefix: PREFIX, concurrency: 10, stalledInterval: 2000 },
    );
    const errors: unknown[] = [];
    queue.on('error', (e) => errors.push(e));
    worker.on('error', (e) => errors.push(e));
    await Promise.all([queue.waitUntilReady(), worker.waitUntilReady()]);

    const acknowledged = new Set<string>();
    let failedAdds = 0;
    let producing = true;
    let n = 0;
    // One job every 20 ms; an add that fails is retried with the same jobId, which bullmq
    // dedupes, so a retry of an add that did land is not a second job.
    const producer = (async () => {
      while (producing) {
        const id = `job-${n++}`;
        for (;;) {
          try {
            await queue.add('j', { id }, { jobId: id });
            acknowledged.add(id);
            break;
          } catch {
            failedAdds++;
            await new Promise((r) => setTimeout(r, 50));
          }
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    const primary = await cluster.slotOwner(slotOfKey(`${PREFIX}:fo:id`));
    const replica = await cluster.replicaOf(primary);
    await waitFor(() => acknowledged.size >= 50, { timeoutMs: 10_000, what: '50 jobs before the fault' });
    const beforeFault = acknowledged.size;
    await primary.pause();
    try {
      await cluster.waitForPromotion(replica, 20_000);
    } finally {
      await primary.resume();
    }
    await waitFor(() => acknowledged.size >= beforeFault + 100, { timeoutMs: 30_000, what: '100 more jobs after the promotion' });
    producing = false;
    await producer;
    await waitFor(() => [...acknowledged].every((id) => processed.has(id)), {
      timeoutMs: 30_000,
      what: 'every acknowledged job processed',
    });

    const lost = [...acknowledged].filter((id) => !processed.has(id));
    const duplicates = [...processed.values()].reduce((a, c) => a + (c - 1), 0);
    console.log(
      `bullmq failover: ${acknowledged.size} acknowledged (${beforeFault} before the fault), ${failedAdds} adds retried, ${lost.length} lost, ${duplicates} processed twice, ${errors.length} error events`,
    );
    assert.equal(lost.length, 0);
    await withTimeout(Promise.all([worker.close(), queue.close()]), 15_000, 'bullmq close after the failover');
  });
});
