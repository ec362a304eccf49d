// The one attempt loop, driven with fake endpoints and a fake router: single commands and
// batches take the same path (fast lane failure replayed, reroutes, read fallback, the
// failover hold, retry events, release on evidence). No server.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Command, type Redis } from 'ioredis';
import { AttemptFailure } from '../../../src/core/breaker/shard-breaker.js';
import { runAttempts, type AttemptJob, type LoopContext } from '../../../src/core/command/attempt-loop.js';
import { BatchJob } from '../../../src/core/command/batch-job.js';
import { profileBatch, profileCommand } from '../../../src/core/command/command-profile.js';
import type { Endpoint } from '../../../src/core/endpoint/endpoint.js';
import { EventBus } from '../../../src/core/events/event-bus.js';
import type { ResilienceEvent } from '../../../src/core/events/resilience-event.js';
import { classifyFailure } from '../../../src/core/policy/classify-failure.js';
import { ErrorCodes, policyPresets, silentLogger } from '../../../src/index.js';
import { FakeEndpoint, FakeRouter } from './command-path-fakes.js';

const policy = { ...policyPresets.cluster, backoffBaseMs: 1, backoffMaxMs: 2 };

function context(router: FakeRouter, over: Partial<typeof policy> = {}): { ctx: LoopContext; events: ResilienceEvent[] } {
  const bus = new EventBus('loop-test', silentLogger);
  const events: ResilienceEvent[] = [];
  bus.events$.subscribe((e) => events.push(e));
  return { ctx: { clientName: 'loop-test', policy: { ...policy, ...over }, router, bus, closing: () => false }, events };
}

/** A single-command job whose sends answer from a script: an error to throw, or a value. */
function scriptedJob(
  router: FakeRouter,
  name: string,
  replies: Array<Error | string>,
  pol = policy,
): AttemptJob<unknown> & { sentTo: string[] } {
  const command = new Command(name, ['k']);
  const sentTo: string[] = [];
  return {
    profile: profileCommand(command, pol),
    sentTo,
    route: () => router.primary.asEndpoint(),
    fallback: (from) => router.fallback(from, command, profileCommand(command, policy).isRead),
    send: (endpoint) => {
      sentTo.push(endpoint.id);
      const reply = replies.shift() ?? 'OK';
      return reply instanceof Error
        ? Promise.reject(new AttemptFailure(reply, classifyFailure(reply, { sent: true })))
        : Promise.resolve(reply);
    },
    renew: () => {},
  };
}

const execOk = (): Promise<unknown> => Promise.resolve([[null, 'OK']]);

