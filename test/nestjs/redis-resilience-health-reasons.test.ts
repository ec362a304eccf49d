// The Terminus indicator's readiness reasons name nodes by label, as Express's /ready and the
// status page do: readiness is served to anyone (probes carry no credentials), so it must not
// map the network. The verbose report, for operators, keeps the addresses.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { RedisResilienceHealthIndicator, RedisResilienceModule } from '../../src/nestjs/index.js';
import { closedPort, downClient } from './nest-test-helpers.js';

describe('RedisResilienceHealthIndicator: readiness reasons', { timeout: 30_000 }, () => {
  test('readiness names the node by its label, never its address; verbose keeps the address', async () => {
    const port = await closedPort();
    const moduleRef = await Test.createTestingModule({
      imports: [
        TerminusModule.forRoot({ logger: false }),
        RedisResilienceModule.forRoot({ clients: [downClient(port, { name: 'main' })] }),
      ],
    }).compile();
    await moduleRef.init();
    try {
      const indicator = moduleRef.get(RedisResilienceHealthIndicator);
      const ready = indicator.isHealthy();
      assert.equal(ready.main?.status, 'down');
      assert.deepEqual(ready.main?.reasons, ['primary node disconnected'], 'the endpoint label, as the status page shows it');
      assert.doesNotMatch(JSON.stringify(ready), new RegExp(`127\\.0\\.0\\.1|:${port}`), JSON.stringify(ready));

      const verbose = indicator.isHealthy({ verbose: true });
      assert.deepEqual(verbose.main?.reasons, [`primary node (127.0.0.1:${port}) disconnected`], 'operators see the address');
    } finally {
      await moduleRef.close();
    }
  });
});
