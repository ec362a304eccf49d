import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { RedisResilienceHealthIndicator, RedisResilienceModule } from '../../src/nestjs/index.js';
import { waitFor } from '../support/wait.js';
import { closedPort, downClient, listen, request, silentServer } from './nest-test-helpers.js';

@Controller('health')
class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(RedisResilienceHealthIndicator) private readonly redis: RedisResilienceHealthIndicator,
  ) {}

  @Get('ready')
  ready() {
    return this.health.check([() => this.redis.isHealthy()]);
  }

  @Get('verbose')
  verbose() {
    return this.health.check([() => this.redis.isHealthy({ verbose: true, keyPrefix: 'redis:' })]);
  }

  @Get('only-optional')
  optional() {
    return this.health.check([() => this.redis.isHealthy({ clients: ['optional'] })]);
  }
}

async function boot(port: number) {
  const moduleRef = await Test.createTestingModule({
    imports: [
      TerminusModule.forRoot({ logger: false }),
      RedisResilienceModule.forRoot({
        clients: [downClient(port, { name: 'main' }), downClient(port, { name: 'optional', required: false })],
      }),
    ],
    controllers: [HealthController],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  return { app, url: await listen(app) };
}

describe('RedisResilienceHealthIndicator (Terminus 12)', { timeout: 30_000 }, () => {
  test('a required client that is down fails readiness with 503 in Terminus shape; an optional one is degraded', async () => {
    const { app, url } = await boot(await closedPort());
    try {
      const ready = await request(`${url}/health/ready`);
      assert.equal(ready.status, 503);
      assert.equal(ready.body.status, 'error');
      assert.deepEqual(Object.keys(ready.body.details).toSorted(), ['main', 'optional']);
      assert.equal(ready.body.error.main.status, 'down');
      assert.equal(ready.body.error.main.mode, 'standalone');
      assert.ok(ready.body.error.main.reasons.length > 0, 'down says why');
      // Optional: degraded (an optional dependency must not take the instance out of rotation).
      assert.equal(ready.body.info.optional.status, 'degraded');
      assert.equal(ready.body.info.optional.unavailable, true);

      const optionalOnly = await request(`${url}/health/only-optional`);
      assert.equal(optionalOnly.status, 200);
      assert.equal(optionalOnly.body.status, 'degraded');
    } finally {
      await app.close();
    }
  });

  test('verbose adds per-node details and recent events under prefixed keys', async () => {
    const port = await closedPort();
    const { app, url } = await boot(port);
    try {
      const verbose = await request(`${url}/health/verbose`);
      assert.equal(verbose.status, 503);
      const main = verbose.body.details['redis:main'];
      assert.equal(main.nodes.length, 1);
      assert.equal(main.nodes[0].address, `127.0.0.1:${port}`);
      assert.equal(main.nodes[0].connected, false);
      assert.ok(Array.isArray(main.recentEvents));
      assert.equal(main.required, true);
    } finally {
      await app.close();
    }
  });

  test('probes read snapshots: a burst of 200 probes opens no connection and sends no byte', async () => {
    // The client connects once and waits for its ready check, so any probe that talked to
    // Redis would show up as bytes or connections.
    const silent = await silentServer();
    const port = silent.port;
    const { app, url } = await boot(port);
    try {
      await waitFor(() => silent.connections() >= 2 && silent.bytes() > 0, { timeoutMs: 5000, what: 'both clients to connect' });
      const before = { connections: silent.connections(), bytes: silent.bytes() };
      const indicator = app.get(RedisResilienceHealthIndicator);
      for (let i = 0; i < 100; i++) indicator.isHealthy({ verbose: i % 2 === 0 });
      for (let i = 0; i < 100; i++) assert.equal((await request(`${url}/health/ready`)).status, 503);
      assert.deepEqual({ connections: silent.connections(), bytes: silent.bytes() }, before);
    } finally {
      await app.close();
      await silent.close();
    }
  });
});
