import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { Subject } from 'rxjs';
import { EndpointStats } from '../../../src/core/endpoint/endpoint-stats.js';
import { attachClientMetrics } from '../../../src/core/metrics/client-metrics.js';
import { METRICS } from '../../../src/core/metrics/metric-names.js';
import type { ResilienceEvent } from '../../../src/core/events/resilience-event.js';
import { lintExposition } from '../../support/metrics-lint.js';

function source(client: string, stats: EndpointStats) {
  return {
    client,
    *nodes() {
      yield { node: '127.0.0.1:7000', role: 'primary', stats, breaker: 'open' as const, ready: false, queueDepth: 3 };
    },
    inFlight: () => 2,
  };
}

test('every metric in the table is exported, lint-clean, with the configured prefix', async () => {
  const registry = new Registry();
  const stats = new EndpointStats();
  stats.ok = 10;
  stats.recordDuration(0.3);
  stats.recordDuration(12);
  stats.recordError('timeout');
  stats.overflows = 1;
  const events = new Subject<ResilienceEvent>();
  const detach = attachClientMetrics(source('cache', stats), events, { registry, prefix: 'rr_' });
  const now = Date.now();
  events.next({ type: 'breaker.opened', client: 'cache', timestamp: now, node: '127.0.0.1:7000', failureRate: 80, forced: false });
  events.next({
    type: 'command.retried',
    client: 'cache',
    timestamp: now,
    node: '127.0.0.1:7000',
    scenario: 'timeout',
    command: 'get',
    attempt: 1,
    delayMs: 10,
  });
  events.next({
    type: 'topology.refreshed',
    client: 'cache',
    timestamp: now,
    trigger: 'timeouts',
    changed: true,
    added: [],
    removed: [],
    promoted: [],
    durationMs: 3,
  });
  events.next({
    type: 'dns.resolved',
    client: 'cache',
    timestamp: now,
    name: 'primary.test',
    outcome: 'success',
    addresses: ['127.0.0.2'],
    ttlSeconds: 15,
  });
  events.next({
    type: 'endpoint.changed',
    client: 'cache',
    timestamp: now,
    name: 'primary.test',
    oldAddress: 'a',
    newAddress: 'b',
    cause: 'dns',
    node: 'b',
  });
  events.next({ type: 'failover.detected', client: 'cache', timestamp: now, node: '127.0.0.1:7000' });
  events.next({ type: 'failover.recovered', client: 'cache', timestamp: now, node: '127.0.0.1:7000', durationMs: 1500 });
  const text = await registry.metrics();
  detach();
  assert.deepEqual(lintExposition(text), []);
  for (const m of Object.values(METRICS)) assert.match(text, new RegExp(`^# TYPE rr_${m.name} `, 'm'), m.name);
  assert.match(text, /^rr_commands_total\{client="cache",node="127.0.0.1:7000",role="primary",outcome="success",scenario="none"\} 10$/m);
  assert.match(text, /^rr_commands_total\{.*outcome="error",scenario="timeout"\} 1$/m);
  assert.match(text, /^rr_command_duration_seconds_bucket\{.*le="0.0005"\} 1$/m);
  assert.match(text, /^rr_command_duration_seconds_count\{.*\} 2$/m);
  assert.match(text, /^rr_breaker_state\{client="cache",node="127.0.0.1:7000",state="open"\} 1$/m);
  assert.match(text, /^rr_breaker_state\{client="cache",node="127.0.0.1:7000",state="closed"\} 0$/m);
  assert.match(text, /^rr_queue_depth\{client="cache",node="127.0.0.1:7000"\} 3$/m);
  assert.match(text, /^rr_failover_duration_seconds_sum\{client="cache"\} 1.5$/m);
  assert.match(text, /^rr_retries_total\{client="cache",scenario="timeout"\} 1$/m);
});

test('two clients on one registry reuse the metrics instead of failing as already registered', async () => {
  const registry = new Registry();
  const a = attachClientMetrics(source('a', new EndpointStats()), new Subject(), { registry });
  const b = attachClientMetrics(source('b', new EndpointStats()), new Subject(), { registry });
  const text = await registry.metrics();
  assert.match(text, /client="a"/);
  assert.match(text, /client="b"/);
  a();
  assert.doesNotMatch(await registry.metrics(), /client="a"/);
  b();
});

test('metrics can be turned off and never touch the registry', async () => {
  const registry = new Registry();
  attachClientMetrics(source('x', new EndpointStats()), new Subject(), { registry, enabled: false });
  assert.equal((await registry.metrics()).trim(), '');
  assert.equal(registry.getMetricsAsArray().length, 0);
});

test('the lint itself catches bad names, units and buckets', () => {
  const bad = [
    '# HELP x_requests counted',
    '# TYPE x_requests counter',
    'x_requests 1',
    '# HELP x_latency_ms latency',
    '# TYPE x_latency_ms gauge',
    'x_latency_ms 3',
    '# HELP h hist',
    '# TYPE h histogram',
    'h_bucket{le="1"} 5',
    'h_bucket{le="2"} 4',
    '# HELP g g',
    '# TYPE g gauge',
    'g{a="1"} 1',
    'g{a="1"} 2',
  ].join('\n');
  const problems = lintExposition(bad);
  assert.ok(
    problems.some((p) => p.includes('without _total')),
    problems.join('\n'),
  );
  assert.ok(
    problems.some((p) => p.includes('base units')),
    problems.join('\n'),
  );
  assert.ok(
    problems.some((p) => p.includes('not cumulative')),
    problems.join('\n'),
  );
  assert.ok(
    problems.some((p) => p.includes('no +Inf')),
    problems.join('\n'),
  );
  assert.ok(
    problems.some((p) => p.includes('duplicate series')),
    problems.join('\n'),
  );
});

test('two clients with the same name in one process add up to one series each', async () => {
  const registry = new Registry();
  const a = new EndpointStats();
  const b = new EndpointStats();
  a.ok = 2;
  b.ok = 3;
  a.recordDuration(0.3);
  b.recordDuration(0.3);
  const detachA = attachClientMetrics(source('cache', a), new Subject(), { registry });
  const detachB = attachClientMetrics(source('cache', b), new Subject(), { registry });
  const text = await registry.metrics();
  assert.deepEqual(lintExposition(text), []);
  const countLines = text.split('\n').filter((l) => l.startsWith('redis_resilience_command_duration_seconds_count{'));
  assert.deepEqual(countLines, ['redis_resilience_command_duration_seconds_count{client="cache",node="127.0.0.1:7000",role="primary"} 2']);
  assert.match(
    text,
    /^redis_resilience_commands_total\{client="cache",node="127.0.0.1:7000",role="primary",outcome="success",scenario="none"\} 5$/m,
  );
  detachA();
  detachB();
});
