// @nestjs/bullmq's BullModule given a ResilientRedis as its connection: a queue injected with
// @InjectQueue and a @Processor worker, in standalone, replication and cluster mode, closed by the app.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { BullModule, InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Test } from '@nestjs/testing';
import type { ConnectionOptions, Job, Queue } from 'bullmq';
import type { ResilientRedis } from '../../src/index.js';
import { clusterClient, replicationClient, standaloneClient } from './compat-clients.js';
import { createLab, waitFor, withTimeout } from '../support/lab.js';

const processed: number[] = [];

@Processor('mail')
class MailProcessor extends WorkerHost {
  async process(job: Job<{ n: number }>): Promise<number> {
    processed.push(job.data.n);
    return job.data.n;
  }
}

@Injectable()
class MailService {
  constructor(@InjectQueue('mail') readonly queue: Queue) {}
}

function appModule(connection: ResilientRedis, prefix: string): DynamicModule {
  @Module({})
  class AppModule {}
  return {
    module: AppModule,
    imports: [
      BullModule.forRoot({ connection: connection as unknown as ConnectionOptions, prefix }),
      BullModule.registerQueue({ name: 'mail' }),
    ],
    providers: [MailProcessor, MailService],
  };
}

async function exercise(redis: ResilientRedis, prefix: string): Promise<void> {
  processed.length = 0;
  const moduleRef = await Test.createTestingModule({ imports: [appModule(redis, prefix)] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  try {
    const { queue } = app.get(MailService);
    await queue.addBulk([1, 2, 3].map((n) => ({ name: 'send', data: { n } })));
    await waitFor(() => processed.length === 3, { timeoutMs: 10_000, what: 'the @Processor to handle 3 jobs' });
    assert.deepEqual(processed.toSorted(), [1, 2, 3]);
  } finally {
    await withTimeout(app.close(), 10_000, 'Nest app close (queues and workers)');
  }
  assert.equal(await redis.ping(), 'PONG', 'the shared client stays open');
}

describe('@nestjs/bullmq BullModule with a ResilientRedis connection', { timeout: 60_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());

  test('standalone', async () => {
    await exercise((await standaloneClient(lab, 'nbull-s')).redis, 'bull');
  });

  test('replication', async () => {
    await exercise((await replicationClient(lab, 'nbull-r')).redis, 'bull');
  });

  test('cluster', async () => {
    await exercise((await clusterClient(lab, 'nbull-c')).redis, '{nbull}');
  });
});
