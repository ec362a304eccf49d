import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Inject, Injectable, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ClientRegistry, InjectResilientRedis, RedisResilienceModule, getResilientRedisToken } from '../../src/nestjs/index.js';
import { isConnectFailedError, type ResilientRedis } from '../../src/index.js';
import { closedPort, downClient } from './nest-test-helpers.js';

@Injectable()
class TwoClients {
  constructor(
    @InjectResilientRedis('cache') readonly cache: ResilientRedis,
    @InjectResilientRedis('sessions') readonly sessions: ResilientRedis,
    @InjectResilientRedis() readonly fallback: ResilientRedis,
  ) {}
}

const CONFIG = 'TEST_CONFIG';
interface TestConfig {
  port: number;
  name: string;
}

@Module({ providers: [{ provide: CONFIG, useValue: undefined }], exports: [CONFIG] })
class ConfigModule {}

describe('RedisResilienceModule', { timeout: 30_000 }, () => {
  test('forRoot: named clients are injectable side by side; the default is the first one', async () => {
    const port = await closedPort();
    const moduleRef = await Test.createTestingModule({
      imports: [RedisResilienceModule.forRoot({ clients: [downClient(port, { name: 'cache' }), downClient(port, { name: 'sessions' })] })],
      providers: [TwoClients],
    }).compile();
    await moduleRef.init();
    try {
      const svc = moduleRef.get(TwoClients);
      const registry = moduleRef.get(ClientRegistry);
      assert.equal(svc.cache.name, 'cache');
      assert.equal(svc.sessions.name, 'sessions');
      assert.notEqual(svc.cache, svc.sessions);
      // Tokens hand out the registry's instances: no second connection per injection.
      assert.equal(svc.cache, registry.get('cache'));
      assert.equal(svc.fallback, svc.cache, 'no client is named "default": the first configured is the default');
      assert.equal(moduleRef.get(getResilientRedisToken('sessions')), svc.sessions);
    } finally {
      await moduleRef.close();
    }
  });

  test('the client named "default" is the default token, whatever its position', async () => {
    const port = await closedPort();
    const moduleRef = await Test.createTestingModule({
      imports: [RedisResilienceModule.forRoot({ clients: [downClient(port, { name: 'other' }), downClient(port)] })],
    }).compile();
    await moduleRef.init();
    try {
      assert.equal(moduleRef.get<ResilientRedis>(getResilientRedisToken()).name, 'default');
      assert.equal(moduleRef.get<ResilientRedis>(getResilientRedisToken('other')).name, 'other');
    } finally {
      await moduleRef.close();
    }
  });

  test('Redis down at boot: init resolves (no crash) and the clients are not ready', async () => {
    const port = await closedPort();
    const moduleRef = await Test.createTestingModule({
      imports: [RedisResilienceModule.forRoot({ clients: downClient(port) })],
    }).compile();
    const started = performance.now();
    await moduleRef.init();
    const bootMs = performance.now() - started;
    try {
      const registry = moduleRef.get(ClientRegistry);
      assert.equal(registry.readiness().status, 'error');
      assert.equal(registry.liveness().status, 'ok');
      assert.ok(bootMs < 3000, `boot waited at most the connect timeout, took ${Math.round(bootMs)} ms`);
    } finally {
      await moduleRef.close();
    }
  });

  test('failFastOnBoot: init rejects with ConnectFailedError and the clients are closed', async () => {
    const port = await closedPort();
    const moduleRef = await Test.createTestingModule({
      imports: [RedisResilienceModule.forRoot({ clients: downClient(port), failFastOnBoot: true })],
    }).compile();
    const registry = moduleRef.get(ClientRegistry);
    await assert.rejects(moduleRef.init(), (e: unknown) => isConnectFailedError(e));
    assert.equal(registry.get().status, 'end', 'no background reconnect may keep the process alive');
  });

  test('a non-required client that is down leaves readiness degraded, not failed', async () => {
    const port = await closedPort();
    const moduleRef = await Test.createTestingModule({
      imports: [RedisResilienceModule.forRoot({ clients: downClient(port, { required: false }), failFastOnBoot: true })],
    }).compile();
    await moduleRef.init();
    try {
      assert.equal(moduleRef.get(ClientRegistry).readiness().status, 'degraded');
    } finally {
      await moduleRef.close();
    }
  });

  test('forRootAsync: useFactory reads injected config; clientNames expose named tokens', async () => {
    const port = await closedPort();
    const config: TestConfig = { port, name: 'from-config' };
    const moduleRef = await Test.createTestingModule({
      imports: [
        RedisResilienceModule.forRootAsync({
          imports: [ConfigModule],
          inject: [CONFIG],
          useFactory: async (cfg: TestConfig) => ({ clients: [downClient(cfg.port, { name: cfg.name })] }),
          clientNames: ['from-config'],
        }),
      ],
    })
      .overrideProvider(CONFIG)
      .useValue(config)
      .compile();
    await moduleRef.init();
    try {
      assert.equal(moduleRef.get<ResilientRedis>(getResilientRedisToken('from-config')).name, 'from-config');
      assert.equal(moduleRef.get<ResilientRedis>(getResilientRedisToken()).name, 'from-config');
    } finally {
      await moduleRef.close();
    }
  });

  test('forRootAsync: useClass and useExisting call createRedisResilienceOptions()', async () => {
    const port = await closedPort();
    @Injectable()
    class OptionsFactory {
      createRedisResilienceOptions() {
        return { clients: downClient(port, { name: 'via-class' }) };
      }
    }
    @Module({ providers: [OptionsFactory], exports: [OptionsFactory] })
    class FactoryModule {}

    for (const variant of ['useClass', 'useExisting'] as const) {
      const moduleRef = await Test.createTestingModule({
        imports: [
          RedisResilienceModule.forRootAsync(
            variant === 'useClass' ? { useClass: OptionsFactory } : { imports: [FactoryModule], useExisting: OptionsFactory },
          ),
        ],
      }).compile();
      await moduleRef.init();
      try {
        assert.equal(moduleRef.get<ResilientRedis>(getResilientRedisToken()).name, 'via-class', variant);
      } finally {
        await moduleRef.close();
      }
    }
  });

  test('an unknown client name fails the boot with the configured names listed', async () => {
    const port = await closedPort();
    await assert.rejects(
      Test.createTestingModule({
        imports: [
          RedisResilienceModule.forRootAsync({ useFactory: () => ({ clients: downClient(port, { name: 'a' }) }), clientNames: ['b'] }),
        ],
      }).compile(),
      /No redis-resilience client named "b"\. Configured clients: "a"/,
    );
  });

  test('isGlobal: a feature module injects the client without importing the module', async () => {
    const port = await closedPort();
    @Injectable()
    class Feature {
      constructor(@InjectResilientRedis() readonly redis: ResilientRedis) {}
    }
    @Module({ providers: [Feature], exports: [Feature] })
    class FeatureModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [RedisResilienceModule.forRoot({ clients: downClient(port), isGlobal: true }), FeatureModule],
    }).compile();
    await moduleRef.init();
    try {
      assert.equal(moduleRef.get(Feature).redis.name, 'default');
    } finally {
      await moduleRef.close();
    }
    // Without isGlobal, the same feature module can't see the token. (lazyConnect: a boot that
    // fails leaves nobody to close the client, which connects on construction otherwise.)
    await assert.rejects(
      Test.createTestingModule({
        imports: [RedisResilienceModule.forRoot({ clients: downClient(port, { lazyConnect: true }) }), FeatureModule],
      }).compile(),
      /can't resolve dependencies of the Feature/i,
    );
  });

  test('clients without a logger log through a Nest Logger; a given logger is kept', async () => {
    const port = await closedPort();
    const mine = { log() {}, warn() {}, error() {} };
    const moduleRef = await Test.createTestingModule({
      imports: [
        RedisResilienceModule.forRoot({
          clients: [
            {
              mode: 'standalone',
              name: 'nest',
              node: { host: '127.0.0.1', port },
              metrics: { enabled: false },
              policy: { connectTimeoutMs: 200 },
            },
            downClient(port, { name: 'mine', logger: mine }),
          ],
        }),
      ],
    }).compile();
    try {
      const registry = moduleRef.get(ClientRegistry);
      assert.ok(registry.get('nest').resolved.logger instanceof Logger);
      assert.equal(registry.get('mine').resolved.logger, mine);
    } finally {
      await moduleRef.close();
    }
  });

  test('shutdown: readiness turns shutting_down before close; clients close unless closeOnShutdown is false', async () => {
    const port = await closedPort();
    const seen: string[] = [];
    @Injectable()
    class Observer {
      constructor(@Inject(ClientRegistry) private readonly registry: ClientRegistry) {}
      beforeApplicationShutdown() {
        seen.push(`before:${this.registry.get().status}`);
      }
      onApplicationShutdown() {
        seen.push(`shutdown:${this.registry.readiness().status}:${this.registry.get().status}`);
      }
    }
    for (const closeOnShutdown of [true, false]) {
      seen.length = 0;
      const moduleRef = await Test.createTestingModule({
        imports: [RedisResilienceModule.forRoot({ clients: downClient(port), closeOnShutdown })],
        providers: [Observer],
      }).compile();
      await moduleRef.init();
      const registry = moduleRef.get(ClientRegistry);
      await moduleRef.close();
      // Nest runs every beforeApplicationShutdown hook, then closes the HTTP server, then runs
      // the onApplicationShutdown hooks (the root module's first). So by the time HTTP is
      // closed, readiness already said shutting_down, and the client was still open for the
      // requests that were draining.
      assert.deepEqual(seen, ['before:connecting', 'shutdown:shutting_down:connecting']);
      assert.equal(registry.get().status, closeOnShutdown ? 'end' : 'connecting');
      if (!closeOnShutdown) await registry.closeAll();
    }
  });
});