describe('runAttempts', { timeout: 10_000 }, () => {
  test('a failed fast-lane attempt is decided on as the first: a safe read is retried, with one event', async () => {
    const router = new FakeRouter(new FakeEndpoint('a:1'));
    const { ctx, events } = context(router);
    const job = scriptedJob(router, 'get', ['v']);
    const first = {
      endpoint: router.primary.asEndpoint(),
      start: performance.now(),
      thrown: new AttemptFailure(new Error('Command timed out'), classifyFailure(new Error('Command timed out'), { sent: true })),
    };
    assert.equal(await runAttempts(job, ctx, first.start, first), 'v');
    assert.deepEqual(router.failures, [{ node: 'a:1', scenario: 'timeout' }]);
    assert.equal(router.primary.breaker.failures, 1, 'the fast-lane failure counted against the closed breaker');
    assert.deepEqual(
      events.map((e) => e.type),
      ['command.retried'],
    );
    assert.equal(router.primary.stats.ok, 1);
  });

  test('an unsafe write whose outcome is unknown is not re-sent', async () => {
    const router = new FakeRouter(new FakeEndpoint('a:1'));
    const job = scriptedJob(router, 'incr', [new Error('Command timed out')]);
    await assert.rejects(runAttempts(job, context(router).ctx, performance.now()), { code: ErrorCodes.outcomeUnknown });
    assert.equal(job.sentTo.length, 1);
  });

  test('a read goes to the fallback while the primary breaker is open; a write fails fast', async () => {
    const router = new FakeRouter(new FakeEndpoint('a:1'));
    router.primary.breaker.state = 'open';
    router.fallbackTo = new FakeEndpoint('b:1');
    const read = scriptedJob(router, 'get', ['from-replica']);
    assert.equal(await runAttempts(read, context(router).ctx, performance.now()), 'from-replica');
    assert.deepEqual(read.sentTo, ['b:1']);
    const write = scriptedJob(router, 'set', []);
    await assert.rejects(runAttempts(write, context(router).ctx, performance.now()), { code: ErrorCodes.circuitOpen });
    assert.deepEqual(write.sentTo, []);
  });

  test('with a failover hold, a call to an open shard waits for the promotion and goes to the new primary', async () => {
    const old = new FakeEndpoint('old:1');
    old.breaker.state = 'open';
    const router = new FakeRouter(old);
    const promoted = new FakeEndpoint('new:1');
    router.failover = new Promise<void>((resolve) =>
      setTimeout(() => {
        router.primary = promoted;
        resolve();
      }, 30),
    );
    const job = scriptedJob(router, 'incr', ['1']);
    const { ctx } = context(router, { holdDuringFailoverMs: 1000 });
    assert.equal(await runAttempts(job, ctx, performance.now()), '1');
    assert.deepEqual(job.sentTo, ['new:1']);
  });

  test('a batch gets the same hold as a single command (it used to fail at once)', async () => {
    const old = new FakeEndpoint('old:1');
    old.breaker.state = 'open';
    const router = new FakeRouter(old);
    const promoted = new FakeEndpoint('new:1');
    (promoted as unknown as { client: Partial<Redis> }).client = { multi: () => ({ sendCommand() {}, exec: execOk }) as never };
    router.failover = new Promise<void>((resolve) => setTimeout(() => ((router.primary = promoted), resolve()), 30));
    const commands = [new Command('set', ['k', 'v'])];
    const job = new BatchJob(profileBatch(commands, true, false, policy), commands, true, router, undefined);
    const { ctx } = context(router, { holdDuringFailoverMs: 1000 });
    assert.deepEqual(await runAttempts(job, ctx, performance.now()), [[null, 'OK']]);
  });

  test('a watched transaction aborts (null) where its WATCH does not hold, without sending', async () => {
    const router = new FakeRouter(new FakeEndpoint('a:1'));
    let sent = 0;
    (router.primary as unknown as { client: Partial<Redis> }).client = {
      multi: () => ({ sendCommand: () => sent++, exec: () => Promise.resolve([]) }) as never,
    };
    const commands = [new Command('set', ['k', 'v'])];
    const job = new BatchJob(profileBatch(commands, true, true, policy), commands, true, router, () => false);
    assert.equal(await runAttempts(job, context(router).ctx, performance.now()), null);
    assert.equal(sent, 0);
  });

  test("a retry's backoff is released as soon as the router has evidence the node is ready", async () => {
    const router = new FakeRouter(new FakeEndpoint('a:1'));
    let asked = 0;
    (router as unknown as { readySignal: (e: Endpoint) => Promise<void> }).readySignal = () => {
      asked++;
      return Promise.resolve();
    };
    const slow = { ...policy, backoffBaseMs: 5000, backoffMaxMs: 5000, totalTimeoutMs: 60_000 };
    const job = scriptedJob(router, 'get', [new Error('CLUSTERDOWN The cluster is down'), 'v'], slow);
    const { ctx } = context(router, slow);
    const start = performance.now();
    assert.equal(await runAttempts(job, ctx, start), 'v');
    assert.equal(asked, 1);
    assert.ok(
      performance.now() - start < 500,
      `released on evidence, not after a 5 s backoff (${(performance.now() - start).toFixed(0)} ms)`,
    );
  });
});
