import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TopologyTrigger } from '../../../src/core/events/resilience-event.js';
import { TopologyRefresher } from '../../../src/core/topology/topology-refresher.js';
import { FakeClock, settle } from './fake-clock.js';

interface Harness {
  clock: FakeClock;
  refresher: TopologyRefresher;
  /** Triggers and start times of every refresh run. */
  runs: Array<{ trigger: TopologyTrigger; at: number }>;
  /** Settles the refresh in flight. */
  finish(ok: boolean | 'reject'): Promise<void>;
  degraded: { value: boolean };
}

function harness(options: { minGapMs?: number; intervalMs?: number; maxBackoffMs?: number; random?: number } = {}): Harness {
  const clock = new FakeClock();
  const runs: Harness['runs'] = [];
  const degraded = { value: false };
  let settleCurrent: ((ok: boolean | 'reject') => void) | undefined;
  const refresher = new TopologyRefresher(
    { intervalMs: options.intervalMs ?? 5000, minGapMs: options.minGapMs ?? 250, maxBackoffMs: options.maxBackoffMs ?? 2000 },
    (trigger) => {
      runs.push({ trigger, at: clock.now() });
      return new Promise<boolean>((resolve, reject) => {
        settleCurrent = (ok) => (ok === 'reject' ? reject(new Error('boom')) : resolve(ok));
      });
    },
    () => degraded.value,
    () => options.random ?? 0.5,
    clock,
  );
  return {
    clock,
    refresher,
    runs,
    degraded,
    async finish(ok) {
      assert.ok(settleCurrent, 'a refresh is in flight');
      const s = settleCurrent;
      settleCurrent = undefined;
      s(ok);
      await settle();
    },
  };
}

describe('TopologyRefresher', () => {
  it('runs a trigger at once when idle, and resolves with its outcome', async () => {
    const h = harness();
    const result = h.refresher.trigger('moved');
    assert.deepEqual(h.runs, [{ trigger: 'moved', at: 0 }]);
    await h.finish(true);
    assert.equal(await result, true);
  });

  it('keeps one refresh in flight: triggers meanwhile share one queued refresh after the gap', async () => {
    const h = harness({ minGapMs: 250 });
    void h.refresher.trigger('moved');
    const queued = [h.refresher.trigger('clusterdown'), h.refresher.trigger('timeouts'), h.refresher.trigger('connection')];
    assert.equal(h.runs.length, 1);
    assert.equal(h.refresher.current(), h.refresher.current());
    await h.clock.advance(40);
    await h.finish(true);
    // Finished at 40; the gap counts from the start (0), so the queued one starts at 250.
    await h.clock.advance(200);
    assert.equal(h.runs.length, 1);
    await h.clock.advance(10);
    assert.deepEqual(h.runs.at(-1), { trigger: 'clusterdown', at: 250 });
    await h.finish(false);
    assert.deepEqual(await Promise.all(queued), [false, false, false]);
  });

  it('storm bound: a thousand triggers over one second start at most one refresh per gap', async () => {
    const h = harness({ minGapMs: 250 });
    for (let t = 0; t < 1000; t++) {
      void h.refresher.trigger('moved');
      if (h.runs.length > 0 && h.runs.at(-1)!.at === h.clock.now()) await h.finish(true);
      await h.clock.advance(1);
    }
    const starts = h.runs.map((r) => r.at);
    assert.ok(starts.length <= 1000 / 250 + 1, `${starts.length} refreshes: ${starts.join(', ')}`);
    assert.ok(starts.length >= 1000 / 250, `sustained triggers still refresh every gap: ${starts.join(', ')}`);
    for (let i = 1; i < starts.length; i++) assert.ok(starts[i]! - starts[i - 1]! >= 250, `gap ${starts[i]! - starts[i - 1]!}`);
  });

  it('refreshes periodically with ±20 % jitter', async () => {
    for (const [random, expected] of [
      [0, 4000],
      [0.5, 5000],
      [0.999_999, 6000],
    ] as const) {
      const h = harness({ intervalMs: 5000, random });
      h.refresher.start();
      assert.equal(Math.round(h.clock.pendingDelay()!), expected);
      await h.clock.advance(expected);
      assert.deepEqual(
        h.runs.map((r) => r.trigger),
        ['scheduled'],
      );
      await h.finish(true);
      assert.equal(Math.round(h.clock.pendingDelay()!), expected, 'the next one is scheduled after it');
    }
  });

  it('polls every gap while a shard is degraded, and goes back to the interval once it is not', async () => {
    const h = harness({ minGapMs: 250, intervalMs: 5000 });
    h.refresher.start();
    h.degraded.value = true;
    void h.refresher.trigger('breaker-opened');
    await h.finish(true);
    assert.equal(h.clock.pendingDelay(), 250);
    await h.clock.advance(250);
    await h.finish(true);
    await h.clock.advance(250);
    assert.deepEqual(
      h.runs.map((r) => r.at),
      [0, 250, 500],
    );
    h.degraded.value = false;
    await h.finish(true);
    assert.equal(h.clock.pendingDelay(), 5000);
  });

  it('backs off while refreshes fail, triggered ones included, capped, and resets on success', async () => {
    const h = harness({ minGapMs: 250, maxBackoffMs: 2000 });
    h.refresher.start();
    const gaps: number[] = [];
    void h.refresher.trigger('connection');
    for (let i = 0; i < 6; i++) {
      await h.finish(i === 2 ? 'reject' : false);
      const before = h.runs.length;
      // A trigger right after a failure must wait for the backoff too.
      void h.refresher.trigger('connection');
      assert.equal(h.runs.length, before);
      const start = h.clock.now();
      while (h.runs.length === before) await h.clock.advance(10);
      gaps.push(h.clock.now() - start);
    }
    assert.deepEqual(gaps, [250, 500, 1000, 2000, 2000, 2000]);
    assert.equal(h.refresher.failureCount, 6);
    await h.finish(true);
    assert.equal(h.refresher.failureCount, 0);
    assert.equal(h.refresher.gapMs(), 250);
  });

  it('stop() cancels the schedule and settles a queued trigger with false', async () => {
    const h = harness();
    h.refresher.start();
    void h.refresher.trigger('moved');
    const queued = h.refresher.trigger('moved');
    h.refresher.stop();
    assert.equal(await queued, false);
    await h.finish(true);
    await h.clock.advance(60_000);
    assert.equal(h.runs.length, 1);
    assert.equal(await h.refresher.trigger('moved'), false);
  });

  it('a refresh function that throws synchronously counts as a failure', async () => {
    const clock = new FakeClock();
    const refresher = new TopologyRefresher(
      { intervalMs: 5000, minGapMs: 100, maxBackoffMs: 1000 },
      () => {
        throw new Error('bug');
      },
      () => false,
      Math.random,
      clock,
    );
    assert.equal(await refresher.trigger('manual'), false);
    assert.equal(refresher.failureCount, 1);
  });
});
