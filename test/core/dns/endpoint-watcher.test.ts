// The endpoint watcher's timing rules, with an injected resolver and short intervals: TTL
// clamped to [floor, ceiling], fast polling for a bounded time on evidence, sticky addresses,
// and a failed resolution that keeps the last good address.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { ResolvedAddress } from '../../../src/core/dns/endpoint-resolver.js';
import { EndpointWatcher, nextResolveDelayMs, type WatcherOptions } from '../../../src/core/dns/endpoint-watcher.js';
import { EventBus } from '../../../src/core/events/event-bus.js';
import type { ResilienceEvent } from '../../../src/core/events/resilience-event.js';
import { silentLogger } from '../../../src/core/events/resilience-logger.js';
import { waitFor } from '../../support/wait.js';

const defaults: WatcherOptions = { minIntervalMs: 1000, maxIntervalMs: 30_000, fastPollMs: 250, fastPollForMs: 30_000 };

describe('nextResolveDelayMs', () => {
  test('uses the TTL between the floor and the ceiling', () => {
    assert.equal(nextResolveDelayMs(15, defaults, false), 15_000);
  });
  test('clamps a short TTL to the floor and a long one (or none) to the ceiling', () => {
    assert.equal(nextResolveDelayMs(0, defaults, false), 1000);
    assert.equal(nextResolveDelayMs(3600, defaults, false), 30_000);
    assert.equal(nextResolveDelayMs(undefined, defaults, false), 30_000);
  });
  test('polls at the fast interval during an episode, never slower than the clamped TTL', () => {
    assert.equal(nextResolveDelayMs(15, defaults, true), 250);
    assert.equal(nextResolveDelayMs(0, { ...defaults, minIntervalMs: 100 }, true), 100);
  });
});

/** A resolver whose answers a test scripts, recording when it was asked. */
function scriptedResolver(answer: () => ResolvedAddress[] | Error) {
  const calls: number[] = [];
  const resolve = async (): Promise<ResolvedAddress[]> => {
    calls.push(performance.now());
    const a = answer();
    if (a instanceof Error) throw a;
    return a;
  };
  return { resolve, calls };
}

const gaps = (calls: number[]): number[] => calls.slice(1).map((t, i) => t - calls[i]!);

