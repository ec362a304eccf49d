// A write whose reply never came may or may not have been applied. INCR must then fail with
// ERR_OUTCOME_UNKNOWN and never be sent twice, neither by our retry policy nor by ioredis's own
// resend of unanswered commands after a reconnect; a read in the same position is retried.
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ErrorCodes, isOutcomeUnknownError, type ResilienceEvent, type ResilientRedis } from '../../src/index.js';
import { type RedisNode, createLab, faults, waitFor } from '../support/lab.js';
import { recordedStandalone } from '../support/recorded-client.js';

const socketOf = (client: ResilientRedis): Socket => client.router.endpoints()[0]!.client.stream as Socket;

describe('standalone: unsafe writes with an unknown outcome', { timeout: 60_000 }, () => {
  const lab = createLab();
  let node: RedisNode;
  let redis: ResilientRedis;
  let events: ResilienceEvent[] = [];

  before(async () => {
    node = await lab.standalone();
    ({ client: redis, events } = recordedStandalone(lab, node, 'outcome', {
      policy: { attemptTimeoutMs: 300, totalTimeoutMs: 2500, maxAttempts: 4 },
      // These tests are about retries, one call at a time: keep the breaker out of the way.
      breaker: { consecutiveFailuresToOpen: 20, volumeThreshold: 50 },
    }));
    await redis.connect();
  });
  after(() => lab.teardown());

  test('INCR timed out during DEBUG SLEEP: ERR_OUTCOME_UNKNOWN, applied exactly once', { timeout: 10_000 }, async () => {
    await node.command('SET', 'ou:counter', '10');
    const retriesBefore = events.filter((e) => e.type === 'command.retried').length;
    const sleep = await faults.debugSleep(node, 1);
    const t0 = performance.now();
    const error = await redis.incr('ou:counter').then(
      () => assert.fail('INCR resolved during the sleep'),
      (e: unknown) => e,
    );
    const took = performance.now() - t0;
    assert.ok(isOutcomeUnknownError(error), String(error));
    assert.equal((error as { code: string }).code, ErrorCodes.outcomeUnknown);
    assert.equal((error as { scenario: string }).scenario, 'timeout');
    assert.equal(((error as Error).cause as Error).message, 'Command timed out');
    assert.ok(took < 300 + 150, `failed after one attempt (${Math.round(took)} ms), not after retries`);
    assert.equal(events.filter((e) => e.type === 'command.retried').length, retriesBefore, 'INCR was not retried');
    await sleep.done;
    // Same connection, so FIFO: this GET is answered after the stalled INCR was applied.
    assert.equal(await redis.get('ou:counter'), '11', 'the timed-out INCR ran once on the server');
  });

  test('INCR in flight during SIGSTOP: ERR_OUTCOME_UNKNOWN, at most one increment after SIGCONT', { timeout: 10_000 }, async () => {
    await node.command('SET', 'ou:stop', '0');
    await node.pause();
    try {
      await assert.rejects(
        redis.incr('ou:stop'),
        (e: unknown) => isOutcomeUnknownError(e) && (e as { scenario: string }).scenario === 'timeout',
      );
    } finally {
      await node.resume();
    }
    assert.equal(await redis.get('ou:stop'), '1');
  });

  test('GET timed out during DEBUG SLEEP is retried and succeeds', { timeout: 10_000 }, async () => {
    await node.command('SET', 'ou:read', 'value');
    const from = events.length;
    const sleep = await faults.debugSleep(node, 0.8);
    const t0 = performance.now();
    assert.equal(await redis.get('ou:read'), 'value');
    const took = performance.now() - t0;
    const retried = events.slice(from).filter((e) => e.type === 'command.retried');
    assert.ok(retried.length >= 1, 'at least one retry');
    assert.ok(retried.every((e) => e.type === 'command.retried' && e.command === 'get' && e.scenario === 'timeout'));
    assert.ok(took > 300, `answered after the first attempt timed out (${Math.round(took)} ms)`);
    await sleep.done;
  });

  test("ioredis's resend after a reconnect would double-apply INCR; ours does not resend", { timeout: 15_000 }, async () => {
    // Applied on the server, reply unread, then the connection dies: the worst case for a resend.
    async function appliedThenReset(incr: () => Promise<unknown>, socket: () => Socket, key: string): Promise<unknown> {
      await node.command('SET', key, '0');
      socket().pause();
      const outcome = incr().then(
        (v) => ({ value: v }),
        (e: unknown) => ({ error: e }),
      );
      await waitFor(async () => (await node.command('GET', key)) === '1', { timeoutMs: 2000, what: `${key} applied` });
      socket().destroy();
      return outcome;
    }

    // Control: plain ioredis with its default resend. This proves the scenario does provoke
    // the double write, so the assertion on our client below can fail.
    const plain = lab.client(node.clientOptions());
    await plain.ping();
    const control = await appliedThenReset(
      () => plain.incr('ou:resend:plain'),
      () => plain.stream as Socket,
      'ou:resend:plain',
    );
    assert.deepEqual(control, { value: 2 }, 'plain ioredis resent the INCR and reports 2');
    assert.equal(await node.command('GET', 'ou:resend:plain'), '2');

    const ours = (await appliedThenReset(
      () => redis.incr('ou:resend:ours'),
      () => socketOf(redis),
      'ou:resend:ours',
    )) as { error?: unknown };
    assert.ok(isOutcomeUnknownError(ours.error), `our INCR failed as outcome unknown (${String(ours.error)})`);
    assert.equal((ours.error as { scenario: string }).scenario, 'connection');
    // The client reconnects by itself; a later command on the new connection sees exactly 1.
    await waitFor(async () => (await redis.get('ou:resend:ours').catch(() => undefined)) === '1', { timeoutMs: 3000, what: 'reconnect' });
    assert.equal(await redis.incr('ou:resend:ours'), 2);
  });
});
