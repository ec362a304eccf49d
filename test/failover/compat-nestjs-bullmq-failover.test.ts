// @nestjs/bullmq through a hung primary: a Nest application context whose BullModule is given a
// ResilientRedis as its connection; a service produces steadily through the queue injected with
// @InjectQueue, a @Processor (WorkerHost) consumes, and the primary holding the queue's slot is
// SIGSTOPped until its replica is promoted. Every acknowledged job is processed (0 lost), jobs
// processed twice are counted, no unhandled rejection reaches the process, and app.close()
// closes the worker and the queue in bounded time while the shared client stays open.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { BullModule, InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import type { ConnectionOptions, Job, Queue } from 'bullmq';
import type { ResilientRedis } from '../../src/index.js';
import { createLab, withTimeout } from '../support/lab.js';
import { type Processed, outcomeLine, produceThroughFailover, recordProcessed } from './bullmq-failover-load.js';
import { warmClusterClient } from './compat-failover-cluster.js';

const processed: Processed = new Map();
/** 'error' events from the queue and the worker. */
const errors: unknown[] = [];

@Processor('fo', { concurrency: 10, stalledInterval: 2000 })
class FoProcessor extends WorkerHost {
  async process(job: Job<{ id: string }>): Promise<void> {
    recordProcessed(processed, job);
  }

  @OnWorkerEvent('error')
  onError(e: unknown): void {
    errors.push(e);
  }
}

@Injectable()
class FoProducer {
  constructor(@InjectQueue('fo') readonly queue: Queue) {}
}

function appModule(connection: ResilientRedis): DynamicModule {
  @Module({})
  class AppModule {}
  return {
    module: AppModule,
    imports: [
      BullModule.forRoot({ connection: connection as unknown as ConnectionOptions, prefix: '{nestbullfo}' }),
      BullModule.registerQueue({ name: 'fo' }),
    ],
    providers: [FoProcessor, FoProducer],
  };
}

describe('@nestjs/bullmq through a primary failover', { timeout: 120_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());

  test('SIGSTOP the primary holding the injected queue: 0 acknowledged jobs lost, duplicates counted, app closes', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { cluster, redis } = await warmClusterClient(lab, 'nbull-fo');
      const app = await NestFactory.createApplicationContext(appModule(redis), { logger: false, abortOnError: false });
      const { queue } = app.get(FoProducer);
      const { worker } = app.get(FoProcessor);
      queue.on('error', (e) => errors.push(e));
      let closeMs = 0;
      let outcome;
      try {
        await Promise.all([queue.waitUntilReady(), worker.waitUntilReady()]);
        outcome = await produceThroughFailover(cluster, queue, processed);
      } finally {
        const closeStart = performance.now();
        await withTimeout(app.close(), 15_000, 'Nest app close (worker and queue) after the failover');
        closeMs = performance.now() - closeStart;
      }
      console.log(
        `${outcomeLine('@nestjs/bullmq', outcome, errors.length)}; app.close() ${closeMs.toFixed(0)} ms, ${unhandled.length} unhandled rejections`,
      );
      // Only Redis's own loss is allowed: a job gone because the hung primary acknowledged it
      // before replicating it. Anything else unprocessed (waiting, active, delayed) is ours.
      assert.deepEqual(
        outcome.lost.filter((j) => !outcome.lostByReplication.includes(j)),
        [],
        'acknowledged jobs not processed',
      );
      assert.equal(worker.isRunning(), false, 'app.close() stopped the @Processor worker');
      assert.equal(await redis.ping(), 'PONG', 'the shared client stays open');
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
