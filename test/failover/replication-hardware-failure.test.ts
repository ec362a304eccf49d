// Unplanned faults in replication mode, under steady write and read load:
// - the primary's host hangs (SIGSTOP), the replica is promoted with REPLICAOF NO ONE and the
//   DNS names flip 10 s later: writes must come back within 1 s of the flip, and no call may
//   outlive its deadline while the primary hangs;
// - the reader dies (SIGKILL): reads fall back to the primary without a single error, and
//   return to the reader name once it is flipped to a live replica.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { now, parseInfo, type RedisNode, useLab, waitFor } from '../support/lab.js';
import { RATE, changeOf, createLoad, printSideBySide, readonlyErrors, startScenario, until } from './replication-failover-support.js';

/** GETs a node has served so far (INFO commandstats). */
async function getCalls(node: RedisNode): Promise<number> {
  const stats = parseInfo(String(await node.command('INFO', 'commandstats')));
  return Number(/calls=(\d+)/.exec(stats.cmdstat_get ?? '')?.[1] ?? 0);
}

describe('replication: unplanned faults', { timeout: 150_000 }, () => {
  test(
    'hung primary, replica promoted, DNS flips 10 s later: writes back <= 1 s after the flip, 0 calls past deadline',
    { timeout: 70_000 },
    async (t) => {
      const lab = useLab(t);
      const s = await startScenario(lab);
      const load = await createLoad(s.client, 'hw', s.deadlineMs);
      load.start();
      await delay(1000); // steady state before the fault
      const faultAt = performance.now();
      await s.pair.primary.pause();
      // SIGKILL in teardown works on a stopped process too; resuming first keeps its log sane.
      lab.defer(() => (s.pair.primary.status === 'paused' ? s.pair.primary.resume() : undefined));
      const promoted = await s.pair.promoteReplica();
      await until(promoted.monoMs + 10_000);
      // The managed service points both names at the only healthy node.
      s.dns.setRecord(s.pair.primaryName, [s.pair.replica.host], 15);
      s.dns.setRecord(s.pair.readerName, [s.pair.replica.host], 15);
      const flipped = now();
      await until(flipped.monoMs + 2500);
      const hung = await load.stop();

      const writes = load.writes.report(faultAt, flipped.monoMs)[0]!;
      const reads = load.reads.report(faultAt, flipped.monoMs)[0]!;
      printSideBySide(
        `hung primary: recovery measured from the DNS flip (${Math.round(flipped.monoMs - promoted.monoMs)} ms after the promotion)`,
        [{ label: 'redis-resilience', writes, reads, readonly: readonlyErrors(load.writes), lost: undefined, hung }],
      );
      const swap = changeOf(s.events, s.pair.primaryName, 'dns');
      console.log(`primary swapped ${swap ? swap.timestamp - flipped.epochMs : 'never'} ms after the flip`);
      assert.ok(
        writes.recoveryLagMs !== undefined && writes.recoveryLagMs <= 1000,
        `writes back ${writes.recoveryLagMs} ms after the flip`,
      );
      assert.equal(writes.pastDeadline, 0, 'no write past its deadline');
      assert.equal(reads.pastDeadline, 0, 'no read past its deadline');
      assert.equal(hung, 0, 'every call settled');
      assert.ok(writes.errors > 0, 'the hung primary did cost writes (the fault is real)');
      assert.equal(swap?.newAddress, s.pair.replica.address);
      // Writes were failing fast while the primary hung, not piling up: the breaker opened.
      assert.ok(s.events.some((e) => e.type === 'breaker.opened' && e.node === s.pair.primary.address));
    },
  );

  test(
    'reader killed: reads fall back to the primary with 0 errors, then follow the reader name to a live replica',
    { timeout: 60_000 },
    async (t) => {
      const lab = useLab(t);
      const s = await startScenario(lab);
      // A second replica, on the reader's port like a managed node, for the name to move to.
      const spare = await lab.node({ host: '127.0.0.4', port: s.pair.replica.port, label: 'repl-spare' });
      await spare.command('REPLICAOF', s.pair.primary.host, s.pair.primary.port);
      await s.pair.waitForLinkUp(spare, 10_000);
      const load = await createLoad(s.client, 'rd', s.deadlineMs);
      const readerGets = await getCalls(s.pair.replica);
      load.start();
      await delay(1000); // steady state before the fault
      assert.ok((await getCalls(s.pair.replica)) - readerGets >= RATE / 2, 'reads were served by the reader');

      const killedAt = performance.now();
      await s.pair.replica.kill();
      await delay(2000); // reads live on the primary fallback meanwhile
      const spareGets = await getCalls(spare);
      s.dns.setRecord(s.pair.readerName, [spare.host], 15);
      const flipped = now();
      const moved = await waitFor(() => changeOf(s.events, s.pair.readerName, 'dns'), {
        timeoutMs: 5000,
        what: 'the reader to move to the spare',
      });
      const movedAfterMs = moved.timestamp - flipped.epochMs;
      await delay(1000); // reads on the new reader
      const hung = await load.stop();
      const servedBySpare = (await getCalls(spare)) - spareGets;

      const writes = load.writes.report(killedAt, undefined)[0]!;
      const reads = load.reads.report(killedAt, undefined)[0]!;
      printSideBySide('reader killed; reader name flipped to a live replica 2 s later', [
        { label: 'redis-resilience', writes, reads, readonly: readonlyErrors(load.writes), lost: undefined, hung },
      ]);
      console.log(`reader moved ${movedAfterMs} ms after the flip; the new reader served ${servedBySpare} GETs`);
      assert.equal(reads.errors, 0, `read errors: ${JSON.stringify(reads.errorsByCode)}`);
      assert.equal(reads.pastDeadline, 0, 'no read past its deadline');
      assert.equal(writes.errors, 0, 'writes never noticed');
      assert.equal(hung, 0, 'every call settled');
      assert.equal(moved.newAddress, spare.address);
      assert.ok(movedAfterMs <= 1500, `the reader name was re-resolved quickly (fast polling): ${movedAfterMs} ms`);
      assert.ok(servedBySpare >= RATE / 2, `reads returned to the reader name: ${servedBySpare} GETs on the spare`);
      assert.equal(s.client.health().nodes.find((n) => n.role === 'replica')?.address, spare.address);
    },
  );
});
