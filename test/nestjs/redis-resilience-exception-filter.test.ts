import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Controller, Get, NotFoundException } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { REDIS_RESILIENCE_FILTER_OPTIONS, RedisResilienceExceptionFilter } from '../../src/nestjs/index.js';
import { CircuitOpenError, CommandTimeoutError, CrossSlotError } from '../../src/index.js';
import { listen, request } from './nest-test-helpers.js';

@Controller()
class ThrowingController {
  @Get('circuit')
  circuit() {
    throw new CircuitOpenError({ client: 'c', node: '127.0.0.1:7000', command: 'get' }, 1500);
  }

  @Get('timeout')
  timeout() {
    return Promise.reject(new CommandTimeoutError({ client: 'c', node: '127.0.0.1:7000', command: 'get' }, 2000));
  }

  @Get('crossslot')
  crossSlot() {
    throw new CrossSlotError('c', 'mget');
  }

  @Get('user-error')
  userError() {
    throw Object.assign(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), { name: 'ReplyError' });
  }

  @Get('not-found')
  notFound() {
    throw new NotFoundException('nope');
  }
}

async function boot(mode: 'provider' | 'manual') {
  const moduleRef = await Test.createTestingModule({
    controllers: [ThrowingController],
    providers:
      mode === 'provider'
        ? [
            { provide: APP_FILTER, useClass: RedisResilienceExceptionFilter },
            { provide: REDIS_RESILIENCE_FILTER_OPTIONS, useValue: { defaultRetryAfterSeconds: 3 } },
          ]
        : [],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  if (mode === 'manual') app.useGlobalFilters(new RedisResilienceExceptionFilter(app.getHttpAdapter(), { exposeMessage: true }));
  return { app, url: await listen(app) };
}

describe('RedisResilienceExceptionFilter', { timeout: 30_000 }, () => {
  for (const mode of ['provider', 'manual'] as const) {
    test(`${mode}: resilience errors become 503 with Retry-After; everything else keeps Nest's handling`, async () => {
      const { app, url } = await boot(mode);
      try {
        const circuit = await request(`${url}/circuit`);
        assert.equal(circuit.status, 503);
        assert.equal(circuit.headers.get('retry-after'), '2', '1500 ms rounds up to 2 s');
        assert.equal(circuit.body.code, 'ERR_CIRCUIT_OPEN');
        assert.equal(circuit.body.message.includes('127.0.0.1'), mode === 'manual', 'node addresses only with exposeMessage');

        const timeout = await request(`${url}/timeout`);
        assert.equal(timeout.status, 503);
        assert.equal(timeout.headers.get('retry-after'), mode === 'provider' ? '3' : '1');
        assert.equal(timeout.body.code, 'ERR_COMMAND_TIMEOUT');

        assert.equal((await request(`${url}/crossslot`)).status, 500, 'a programming error is not "unavailable"');
        const user = await request(`${url}/user-error`);
        assert.equal(user.status, 500);
        assert.equal(user.headers.get('retry-after'), null);
        const notFound = await request(`${url}/not-found`);
        assert.equal(notFound.status, 404);
        assert.equal(notFound.body.message, 'nope');
      } finally {
        await app.close();
      }
    });
  }
});
