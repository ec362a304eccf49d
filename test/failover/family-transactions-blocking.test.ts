// Transactions and blocking commands through a primary failover, in cluster mode (the shard's
// primary hangs until its replica is promoted) and in replication mode (a planned FAILOVER,
// the DNS name flipping after it). Workloads: optimistic WATCH/GET/MULTI/SET/EXEC increments
// of one counter, and a producer LPUSHing numbered items while a consumer BLPOPs them. Asserted:
// 0 duplicated effects (the counter never exceeds acknowledged plus unknown transactions; no
// item is delivered twice) and 0 lost acknowledged writes (every acknowledged increment is in
// the counter; every acknowledged item was delivered or is still in the list).
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { ErrorCodes, type ResilientRedis } from '../../src/index.js';
import { recordedClient } from '../support/recorded-client.js';
import { faults, useLab } from '../support/lab.js';
import { startScenario } from './replication-failover-support.js';

interface Tally {
  txAcked: number;
  txUnknown: number;
  txAborted: number;
  pushedAcked: Set<number>;
  pushedUnknown: Set<number>;
  received: number[];
  errors: Record<string, number>;
}

/** After an error (a fast CircuitOpenError, say): don't spin. */
const pause = (): Promise<void> => delay(10);

const noteError = (t: Tally, e: unknown): void => {
  const code = (e as { code?: string }).code ?? (e as Error).message;
  t.errors[code] = (t.errors[code] ?? 0) + 1;
};

/** Runs the three workloads until `stop()`; resolves with the tally once every loop ended. */
function workloads(redis: ResilientRedis, counter: string, queue: string): { tally: Tally; stop(): Promise<void> } {
  const tally: Tally = {
    txAcked: 0,
    txUnknown: 0,
    txAborted: 0,
    pushedAcked: new Set(),
    pushedUnknown: new Set(),
    received: [],
    errors: {},
  };
  let running = true;
  const transactions = (async () => {
    while (running) {
      try {
        await redis.watch(counter);
        const value = Number((await redis.get(counter)) ?? 0);
        const result = await redis
          .multi()
          .set(counter, String(value + 1))
          .exec();
        if (result === null) tally.txAborted++;
        else tally.txAcked++;
      } catch (e) {
        if ((e as { code?: string }).code === ErrorCodes.outcomeUnknown) tally.txUnknown++;
        noteError(tally, e);
        await redis.unwatch().catch(() => {});
        await pause();
      }
    }
  })();
  let next = 0;
  const producer = (async () => {
    while (running) {
      const item = ++next;
      try {
        await redis.lpush(queue, String(item));
        tally.pushedAcked.add(item);
      } catch (e) {
        tally.pushedUnknown.add(item);
        noteError(tally, e);
      }
      await pause();
    }
  })();
  const consumer = (async () => {
    while (running) {
      try {
        const popped = await redis.brpop(queue, 1);
        if (popped) tally.received.push(Number(popped[1]));
      } catch (e) {
        noteError(tally, e);
        await pause();
      }
    }
  })();
  return {
    tally,
    async stop() {
      running = false;
      await Promise.all([transactions, producer, consumer]);
    },
  };
}

/** The assertions shared by both modes, given the counter's final value and the list's leftovers. */
function assertNoDuplicateNoLoss(mode: string, tally: Tally, counter: number, leftovers: number[]): void {
  const delivered = [...tally.received, ...leftovers];
  const seen = new Set<number>();
  const twice = delivered.filter((i) => (seen.has(i) ? true : (seen.add(i), false)));
  const lost = [...tally.pushedAcked].filter((i) => !seen.has(i));
  console.log(
    `${mode}: ${JSON.stringify({ txAcked: tally.txAcked, txUnknown: tally.txUnknown, txAborted: tally.txAborted, counter, pushed: tally.pushedAcked.size, pushUnknown: tally.pushedUnknown.size, received: tally.received.length, leftovers: leftovers.length, errors: tally.errors })}`,
  );
  assert.ok(tally.txAcked > 20 && tally.received.length > 20, 'the workloads made progress');
  assert.deepEqual(twice, [], 'no item delivered twice');
  assert.deepEqual(lost, [], 'every acknowledged item was delivered or is still queued');
  assert.ok(counter >= tally.txAcked, `no acknowledged transaction lost: counter ${counter} < ${tally.txAcked} acknowledged`);
  assert.ok(
    counter <= tally.txAcked + tally.txUnknown,
    `no transaction applied twice: counter ${counter} > ${tally.txAcked} + ${tally.txUnknown} unknown`,
  );
}

describe('transactions and blocking commands through a primary failover', { timeout: 120_000 }, () => {
  test('cluster: the shard primary hangs until its replica is promoted', { timeout: 60_000 }, async (t) => {
    const lab = useLab(t);
    const cluster = await lab.cluster({ nodeTimeoutMs: 1500 });
    const { client } = recordedClient(lab, { name: 'family-cluster', mode: 'cluster', nodes: cluster.seeds() });
    await client.connect();
    const counter = '{fam}:counter';
    const queue = '{fam}:queue';
    const primary = await cluster.primaryOf(Number((await client.call('CLUSTER', 'KEYSLOT', counter)) as number));
    const replica = await cluster.replicaOf(primary);
    const run = workloads(client, counter, queue);
    await delay(800);
    await faults.pause(primary);
    try {
      await cluster.waitForPromotion(replica, 15_000);
      await delay(1500);
    } finally {
      await faults.resume(primary);
    }
    await delay(800);
    await run.stop();
    const promoted = await cluster.primaryOf(Number((await client.call('CLUSTER', 'KEYSLOT', counter)) as number));
    const value = Number((await promoted.command('GET', counter)) ?? 0);
    const leftovers = ((await promoted.command('LRANGE', queue, '0', '-1')) as string[]).map(Number);
    assertNoDuplicateNoLoss('cluster', run.tally, value, leftovers);
  });

  test('replication: planned FAILOVER, then the DNS name flips', { timeout: 60_000 }, async (t) => {
    const lab = useLab(t);
    const s = await startScenario(lab);
    const run = workloads(s.client, 'fam:counter', 'fam:queue');
    await delay(800);
    await s.pair.plannedFailover();
    await delay(1500);
    await s.pair.flipDns();
    await delay(1000);
    await run.stop();
    const value = Number((await s.pair.replica.command('GET', 'fam:counter')) ?? 0);
    const leftovers = ((await s.pair.replica.command('LRANGE', 'fam:queue', '0', '-1')) as string[]).map(Number);
    assertNoDuplicateNoLoss('replication', run.tally, value, leftovers);
  });
});
