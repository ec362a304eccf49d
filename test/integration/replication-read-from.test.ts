// readFrom in replication mode, on a real primary/replica pair, counting where each read ran
// (INFO commandstats): 'replica-preferred' (the default with a reader) reads on the reader,
// 'primary' on the primary without even connecting to the reader, 'primary-preferred' on the
// primary, and on the reader while the primary hangs (SIGSTOP), with no read failing once the
// primary's breaker is open, one event when reads move and one when they are back.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ReadFrom, ReplicationOptions } from '../../src/index.js';
import { commandCalls } from '../support/command-stats.js';
import { createLab, faults, waitFor, type RedisNode, type ReplicationLab } from '../support/lab.js';
import { recordedClient } from '../support/recorded-client.js';
import { pairByAddress, pairByName } from '../support/replication-client-options.js';

const READS = 20;

async function connectedClients(node: RedisNode): Promise<number> {
  return Number((await node.info('clients')).connected_clients);
}

describe('replication: readFrom', { timeout: 60_000 }, () => {
  const lab = createLab();
  let pair: ReplicationLab;
  before(async () => {
    pair = await lab.replicationPair();
  });
  after(() => lab.teardown());

  const options = (name: string, readFrom: ReadFrom | undefined): ReplicationOptions => ({
    ...pairByAddress(pair, name),
    ...(readFrom === undefined ? {} : { readFrom }),
  });

  /** Writes a key on the primary, waits for the replica to have it, then reads it READS times. */
  async function readsLandOn(name: string, readFrom: ReadFrom | undefined): Promise<{ primary: number; replica: number }> {
    const { client } = recordedClient(lab, options(name, readFrom));
    await client.connect();
    const key = `rf:${name}`;
    assert.equal(await client.set(key, name), 'OK');
    assert.equal(await client.wait(1, 2000), 1, 'the replica has the write');
    const start = { primary: await commandCalls(pair.primary, 'get'), replica: await commandCalls(pair.replica, 'get') };
    for (let i = 0; i < READS; i++) assert.equal(await client.get(key), name);
    return {
      primary: (await commandCalls(pair.primary, 'get')) - start.primary,
      replica: (await commandCalls(pair.replica, 'get')) - start.replica,
    };
  }

  test("'replica-preferred', and readFrom omitted with a reader, read on the reader", { timeout: 15_000 }, async () => {
    assert.deepEqual(await readsLandOn('rf-default', undefined), { primary: 0, replica: READS });
    assert.deepEqual(await readsLandOn('rf-replica', 'replica-preferred'), { primary: 0, replica: READS });
  });

  test("'primary' reads on the primary and never connects to the reader", { timeout: 15_000 }, async () => {
    const readersBefore = await connectedClients(pair.replica);
    assert.deepEqual(await readsLandOn('rf-primary', 'primary'), { primary: READS, replica: 0 });
    assert.equal(await connectedClients(pair.replica), readersBefore, 'no connection to the reader');
  });

  test(
    "'primary' with the endpoints by name: a demoted primary is still followed at once to the unconnected reader's host",
    { timeout: 25_000 },
    async () => {
      const dns = await lab.dns();
      const named = await lab.replicationPair({ dns, ttl: 15, primaryName: 'rf-primary.repl.test', readerName: 'rf-reader.repl.test' });
      const { client, events } = recordedClient(lab, { ...pairByName(named, dns, 'rf-follow'), readFrom: 'primary' });
      await client.connect();
      assert.equal(await client.set('rf:follow', 'before'), 'OK');
      assert.deepEqual(
        client.health().dns?.map((d) => d.name),
        [named.primaryName],
        'only the primary name is watched',
      );
      // The reader name was resolved once, so its host is known as one of the group's.
      await waitFor(() => events.some((e) => e.type === 'dns.resolved' && e.name === named.readerName), {
        timeoutMs: 5000,
        what: 'the reader name resolved',
      });
      await named.plannedFailover();
      assert.equal(await client.set('rf:follow', 'after'), 'OK');
      assert.equal(await named.replica.command('GET', 'rf:follow'), 'after');
      const changed = events.find((e) => e.type === 'endpoint.changed' && e.name === named.primaryName);
      assert.ok(
        changed?.type === 'endpoint.changed' && changed.cause === 'role-follow' && changed.newAddress === named.replica.address,
        JSON.stringify(changed),
      );
    },
  );

  test("'primary-preferred' reads on the primary while it is up", { timeout: 15_000 }, async () => {
    assert.deepEqual(await readsLandOn('rf-pp-up', 'primary-preferred'), { primary: READS, replica: 0 });
  });

  test(
    "'primary-preferred' with the primary hung: reads go to the reader, none fails once the breaker is open",
    { timeout: 30_000 },
    async () => {
      const { client, events } = recordedClient(lab, {
        ...options('rf-pp-hung', 'primary-preferred'),
        policy: { attemptTimeoutMs: 200, totalTimeoutMs: 2000 },
      });
      await client.connect();
      assert.equal(await client.set('rf:hung', 'v'), 'OK');
      assert.equal(await client.wait(1, 2000), 1);
      lab.defer(() => faults.resume(pair.primary));
      await faults.pause(pair.primary);
      const primaryId = `${pair.primary.host}:${pair.primary.port}`;
      const opened = () => events.some((e) => e.type === 'breaker.opened' && e.node === primaryId);
      // Reads that time out on the primary feed its breaker (and are retried on the reader).
      await waitFor(
        async () => {
          await client.get('rf:hung').catch(() => undefined);
          return opened();
        },
        { timeoutMs: 10_000, what: "the primary's breaker to open" },
      );
      const served = await commandCalls(pair.replica, 'get');
      const results = await Promise.allSettled(Array.from({ length: READS }, () => client.get('rf:hung')));
      for (let i = 0; i < READS; i++) results.push(...(await Promise.allSettled([client.get('rf:hung')])));
      const failed = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
      assert.deepEqual(failed, [], 'no read fails while the primary hangs');
      assert.ok(
        results.every((r) => r.status === 'fulfilled' && r.value === 'v'),
        'every read saw the value',
      );
      assert.equal((await commandCalls(pair.replica, 'get')) - served, 2 * READS, 'the reader served every one of them');
      const started = events.filter((e) => e.type === 'replica_reads.started');
      assert.deepEqual(
        started,
        [{ ...started[0], node: primaryId, replica: `${pair.replica.host}:${pair.replica.port}` }],
        'one event for the whole stretch',
      );

      // Back on the primary once it serves again: one event, counting the reads the reader took.
      await faults.resume(pair.primary);
      await waitFor(
        async () => {
          await client.get('rf:hung');
          return events.some((e) => e.type === 'replica_reads.ended');
        },
        { timeoutMs: 10_000, what: 'reads back on the primary' },
      );
      const ended = events.find((e) => e.type === 'replica_reads.ended');
      assert.ok(ended?.type === 'replica_reads.ended' && ended.node === primaryId && ended.reads >= 2 * READS, JSON.stringify(ended));
      const beforeGets = await commandCalls(pair.primary, 'get');
      assert.equal(await client.get('rf:hung'), 'v');
      assert.equal(await commandCalls(pair.primary, 'get'), beforeGets + 1, 'reads are on the primary again');
    },
  );
});
