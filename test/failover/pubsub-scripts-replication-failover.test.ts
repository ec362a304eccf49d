// Issue 12 in replication mode, through real planned failovers (FAILOVER: the replica is
// promoted, the old primary stays up as its replica), one pair for the file: SUBSCRIBE
// re-homes to the new primary, and EVAL of a counting script is neither duplicated nor lost.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLab, waitFor } from '../support/lab.js';
import { type Scenario, startScenario } from './replication-failover-support.js';
import { COUNTING_SCRIPT, ReceivedLog, ScriptLoad, SteadyPublisher, reportAfterMove, resubscribed } from './pubsub-failover-support.js';

/** The client follows a demoted primary at once (ROLE); the subscriber moves right after. */
const FOLLOW_BOUND_MS = 1000;
/**
 * Delivery silence allowed beyond the server's own pause, ms. FAILOVER pauses writes on the
 * old primary (PUBLISH included) until the replica has taken over: about 0.1-1 s here, more on a
 * loaded machine; no client can deliver a message then. Past the promotion, the subscriber's
 * share of the silence is the follow and one publish interval.
 */
const SILENCE_PAST_PAUSE_MS = 500;

describe('replication: pub/sub and scripts through a planned failover', { timeout: 120_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());
  let s: Scenario;

  before(async () => {
    s = await startScenario(lab);
  });

  test('SUBSCRIBE re-homes to the promoted primary: 0 duplicates, nothing lost once back, gap bounded', { timeout: 40_000 }, async () => {
    const log = new ReceivedLog();
    s.client.on('message', (channel: string, message: string) => channel === 'rp:news' && log.add(message));
    assert.equal(await s.client.subscribe('rp:news'), 1);
    const oldPrimary = await s.pair.currentPrimary();
    const newPrimary = oldPrimary === s.pair.primary ? s.pair.replica : s.pair.primary;
    assert.deepEqual(await oldPrimary.command('PUBSUB', 'NUMSUB', 'rp:news'), ['rp:news', 1]);
    // One app publishes, subscribes and writes. Its first write to the demoted primary gets
    // READONLY, and the client follows the promotion at once. A client that never writes has
    // no such evidence: it moves when DNS does (a PUBLISH to a replica succeeds, delivered to
    // that node's subscribers only; see README, "Guarantees per command family").
    const publisher = new SteadyPublisher((m) => s.client.publish('rp:news', m));
    const writes = new SteadyPublisher((m) => s.client.set('rp:app-write', m), 10);
    publisher.start();
    writes.start();
    try {
      await waitFor(() => log.at.size >= 50 || undefined, { timeoutMs: 5000, what: 'steady delivery' });
      const failoverAt = Date.now();
      const promoted = await s.pair.plannedFailover();
      const serverPauseMs = promoted.epochMs - failoverAt;
      const back = await waitFor(() => resubscribed(s.events, 'classic')[0], { timeoutMs: 10_000, what: 'pubsub.resubscribed' });
      const report = await reportAfterMove(publisher, log, back.timestamp);
      const followMs = back.timestamp - promoted.epochMs;
      console.log(
        JSON.stringify({
          scenario: 'replication SUBSCRIBE, FAILOVER',
          gapMs: back.gapMs,
          followMs,
          serverPauseMs,
          publishErrors: publisher.errors,
          ...report,
          lostAfterBack: report.lostAfterBack.length,
        }),
      );
      assert.equal(back.node, newPrimary.address, 'resubscribed on the new primary');
      assert.deepEqual(await newPrimary.command('PUBSUB', 'NUMSUB', 'rp:news'), ['rp:news', 1]);
      assert.deepEqual(await oldPrimary.command('PUBSUB', 'NUMSUB', 'rp:news'), ['rp:news', 0], 'left the demoted primary');
      assert.equal(report.duplicates, 0, 'no message delivered twice');
      assert.deepEqual(report.lostAfterBack, [], 'every message published after the re-home arrived');
      assert.ok(followMs <= FOLLOW_BOUND_MS, `re-homed ${followMs} ms after the promotion`);
      assert.ok(back.gapMs <= FOLLOW_BOUND_MS, `switch took ${back.gapMs} ms`);
      assert.ok(
        report.longestSilenceMs <= serverPauseMs + SILENCE_PAST_PAUSE_MS,
        `longest delivery silence ${report.longestSilenceMs} ms, the server paused writes for ${serverPauseMs} ms`,
      );
    } finally {
      await Promise.all([publisher.stop(), writes.stop()]);
    }
  });

  test('EVAL of a counting script through FAILOVER: 0 duplicated effects, 0 lost acknowledged calls', { timeout: 40_000 }, async () => {
    const load = new ScriptLoad((id) => s.client.eval(COUNTING_SCRIPT, 2, 'rp:eval:n', 'rp:eval:ids', id));
    load.start();
    try {
      await waitFor(() => load.acked.size >= 100 || undefined, { timeoutMs: 5000, what: 'steady EVALs' });
      await s.pair.plannedFailover();
      const ackedBefore = load.acked.size;
      await waitFor(() => load.acked.size >= ackedBefore + 100 || undefined, { timeoutMs: 10_000, what: 'EVALs after the promotion' });
    } finally {
      await load.stop();
    }
    const primary = await s.pair.currentPrimary();
    await load.assertRanOnce(primary, { ids: 'rp:eval:ids', counter: 'rp:eval:n' }, 'replication EVAL, FAILOVER');
  });
});
