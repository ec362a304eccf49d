// commands_total{fallback="primary-down"}: the reads a replica served because its primary was
// down, split out of that replica's successes at scrape time; no other series carries the label.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'ioredis';
import { Registry } from 'prom-client';
import { Subject } from 'rxjs';
import type { Endpoint } from '../../../src/core/endpoint/endpoint.js';
import { EndpointStats } from '../../../src/core/endpoint/endpoint-stats.js';
import { EventBus } from '../../../src/core/events/event-bus.js';
import { silentLogger } from '../../../src/index.js';
import { attachClientMetrics } from '../../../src/core/metrics/client-metrics.js';
import { ReplicaReadEpisodes } from '../../../src/core/topology/replica-read-episodes.js';
import { lintExposition } from '../../support/metrics-lint.js';

function source(nodes: Array<{ node: string; role: string; stats: EndpointStats }>) {
  return {
    client: 'c',
    *nodes() {
      for (const n of nodes) yield { ...n, breaker: 'closed' as const, ready: true, queueDepth: 0 };
    },
    inFlight: () => 0,
  };
}

const endpoint = (id: string): Endpoint => ({ id, label: 'shard-0', stats: new EndpointStats() }) as unknown as Endpoint;
const successes = (text: string): string[] =>
  text.split('\n').filter((l) => l.startsWith('redis_resilience_commands_total{') && l.includes('outcome="success"'));

test("a replica's reads for a down primary are their own series; its other successes and the primary's carry no fallback label", async () => {
  const registry = new Registry();
  const primary = new EndpointStats();
  const replica = new EndpointStats();
  primary.ok = 7;
  replica.ok = 10;
  replica.primaryDownReads = 4;
  const nodes = [
    { node: '10.0.0.1:6379', role: 'primary', stats: primary },
    { node: '10.0.0.2:6379', role: 'replica', stats: replica },
  ];
  const detach = attachClientMetrics(source(nodes), new Subject(), { registry });
  const text = await registry.metrics();
  detach();
  assert.deepEqual(lintExposition(text), []);
  assert.deepEqual(successes(text).toSorted(), [
    'redis_resilience_commands_total{client="c",node="10.0.0.1:6379",role="primary",outcome="success",scenario="none"} 7',
    'redis_resilience_commands_total{client="c",node="10.0.0.2:6379",role="replica",outcome="success",scenario="none",fallback="primary-down"} 4',
    'redis_resilience_commands_total{client="c",node="10.0.0.2:6379",role="replica",outcome="success",scenario="none"} 6',
  ]);
});

test('the split never exceeds the successes, and a retired replica folds its fallback reads into node="retired"', async () => {
  const registry = new Registry();
  const replica = new EndpointStats();
  replica.ok = 3;
  replica.primaryDownReads = 5;
  const nodes = [{ node: '10.0.0.2:6379', role: 'replica', stats: replica }];
  const detach = attachClientMetrics(source(nodes), new Subject(), { registry });
  assert.match(await registry.metrics(), /fallback="primary-down"\} 3$/m);
  replica.ok = 9;
  nodes.pop();
  const text = await registry.metrics();
  detach();
  assert.match(text, /node="retired",role="replica",outcome="success",scenario="none",fallback="primary-down"\} 5$/m);
  assert.match(text, /node="retired",role="replica",outcome="success",scenario="none"\} 4$/m);
});

test('ReplicaReadEpisodes counts a rerouted read on the replica once it succeeds there, not when it fails', async () => {
  const bus = new EventBus('c', silentLogger);
  const episodes = new ReplicaReadEpisodes(bus);
  const [primary, replica] = [endpoint('p:1'), endpoint('r:1')];
  const served = new Command('get', ['k']);
  const failed = new Command('get', ['k']);
  episodes.rerouted('shard-0', primary, replica, served);
  episodes.rerouted('shard-0', primary, replica, failed);
  assert.equal(replica.stats.primaryDownReads, 0, 'not before the reply');
  served.resolve('v');
  failed.reject(new Error('LOADING'));
  await Promise.allSettled([served.promise, failed.promise]);
  await new Promise<void>((resolve) => setImmediate(resolve));
  assert.equal(replica.stats.primaryDownReads, 1);
  assert.equal(primary.stats.primaryDownReads, 0);
  assert.deepEqual(
    bus.recent().map((e) => e.type),
    ['replica_reads.started'],
    'one event for the episode, not one per read',
  );
});
