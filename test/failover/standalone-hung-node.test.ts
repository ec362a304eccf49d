// A standalone node hangs (SIGSTOP: sockets stay open, nothing answers) for 5 s under a steady
// open-loop load of 200 calls/s. What users must see (DESIGN §2, standalone): every call settles
// within its deadline, the breaker opens and then fails calls in well under a millisecond, the
// client serves again within a second of the node coming back, and no acknowledged write is lost.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createResilientRedis, policyPresets, silentLogger, type ResilienceEvent } from '../../src/index.js';
import { createLab, waitFor } from '../support/lab.js';
import { LoadProbe } from '../support/load-probe.js';

const median = (xs: number[]): number => {
  const s = xs.toSorted((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.floor(s.length / 2)]!;
};

describe('standalone: node hung by SIGSTOP under load', { timeout: 60_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());

  test('fail fast while hung, recover within 1 s, no call past its deadline, no acked write lost', { timeout: 45_000 }, async () => {
    const node = await lab.standalone();
    const redis = createResilientRedis({
      name: 'hung',
      mode: 'standalone',
      node: { host: node.host, port: node.port },
      logger: silentLogger,
      metrics: { enabled: false },
    });
    lab.defer(() => redis.disconnect());
    const deadlineMs = policyPresets.standalone.totalTimeoutMs;
    const events: Array<{ at: number; event: ResilienceEvent }> = [];
    const subscription = redis.events$.subscribe((event) => events.push({ at: performance.now(), event }));
    lab.defer(() => subscription.unsubscribe());
    await redis.connect();

    const keys = Array.from({ length: 40 }, (_, i) => `hung:{k}:${i}`);
    const probe = new LoadProbe({ client: redis, groups: [{ name: 'node', keys }], ratePerGroup: 200, mix: 'mixed', deadlineMs });
    probe.start();
    try {
      // Steady state first, so the breaker has a healthy window behind it.
      await new Promise((r) => setTimeout(r, 1000));
      const faultAt = performance.now();
      await node.pause();
      const opened = await waitFor(() => events.find((e) => e.event.type === 'breaker.opened' && e.at >= faultAt), {
        timeoutMs: 4000,
        what: 'breaker.opened after SIGSTOP',
      });
      // The hang itself is detected only by attempt timers (1 s in this preset).
      assert.ok(
        opened.at - faultAt < policyPresets.standalone.attemptTimeoutMs + 1000,
        `opened ${Math.round(opened.at - faultAt)} ms after the hang`,
      );
      await new Promise((r) => setTimeout(r, Math.max(0, faultAt + 5000 - performance.now())));
      assert.equal(redis.health().nodes[0]?.breaker === 'closed', false, 'still not closed while hung');
      const resumedAt = performance.now();
      await node.resume();
      const closed = await waitFor(() => events.find((e) => e.event.type === 'breaker.closed' && e.at >= resumedAt), {
        timeoutMs: 3000,
        what: 'breaker.closed after SIGCONT',
      });
      // Keep the load on after recovery to measure sustained success.
      await new Promise((r) => setTimeout(r, 1500));
      const hung = await probe.stop(deadlineMs + 1000);

      const [report] = probe.report(faultAt, resumedAt);
      const open = probe.records.filter((r) => r.error === 'ERR_CIRCUIT_OPEN' && r.start >= faultAt);
      const openMedianMs = median(open.map((r) => r.end - r.start));
      const summary = {
        calls: report!.calls,
        errors: report!.errorsByCode,
        p99Ms: report!.p99Ms,
        maxMs: report!.maxMs,
        pastDeadline: report!.pastDeadline,
        breakerOpenedAfterMs: Math.round(opened.at - faultAt),
        breakerClosedAfterResumeMs: Math.round(closed.at - resumedAt),
        recoveryLagMs: report!.recoveryLagMs,
        circuitOpenMedianUs: Math.round(openMedianMs * 1000),
      };
      console.log(`standalone SIGSTOP 5 s @200/s: ${JSON.stringify(summary)}`);

      assert.equal(hung, 0, 'no call left pending');
      assert.equal(report!.pastDeadline, 0, `no call past ${deadlineMs} + 50 ms (max ${report!.maxMs} ms)`);
      assert.ok(report!.maxMs <= deadlineMs + 50);
      assert.ok(open.length > 100, `the breaker failed calls fast (${open.length} ERR_CIRCUIT_OPEN)`);
      assert.ok(openMedianMs < 1, `ERR_CIRCUIT_OPEN median ${openMedianMs.toFixed(3)} ms`);
      assert.ok(closed.at - resumedAt < 1000, `breaker closed ${Math.round(closed.at - resumedAt)} ms after SIGCONT`);
      assert.ok(
        report!.recoveryLagMs !== undefined && report!.recoveryLagMs < 1000,
        `calls succeed again within 1 s (lag ${report!.recoveryLagMs} ms)`,
      );
      const unexpected = Object.keys(report!.errorsByCode).filter(
        (code) => !['ERR_CIRCUIT_OPEN', 'ERR_COMMAND_TIMEOUT', 'ERR_RETRIES_EXHAUSTED'].includes(code),
      );
      assert.deepEqual(unexpected, [], 'only timeouts and fast failures while hung');
      const lost = await probe.lostWrites(async (key) => String(await node.command('GET', key)));
      assert.ok(probe.acknowledgedWrites > 0);
      assert.deepEqual(lost, [], 'every acknowledged write is on the server');
      assert.equal(redis.health().nodes[0]?.breaker, 'closed');
    } finally {
      await probe.stop(0);
    }
  });
});
