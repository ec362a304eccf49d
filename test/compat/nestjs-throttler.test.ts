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
import { createResilientRedis, type ResilientRedis, type ResilientRedisOptions, silentLogger } from '../../src/index.js';
import { listen, request } from '../nestjs/nest-test-helpers.js';
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
  const client = (options: ResilientRedisOptions): ResilientRedis => {
    const c = createResilientRedis({ ...options, logger: silentLogger, metrics: { enabled: false } } as ResilientRedisOptions);
    lab.defer(() => c.close());
    return c;
  };

  test('standalone', async () => {
    const n = await lab.standalone();
    await exercise(client({ name: 'thr-s', mode: 'standalone', node: { host: n.host, port: n.port } }), async () => Number(await n.command('DBSIZE')));
  });

  test('replication', async () => {
    const pair = await lab.replicationPair();
    await exercise(client({
      name: 'thr-r', mode: 'replication',
      primary: { host: pair.primary.host, port: pair.primary.port }, reader: { host: pair.replica.host, port: pair.replica.port },
    }), async () => Number(await pair.primary.command('DBSIZE')));
  });

  test('cluster', async () => {
    const cluster = await lab.cluster({ primaries: 3, replicasPerPrimary: 0 });
    const redis = client({ name: 'thr-c', mode: 'cluster', nodes: cluster.seeds() });
    // DBSIZE fans out to every primary and sums.
    await exercise(redis, async () => redis.dbsize());
  });
});
