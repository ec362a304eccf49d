import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { createResilientRedis, liveness, readiness, silentLogger, type ResilienceEvent, type HealthCheckStatus } from '../../src/index.js';
import { standaloneClients } from '../support/standalone-clients.js';
import { createLab, waitFor } from '../support/lab.js';
import { lintExposition } from '../support/metrics-lint.js';

test('a hung cluster primary shows up in events, metrics and readiness, and only on its shard', { timeout: 90_000 }, async () => {
  const lab = createLab();
  try {
    const cluster = await lab.cluster({ primaries: 3 });
    const registry = new Registry();
    const redis = createResilientRedis({
      name: 'obs',
      mode: 'cluster',
      nodes: cluster.seeds(),
      logger: silentLogger,
      metrics: { registry },
    });
    const events: ResilienceEvent[] = [];
    redis.events$.subscribe((e) => events.push(e));
    await redis.connect();
    const primaries = await cluster.primaries();
    const victim = primaries[0]!;
    const replica = await cluster.replicaOf(victim);
    const victimId = `${victim.host}:${victim.port}`;
    const keys = await Promise.all(primaries.map((p) => cluster.keyForNode(p)));

    // Readiness and liveness sampled throughout, on a steady load over every shard.
    const readinessSeen: HealthCheckStatus[] = [];
    const livenessSeen = new Set<string>();
    let stop = false;
    const sampler = (async () => {
      while (!stop) {
        const r = readiness([redis]).status;
        if (readinessSeen.at(-1) !== r) readinessSeen.push(r);
        livenessSeen.add(liveness().status);
        await new Promise((res) => setTimeout(res, 20));
      }
    })();
    const load = (async () => {
      while (!stop) {
        await Promise.all(keys.map((k) => redis.set(k, 'v').catch(() => {})));
        await new Promise((res) => setTimeout(res, 10));
      }
    })();
    await waitFor(() => readinessSeen.includes('ok'), { timeoutMs: 5000, what: 'readiness ok before the fault' });
    await victim.pause();
    lab.defer(() => victim.resume());
    await cluster.waitForPromotion(replica, 20_000);
    await waitFor(() => events.some((e) => e.type === 'failover.recovered'), { timeoutMs: 10_000, what: 'failover.recovered' });
    await waitFor(() => readiness([redis]).status === 'ok', { timeoutMs: 10_000, what: 'readiness back to ok' });
    await waitFor(() => readinessSeen.at(-1) === 'ok', { timeoutMs: 2000, what: 'sampler to see ok' });
    stop = true;
    await Promise.all([sampler, load]);

    const opened = events.filter((e) => e.type === 'breaker.opened');
    assert.ok(opened.length > 0, 'a breaker opened');
    assert.deepEqual([...new Set(opened.map((e) => e.node))], [victimId], 'only the hung shard tripped');
    const refreshes = events.filter((e) => e.type === 'topology.refreshed');
    assert.ok(
      refreshes.some((e) => e.type === 'topology.refreshed' && (e.trigger === 'timeouts' || e.trigger === 'breaker-opened')),
      'a refresh was triggered by timeouts',
    );
    const promoted = refreshes.find((e) => e.type === 'topology.refreshed' && e.promoted.length > 0);
    assert.ok(promoted, 'a refresh saw the promotion');
    const recovered = events.find((e) => e.type === 'failover.recovered');
    assert.ok(recovered && recovered.type === 'failover.recovered' && recovered.durationMs > 0, 'recovered with a duration');
    const order = (t: string) => events.findIndex((e) => e.type === t);
    assert.ok(order('failover.detected') < order('failover.recovered'), 'detected before recovered');
    assert.ok(readinessSeen.includes('error'), `readiness went down (saw ${readinessSeen.join(' -> ')})`);
    assert.equal(readinessSeen[0], 'ok');
    assert.equal(readinessSeen.at(-1), 'ok');
    assert.deepEqual([...livenessSeen], ['ok'], 'liveness never depended on Redis');

    const text = await registry.metrics();
    assert.deepEqual(lintExposition(text), []);
    assert.match(text, new RegExp(`redis_resilience_breaker_transitions_total\\{client="obs",node="${victimId}",state="open"\\} [1-9]`));
    assert.match(
      text,
      /redis_resilience_topology_refreshes_total\{client="obs",trigger="(timeouts|breaker-opened)",outcome="success"\} [1-9]/,
    );
    assert.match(text, /redis_resilience_failovers_total\{client="obs",node="[^"]+"\} [1-9]/);
    assert.match(text, /redis_resilience_failover_duration_seconds_count\{client="obs"\} [1-9]/);
    assert.match(
      text,
      /redis_resilience_commands_total\{client="obs",node="[^"]+",role="primary",outcome="success",scenario="none"\} [1-9]/,
    );
    await redis.close();
  } finally {
    await lab.teardown();
  }
});

test('label cardinality stays bounded by topology under 100k distinct keys', { timeout: 60_000 }, async () => {
  const lab = createLab();
  try {
    const node = await lab.standalone();
    const registry = new Registry();
    const redis = standaloneClients(lab, 'card', () => node)({}, { registry });
    await redis.connect();
    for (let i = 0; i < 100_000; i += 1000) {
      const p = redis.pipeline();
      for (let j = i; j < i + 1000; j++) p.set(`key:${j}`, 'v');
      await p.exec();
      await Promise.all(Array.from({ length: 50 }, (_, j) => redis.get(`key:${i + j}`)));
    }
    await redis.hset('key:0', 'f', 'v').catch(() => {});
    const text = await registry.metrics();
    const series = text.split('\n').filter((l) => l && !l.startsWith('#'));
    assert.ok(series.length < 200, `series count ${series.length} must not grow with keys`);
    assert.doesNotMatch(text, /key:\d+/, 'no key appears in any label');
    await redis.close();
  } finally {
    await lab.teardown();
  }
});
