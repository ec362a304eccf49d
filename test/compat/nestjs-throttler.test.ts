// @nestjs/throttler with @nest-lab/throttler-storage-redis given a ResilientRedis: the storage
// accepts it as an ioredis client (its own `instanceof Redis || instanceof Cluster` check)
// instead of opening its own connection to localhost, in standalone and cluster mode.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Controller, Get, Module, UseGuards, type DynamicModule } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { Redis } from 'ioredis';
import type { ResilientRedis } from '../../src/index.js';
import { listen, request } from '../nestjs/nest-test-helpers.js';
import { clusterClient, replicationClient, standaloneClient } from './compat-clients.js';
import { createLab } from '../support/lab.js';

@Controller()
class HelloController {
  @Get('hello')
  @UseGuards(ThrottlerGuard)
  hello(): string {
    return 'hi';
  }
}

function appModule(storage: ThrottlerStorageRedisService): DynamicModule {
  @Module({})
  class AppModule {}
  return {
    module: AppModule,
    imports: [ThrottlerModule.forRoot({ throttlers: [{ name: 'default', ttl: 60_000, limit: 2 }], storage })],
    controllers: [HelloController],
  };
}

async function exercise(redis: ResilientRedis, storageKeyOwner: () => Promise<number>): Promise<void> {
  const storage = new ThrottlerStorageRedisService(redis as unknown as Redis);
  assert.equal(storage.redis, redis as unknown as Redis, 'the storage uses our client, not one of its own');
  assert.ok(!storage.disconnectRequired, 'and does not own (or open) a connection');
  const moduleRef = await Test.createTestingModule({ imports: [appModule(storage)] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  try {
    const url = await listen(app);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await request(`${url}/hello`)).status);
    assert.deepEqual(statuses, [200, 200, 429]);
    assert.ok((await storageKeyOwner()) > 0, 'the hit counter lives in our Redis');
  } finally {
    await app.close();
  }
}

describe('@nestjs/throttler with @nest-lab/throttler-storage-redis', { timeout: 60_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());

  test('standalone', async () => {
    const { redis, node } = await standaloneClient(lab, 'thr-s');
    await exercise(redis, async () => Number(await node.command('DBSIZE')));
  });

  test('replication', async () => {
    const { redis, pair } = await replicationClient(lab, 'thr-r');
    await exercise(redis, async () => Number(await pair.primary.command('DBSIZE')));
  });

  test('cluster', async () => {
    const { redis } = await clusterClient(lab, 'thr-c');
    // DBSIZE fans out to every primary and sums.
    await exercise(redis, async () => redis.dbsize());
  });
});
