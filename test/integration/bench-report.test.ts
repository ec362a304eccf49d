/**
 * The bench's pure parts: merging rounds, the results.json case shape, the CPU profile summary
 * and the synthetic 500-shard topology. No Redis needed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatCases, toBenchCase } from '../../bench/bench-report.js';
import { mergeRuns, percentile } from '../../bench/closed-loop.js';
import { componentOf, summarizeProfile } from '../../bench/cpu-profile.js';
import { promoteFirstReplica, syntheticClusterSlots } from '../../bench/topology-scale.js';
import { diffTopology, parseClusterSlots } from '../../src/core/topology/cluster-topology.js';

const frame = (id: number, functionName: string, url: string) => ({ id, callFrame: { functionName, url, lineNumber: 9 } });

describe('bench figures', () => {
  test('rounds merge into ops/s, percentiles and CPU per op; the case carries the ratio', { timeout: 5000 }, () => {
    const a = { ops: 4, elapsedMs: 1000, cpuUs: 40, latenciesUs: Float64Array.from([10, 20, 30, 40]) };
    const b = { ops: 4, elapsedMs: 1000, cpuUs: 40, latenciesUs: Float64Array.from([50, 60, 70, 80]) };
    const merged = mergeRuns([a, b]);
    assert.deepEqual(merged, { ops: 8, opsPerSec: 4, p50Us: 50, p99Us: 80, cpuUsPerOp: 10 });
    assert.equal(percentile([], 0.5), 0);
    const c = toBenchCase('GET', 50, true, { ...merged, opsPerSec: 100_000 }, { ...merged, opsPerSec: 95_500 });
    assert.equal(c.ratio, 0.955);
    assert.deepEqual(Object.keys(c), [
      'name',
      'concurrency',
      'autoPipelining',
      'plainOpsPerSec',
      'oursOpsPerSec',
      'ratio',
      'plainP50Us',
      'oursP50Us',
      'plainP99Us',
      'oursP99Us',
      'plainCpuUsPerOp',
      'oursCpuUsPerOp',
    ]);
    assert.match(formatCases([c]), /GET c=50 autopipe\s+100000\s+95500\s+0\.955/);
  });

  test('a CPU profile is summarised per component, idle time left out', { timeout: 5000 }, () => {
    const summary = summarizeProfile({
      nodes: [
        frame(1, '(idle)', ''),
        frame(2, 'run', 'file:///x/.build/src/core/command/command-executor.js'),
        frame(3, 'sendCommand', 'file:///x/node_modules/ioredis/built/Redis.js'),
        frame(4, 'fire', 'file:///x/node_modules/opossum/lib/circuit.js'),
        frame(5, '(garbage collector)', ''),
      ],
      samples: [1, 2, 2, 3, 4, 5],
      timeDeltas: [5000, 1000, 1000, 1000, 500, 500],
    });
    assert.equal(summary.totalMs, 4);
    assert.deepEqual(
      summary.components.map((c) => [c.name, c.selfMs, c.percent]),
      [
        ['redis-resilience', 2, 50],
        ['ioredis', 1, 25],
        ['opossum', 0.5, 12.5],
        ['GC', 0.5, 12.5],
      ],
    );
    assert.equal(summary.functions[0]!.name, 'run command-executor.js:10 [redis-resilience]');
    assert.equal(componentOf('node:internal/timers', 'insert'), 'Node internals');
    assert.equal(componentOf('file:///x/node_modules/prom-client/lib/counter.js', 'inc'), 'prom-client');
  });

  test('the synthetic 500-shard CLUSTER SLOTS reply covers every slot, and a promotion shows in the diff', { timeout: 10_000 }, () => {
    const reply = syntheticClusterSlots(500);
    const source = { host: '127.0.0.1', port: 7000 };
    const before = parseClusterSlots(reply, source);
    assert.equal(before.shards.length, 500);
    assert.equal(before.uncovered, 0);
    assert.ok(before.shards.every((s) => s.replicas.length === 1));
    assert.ok(reply.flatMap(([, , ...nodes]) => nodes).every(([host]) => host.startsWith('127.')), 'loopback addresses only');
    const after = parseClusterSlots(promoteFirstReplica(reply, 250), source);
    const diff = diffTopology(before, after);
    assert.equal(diff.changed, true);
    assert.equal(diff.promoted.length, 1);
    assert.equal(diffTopology(before, parseClusterSlots(reply, source)).changed, false);
  });
});
