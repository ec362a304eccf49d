// The Terminus indicator's readiness reasons name nodes by label, as Express's /ready and the
// status page do: readiness is served to anyone (probes carry no credentials), so it must not
// map the network. The verbose report, for operators, keeps the addresses.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { RedisResilienceHealthIndicator, RedisResilienceModule } from '../../src/nestjs/index.js';
import { closedPort, downClient, listen, request } from './nest-test-helpers.js';

@Controller('health')
class ReasonsController {
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
    return this.health.check([() => this.redis.isHealthy({ verbose: true })]);
  }
}

describe('RedisResilienceHealthIndicator: readiness reasons', { timeout: 30_000 }, () => {
  test('readiness names the node by its label, never its address; verbose keeps the address', async () => {
    const port = await closedPort();
    const moduleRef = await Test.createTestingModule({
      imports: [TerminusModule.forRoot({ logger: false }), RedisResilienceModule.forRoot({ clients: [downClient(port, { name: 'main' })] })],
      controllers: [ReasonsController],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    const url = await listen(app);
    try {
      const ready = await request(`${url}/health/ready`);
      assert.equal(ready.status, 503);
      assert.deepEqual(ready.body.error.main.reasons, ['primary node disconnected'], 'the endpoint label, as in metrics and the status page');
      assert.doesNotMatch(JSON.stringify(ready.body), new RegExp(`127\\.0\\.0\\.1|:${port}`), JSON.stringify(ready.body));

      const verbose = await request(`${url}/health/verbose`);
      assert.equal(verbose.status, 503);
      assert.deepEqual(verbose.body.error.main.reasons, [`primary node (127.0.0.1:${port}) disconnected`], 'operators see the address');
    } finally {
      await app.close();
    }
  });
});
