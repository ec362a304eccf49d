// The operator's files under examples/observability, checked by the real Prometheus tools
// (Debian's `prometheus` package ships promtool): the alert rules load, they fire as expected
// on series recorded from a lab failover (redis-resilience-alerts.test.yml, written by
// `npm run record:alert-series`), a real scrape passes `promtool check metrics`, and every
// metric name the dashboard and the rules use exists in METRICS.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { Subject } from 'rxjs';
import { EndpointStats } from '../../src/core/endpoint/endpoint-stats.js';
import { attachClientMetrics } from '../../src/core/metrics/client-metrics.js';
import { DEFAULT_METRIC_PREFIX, METRICS } from '../../src/index.js';
import { findOnPath } from '../support/redis-binary.js';
import { standaloneClients } from '../support/standalone-clients.js';
import { createLab } from '../support/lab.js';

const dir = join(import.meta.dirname, '..', '..', '..', 'examples', 'observability');
const rules = join(dir, 'redis-resilience-alerts.yml');
const promtool = findOnPath('promtool');
const skip = promtool ? false : 'promtool is not installed (apt-get install prometheus); the promtool checks cannot run';

function run(args: string[], input?: string) {
  const res = spawnSync(promtool!, args, { cwd: dir, input, encoding: 'utf8', timeout: 30_000 });
  return { status: res.status, output: `${res.stdout}${res.stderr}` };
}

/** Every `redis_resilience_*` name a file uses. */
function metricNames(text: string): Set<string> {
  return new Set([...text.matchAll(/\bredis_resilience_[a-z_]+/g)].map((m) => m[0]));
}

const known = new Map<string, string>();
for (const [key, m] of Object.entries(METRICS)) {
  const name = `${DEFAULT_METRIC_PREFIX}${m.name}`;
  known.set(name, key);
  // Histograms (every `_seconds` metric) are queried through their series.
  if (m.name.endsWith('_seconds')) for (const s of ['_bucket', '_sum', '_count']) known.set(name + s, key);
}

describe('observability files and promtool', { timeout: 60_000 }, () => {
  test('every metric name in the dashboard and the rules exists in METRICS; the dashboard shows every metric', () => {
    const dashboard = readFileSync(join(dir, 'redis-resilience-dashboard.json'), 'utf8');
    JSON.parse(dashboard);
    const used = new Set([...metricNames(dashboard), ...metricNames(readFileSync(rules, 'utf8'))]);
    assert.ok(used.size >= 10, `found only ${used.size} names: the extractor is broken`);
    const unknown = [...used].filter((n) => !known.has(n));
    assert.deepEqual(unknown, [], 'names not in src/core/metrics/metric-names.ts');
    const shown = new Set([...metricNames(dashboard)].map((n) => known.get(n)));
    assert.deepEqual(
      Object.keys(METRICS).filter((k) => !shown.has(k)),
      [],
      'metrics the dashboard does not show',
    );
  });

  test('promtool check rules', { skip }, () => {
    const { status, output } = run(['check', 'rules', rules]);
    assert.equal(status, 0, output);
    assert.match(output, /SUCCESS: 6 rules found/);
  });

  test('promtool test rules: recorded failover series and synthetic faults', { skip }, () => {
    const { status, output } = run(['test', 'rules', 'redis-resilience-alerts.test.yml']);
    assert.equal(status, 0, output);
    assert.match(output, /SUCCESS/);
  });

  test('promtool check metrics accepts a real scrape (commands, errors, a breaker cycle)', { skip }, async () => {
    const lab = createLab();
    try {
      const node = await lab.standalone();
      const registry = new Registry();
      const redis = standaloneClients(lab, 'kv', () => node)({}, { registry });
      await redis.connect();
      await Promise.all(Array.from({ length: 50 }, (_, i) => redis.set(`k${i}`, 'v')));
      await redis.lpush('list', 'x');
      await assert.rejects(redis.get('list'), /WRONGTYPE/);
      redis.controlBreaker(`${node.host}:${node.port}`, 'open');
      await assert.rejects(redis.get('k1'));
      redis.controlBreaker(`${node.host}:${node.port}`, 'close');
      await redis.get('k1');
      const scrape = await registry.metrics();
      assert.match(scrape, /redis_resilience_commands_total\{[^}]*outcome="error"/);
      const { status, output } = run(['check', 'metrics'], scrape);
      assert.equal(status, 0, output);
      assert.equal(output.trim(), '', 'no lint problem');
      await redis.close();
    } finally {
      await lab.teardown();
    }
  });

  test('promtool check metrics accepts commands_total with its fallback label beside series without it', { skip }, async () => {
    // The counts a replica keeps while it serves reads for its down primary (the failover
    // suite checks the same on a real SIGSTOP, test/failover/cluster-shard-failover.test.ts).
    const registry = new Registry();
    const stats = new EndpointStats();
    stats.ok = 12;
    stats.primaryDownReads = 5;
    const source = {
      client: 'cache',
      *nodes() {
        yield { node: '127.0.0.1:7001', role: 'replica', stats, breaker: 'closed' as const, ready: true, queueDepth: 0 };
      },
      inFlight: () => 0,
    };
    const detach = attachClientMetrics(source, new Subject(), { registry });
    const scrape = await registry.metrics();
    detach();
    assert.match(scrape, /redis_resilience_commands_total\{[^}]*fallback="primary-down"\} 5/);
    assert.match(scrape, /redis_resilience_commands_total\{[^}]*role="replica",outcome="success",scenario="none"\} 7/);
    const { status, output } = run(['check', 'metrics'], scrape);
    assert.equal(status, 0, output);
    assert.equal(output.trim(), '', 'no lint problem');
  });
});
