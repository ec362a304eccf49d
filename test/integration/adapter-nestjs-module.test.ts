// The NestJS module against real Redis: forRootAsync with a config-reading factory, two named
// clients side by side, Terminus readiness, and two apps in one process sharing or not
// sharing a metrics registry.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Body, Controller, Get, Inject, Module, Param, Put } from '@nestjs/common';
import { HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { Registry, register as globalRegistry } from 'prom-client';
import { InjectResilientRedis, RedisResilienceHealthIndicator, RedisResilienceModule } from '../../src/nestjs/index.js';
import { silentLogger, type ResilientRedis, type ResilientRedisOptions } from '../../src/index.js';
import { createLab, type RedisNode, waitFor } from '../support/lab.js';
import { listen, request } from '../nestjs/nest-test-helpers.js';

const APP_CONFIG = 'APP_CONFIG';
interface AppConfig {
  cache: { host: string; port: number };
  sessions: { host: string; port: number };
  registry: Registry | undefined;
}

@Controller()
class PairController {
  constructor(
    @InjectResilientRedis('cache') private readonly cache: ResilientRedis,
    @InjectResilientRedis('sessions') private readonly sessions: ResilientRedis,
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(RedisResilienceHealthIndicator) private readonly indicator: RedisResilienceHealthIndicator,
  ) {}

  @Put('kv/:client/:key')
  async put(@Param('client') client: string, @Param('key') key: string, @Body() body: { value: string }) {
    await (client === 'cache' ? this.cache : this.sessions).set(key, body.value);
    return { ok: true };
  }

  @Get('kv/:client/:key')
  async get(@Param('client') client: string, @Param('key') key: string) {
    return { value: await (client === 'cache' ? this.cache : this.sessions).get(key) };
  }

  @Get('health/ready')
  ready() {
    return this.health.check([() => this.indicator.isHealthy()]);
  }
}

@Module({})
class ConfigModule {
  static with(config: AppConfig) {
    return { module: ConfigModule, providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] };
  }
}

function clientOptions(name: string, node: { host: string; port: number }, registry: Registry | undefined): ResilientRedisOptions {
  return { name, mode: 'standalone', node, logger: silentLogger, ...(registry ? { metrics: { registry } } : {}) };
}

/** Successful commands of client "cache" as counted in `registry`. */
async function cacheSuccesses(registry: Registry): Promise<number> {
  return (await registry.getSingleMetricAsString('redis_resilience_commands_total'))
    .split('\n')
    .filter((l) => l.includes('client="cache"') && l.includes('outcome="success"'))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

async function bootApp(config: AppConfig) {
  const moduleRef = await Test.createTestingModule({
    imports: [
      TerminusModule.forRoot({ logger: false }),
      RedisResilienceModule.forRootAsync({
        imports: [ConfigModule.with(config)],
        inject: [APP_CONFIG],
        useFactory: (cfg: AppConfig) => ({
          clients: [clientOptions('cache', cfg.cache, cfg.registry), clientOptions('sessions', cfg.sessions, cfg.registry)],
        }),
        clientNames: ['cache', 'sessions'],
      }),
    ],
    controllers: [PairController],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  return { app, url: await listen(app) };
}

describe('NestJS module against real Redis', { timeout: 60_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());
  let a: RedisNode;
  let b: RedisNode;

  before(async () => {
    [a, b] = await Promise.all([lab.standalone(), lab.standalone()]);
  });

  test('forRootAsync + useFactory: two named clients, each on its own server, side by side', async () => {
    const { app, url } = await bootApp({
      cache: { host: a.host, port: a.port },
      sessions: { host: b.host, port: b.port },
      registry: new Registry(),
    });
    try {
      const ready = await request(`${url}/health/ready`);
      assert.equal(ready.status, 200);
      assert.deepEqual(ready.body.info, { cache: { status: 'up', mode: 'standalone' }, sessions: { status: 'up', mode: 'standalone' } });
      const put = (client: string, value: string) =>
        request(`${url}/kv/${client}/k1`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ value }),
        });
      assert.equal((await put('cache', 'in-cache')).status, 200);
      assert.equal((await put('sessions', 'in-sessions')).status, 200);
      assert.equal((await request(`${url}/kv/cache/k1`)).body.value, 'in-cache');
      assert.equal((await request(`${url}/kv/sessions/k1`)).body.value, 'in-sessions');
      // Really two servers, not two names for one connection.
      assert.equal(await a.command('GET', 'k1'), 'in-cache');
      assert.equal(await b.command('GET', 'k1'), 'in-sessions');
    } finally {
      await app.close();
    }
  });

  test('Redis down at boot: the app starts and answers 503 on readiness, then turns ready on its own when Redis is back', async () => {
    const c = await lab.standalone();
    await c.kill();
    const moduleRef = await Test.createTestingModule({
      imports: [
        TerminusModule.forRoot({ logger: false }),
        RedisResilienceModule.forRoot({
          clients: [
            { ...clientOptions('cache', { host: c.host, port: c.port }, new Registry()), policy: { connectTimeoutMs: 500 } },
            { ...clientOptions('sessions', { host: b.host, port: b.port }, new Registry()) },
          ],
        }),
      ],
      controllers: [PairController],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    const url = await listen(app);
    try {
      const down = await request(`${url}/health/ready`);
      assert.equal(down.status, 503);
      assert.equal(down.body.error.cache.status, 'down');
      assert.equal(down.body.info.sessions.status, 'up');
      assert.equal((await request(`${url}/kv/cache/x`)).status, 500, 'no exception filter in this app: the error is a plain 500');
      await c.restart();
      // No request touches Redis meanwhile: the client reconnects by itself and readiness follows.
      await waitFor(async () => (await request(`${url}/health/ready`)).status === 200, {
        timeoutMs: 10_000,
        what: 'readiness after Redis came back',
      });
      assert.equal((await request(`${url}/kv/cache/x`)).status, 200);
    } finally {
      await app.close();
    }
  });

  test('two apps in one process: separate registries stay separate; a shared registry holds both without clashing', async () => {
    const nodes = { cache: { host: a.host, port: a.port }, sessions: { host: b.host, port: b.port } };
    const r1 = new Registry();
    const r2 = new Registry();
    const one = await bootApp({ ...nodes, registry: r1 });
    const two = await bootApp({ ...nodes, registry: r2 });
    try {
      await request(`${one.url}/kv/cache/m1`);
      await request(`${two.url}/kv/cache/m1`);
      await request(`${two.url}/kv/cache/m2`);
      assert.equal(await cacheSuccesses(r1), 1, 'app one counts only its own command');
      assert.equal(await cacheSuccesses(r2), 2, 'app two counts only its own commands');
    } finally {
      await one.app.close();
      await two.app.close();
    }
    // Both on prom-client's global registry (no registry given): the second app reuses the
    // metrics the first registered instead of failing with "already registered".
    const g1 = await bootApp({ ...nodes, registry: undefined });
    const g2 = await bootApp({ ...nodes, registry: undefined });
    try {
      assert.equal((await request(`${g1.url}/kv/cache/g`)).status, 200);
      assert.equal((await request(`${g2.url}/kv/sessions/g`)).status, 200);
      const text = await globalRegistry.metrics();
      assert.match(text, /redis_resilience_commands_total\{[^}]*client="cache"/);
      assert.match(text, /redis_resilience_commands_total\{[^}]*client="sessions"/);
    } finally {
      await g1.app.close();
      await g2.app.close();
    }
  });
});