describe('EndpointWatcher', () => {
  const watchers: EndpointWatcher[] = [];
  afterEach(() => {
    for (const w of watchers.splice(0)) w.stop();
  });

  function watch(resolve: (name: string) => Promise<ResolvedAddress[]>, options: Partial<WatcherOptions>) {
    const bus = new EventBus('test', silentLogger);
    const events: ResilienceEvent[] = [];
    bus.events$.subscribe((e) => events.push(e));
    const resolved: Array<{ address: string; changed: boolean }> = [];
    const watcher = new EndpointWatcher('primary.example.test', resolve, { ...defaults, ...options }, bus, (address, changed) =>
      resolved.push({ address, changed }),
    );
    watchers.push(watcher);
    return { watcher, events, resolved };
  }

  test('re-resolves no faster than the floor when the TTL is 0', { timeout: 5000 }, async () => {
    const r = scriptedResolver(() => [{ address: '10.0.0.1', ttl: 0 }]);
    const { watcher } = watch(r.resolve, { minIntervalMs: 40, maxIntervalMs: 1000 });
    await watcher.resolveNow();
    watcher.start();
    await waitFor(() => r.calls.length >= 6, { timeoutMs: 3000, what: '6 resolutions' });
    // Timers never fire early; 1 ms of slack for clock granularity.
    assert.ok(Math.min(...gaps(r.calls)) >= 39, `gaps ${gaps(r.calls).map(Math.round).join(', ')}`);
  });

  test('re-resolves at the ceiling when the TTL is longer', { timeout: 5000 }, async () => {
    const r = scriptedResolver(() => [{ address: '10.0.0.1', ttl: 3600 }]);
    const { watcher } = watch(r.resolve, { minIntervalMs: 10, maxIntervalMs: 60 });
    await watcher.resolveNow();
    watcher.start();
    await waitFor(() => r.calls.length >= 5, { timeoutMs: 3000, what: '5 resolutions' });
    assert.ok(Math.min(...gaps(r.calls)) >= 59, `gaps ${gaps(r.calls).map(Math.round).join(', ')}`);
    assert.equal(watcher.snapshot().ttlSeconds, 3600);
  });

  test('follows a TTL between the bounds (the shortest TTL of the answer)', { timeout: 5000 }, async () => {
    const r = scriptedResolver(() => [
      { address: '10.0.0.1', ttl: 0.3 },
      { address: '10.0.0.2', ttl: 0.08 },
    ]);
    const { watcher } = watch(r.resolve, { minIntervalMs: 10, maxIntervalMs: 5000 });
    await watcher.resolveNow();
    watcher.start();
    await waitFor(() => r.calls.length >= 4, { timeoutMs: 3000, what: '4 resolutions' });
    const g = gaps(r.calls);
    assert.ok(Math.min(...g) >= 79, `gaps ${g.map(Math.round).join(', ')}`);
    // Well below the 300 ms TTL and the 5 s ceiling, even on a loaded machine.
    assert.ok(Math.min(...g) < 290, `gaps ${g.map(Math.round).join(', ')}`);
  });

  test('evidence: resolves at once, polls fast for a bounded time, then slows down again', { timeout: 5000 }, async () => {
    const r = scriptedResolver(() => [{ address: '10.0.0.1', ttl: 3600 }]);
    const { watcher } = watch(r.resolve, { minIntervalMs: 10, maxIntervalMs: 60_000, fastPollMs: 20, fastPollForMs: 300 });
    await watcher.resolveNow();
    watcher.start();
    assert.equal(r.calls.length, 1);
    const pokedAt = performance.now();
    for (let i = 0; i < 50; i++) watcher.poke(); // a burst of errors is one episode
    assert.equal(r.calls.length, 2, 'the first poke resolves at once; the rest of the burst adds nothing');
    assert.ok(watcher.snapshot().fastPollUntil !== undefined);
    await waitFor(() => !watcher.fastPolling, { timeoutMs: 3000, what: 'the fast-poll episode to end' });
    const inEpisode = r.calls.filter((t) => t >= pokedAt && t <= pokedAt + 320).length;
    // 300 ms at 20 ms: 15 polls unloaded; at least a few even on a busy 2-core box.
    assert.ok(inEpisode >= 5 && inEpisode <= 17, `${inEpisode} resolutions during the episode`);
    assert.ok(Math.min(...gaps(r.calls.slice(1))) >= 19, 'never faster than the fast-poll interval');
    // After the episode, the next resolution is a TTL (clamped to 60 s) away: a fixed quiet phase.
    const settled = r.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(r.calls.length <= settled + 1, `${r.calls.length - settled} resolutions after the episode ended`);
    assert.equal(watcher.snapshot().fastPollUntil, undefined);
    // New evidence after the episode starts a new one.
    watcher.poke();
    assert.ok(watcher.fastPolling);
    await waitFor(() => r.calls.length >= settled + 4, { timeoutMs: 2000, what: 'a second episode' });
  });

  test('reports every resolution, flags changes, and keeps an address that is still listed', { timeout: 5000 }, async () => {
    let answer: ResolvedAddress[] = [{ address: '10.0.0.1', ttl: 15 }];
    const r = scriptedResolver(() => answer);
    const { watcher, resolved } = watch(r.resolve, {});
    assert.equal(await watcher.resolveNow(), '10.0.0.1');
    answer = [
      { address: '10.0.0.2', ttl: 15 },
      { address: '10.0.0.1', ttl: 15 },
    ];
    assert.equal(await watcher.resolveNow(), '10.0.0.1', 'sticky while still in the answer (round-robin reader)');
    const before = watcher.snapshot();
    answer = [{ address: '10.0.0.2', ttl: 5 }];
    assert.equal(await watcher.resolveNow(), '10.0.0.2');
    assert.deepEqual(resolved, [
      { address: '10.0.0.1', changed: false },
      { address: '10.0.0.1', changed: false },
      { address: '10.0.0.2', changed: true },
    ]);
    const view = watcher.snapshot();
    assert.equal(view.name, 'primary.example.test');
    assert.deepEqual(view.addresses, ['10.0.0.2']);
    assert.equal(view.ttlSeconds, 5);
    assert.ok(view.lastChangeAt !== undefined && view.lastChangeAt >= before.lastChangeAt!);
    assert.ok(view.lastResolvedAt !== undefined);
  });

  test('a failed resolution keeps the last address, reports it, and retries at the floor', { timeout: 5000 }, async () => {
    let fail = false;
    const r = scriptedResolver(() => (fail ? new Error('SERVFAIL') : [{ address: '10.0.0.1', ttl: 3600 }]));
    const { watcher, events } = watch(r.resolve, { minIntervalMs: 30, maxIntervalMs: 60_000 });
    await watcher.resolveNow();
    watcher.start();
    fail = true;
    assert.equal(await watcher.resolveNow(), '10.0.0.1');
    const view = watcher.snapshot();
    assert.equal(view.address, '10.0.0.1');
    assert.equal(view.lastError, 'SERVFAIL');
    const failures = events.filter((e) => e.type === 'dns.resolved' && e.outcome === 'failure');
    assert.equal(failures.length, 1);
    // Retried at the 30 ms floor, not after the hour-long TTL or the 60 s ceiling.
    await waitFor(() => r.calls.length >= 4, { timeoutMs: 2000, what: 'retries after the failure' });
    fail = false;
    await waitFor(() => watcher.snapshot().lastError === undefined, { timeoutMs: 2000, what: 'a successful retry' });
  });

  test('stop() ends all resolution', { timeout: 5000 }, async () => {
    const r = scriptedResolver(() => [{ address: '10.0.0.1', ttl: 0 }]);
    const { watcher } = watch(r.resolve, { minIntervalMs: 10 });
    await watcher.resolveNow();
    watcher.start();
    await waitFor(() => r.calls.length >= 3, { timeoutMs: 2000, what: 'a few resolutions' });
    watcher.stop();
    const n = r.calls.length;
    watcher.poke();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(r.calls.length, n);
  });
});
