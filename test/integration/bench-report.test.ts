/**
 * The bench's pure parts: merging rounds, the per-round medians and ratios behind the peer
 * table (and its parity verdict), the round order, the hand-written per-slot MGET the split is
 * compared with, the CPU profile summary and the synthetic 500-shard topology. No Redis needed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { contestantFigures, formatPeerCases, markdownPeerCases, median, quantile, roundRatios } from '../../bench/bench-report.js';
import { mergeRuns, percentile } from '../../bench/closed-loop.js';
import { componentOf, summarizeProfile } from '../../bench/cpu-profile.js';
import { slope } from '../../bench/memory-bench.js';
import { crossSlotKeys, mgetPerSlot } from '../../bench/peer-cases.js';
import type { BenchClient } from '../../bench/peer-clients.js';
import { roundOrder } from '../../bench/peer-rounds.js';
import { promoteFirstReplica, syntheticClusterSlots } from '../../bench/topology-scale.js';
import { diffTopology, parseClusterSlots } from '../../src/core/topology/cluster-topology.js';

const frame = (id: number, functionName: string, url: string) => ({ id, callFrame: { functionName, url, lineNumber: 9 } });

const fig = (client: string, rounds: number[]) => ({
  client,
  opsPerSec: median(rounds),
  roundOpsPerSec: rounds,
  p50Us: 1,
  p99Us: 2,
  cpuUsPerOp: 3,
});

describe('bench figures', () => {
  test('rounds merge into percentiles and CPU per op; throughput is the median round', { timeout: 5000 }, () => {
    const a = { ops: 4, elapsedMs: 1000, cpuUs: 40, latenciesUs: Float64Array.from([10, 20, 30, 40]) };
    const b = { ops: 4, elapsedMs: 1000, cpuUs: 40, latenciesUs: Float64Array.from([50, 60, 70, 80]) };
    assert.deepEqual(mergeRuns([a, b]), { ops: 8, opsPerSec: 4, p50Us: 50, p99Us: 80, cpuUsPerOp: 10 });
    assert.equal(percentile([], 0.5), 0);
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
    assert.equal(quantile([1, 2, 3, 4, 5], 0.25), 2);
    assert.equal(median([]), 0);
    const slow = { ops: 100, elapsedMs: 1000, cpuUs: 1000, latenciesUs: new Float64Array(100).fill(5) };
    const fast = { ops: 300, elapsedMs: 1000, cpuUs: 1000, latenciesUs: new Float64Array(300).fill(5) };
    // One slow round (a neighbour's burst) does not drag the median down as a mean would.
    const f = contestantFigures('ours', [fast, slow, fast]);
    assert.deepEqual(f.roundOpsPerSec, [300, 100, 300]);
    assert.equal(f.opsPerSec, 300);
  });

  test(
    'ours ÷ peer is taken per round; when the middle half of the rounds straddles 1.0 it is parity, not a win',
    { timeout: 5000 },
    () => {
      const ours = fig('ours', [110, 95, 120]);
      assert.deepEqual(roundRatios(ours, fig('ioredis', [100, 100, 100])), {
        ours: 'ours',
        vs: 'ioredis',
        median: 1.1,
        q1: 1.025,
        q3: 1.15,
        min: 0.95,
        max: 1.2,
        verdict: 'faster',
        cpu: 1,
      });
      // One round in five hit by a neighbour does not decide; two in four below 1.0 do.
      assert.equal(roundRatios(fig('ours', [110, 112, 40, 108, 111]), fig('ioredis', [100, 100, 100, 100, 100])).verdict, 'faster');
      assert.equal(roundRatios(fig('ours', [110, 95, 96, 108]), fig('ioredis', [100, 100, 100, 100])).verdict, 'parity');
      assert.equal(roundRatios(ours, fig('glide', [50, 50, 50])).verdict, 'faster');
      assert.equal(roundRatios(ours, fig('glide', [200, 200, 200])).verdict, 'slower');
      assert.equal(
        roundRatios({ ...ours, cpuUsPerOp: 8 }, { ...fig('glide', [1]), cpuUsPerOp: 16 }).cpu,
        2,
        'GLIDE used twice the CPU per op',
      );
      const table = formatPeerCases([
        {
          section: 'cluster',
          name: 'GET',
          concurrency: 50,
          autoPipelining: true,
          clients: [fig('ioredis', [100, 100, 100]), ours],
          ratios: [roundRatios(ours, fig('ioredis', [100, 100, 100]))],
        },
      ]);
      assert.match(table, /GET c=50 autopipe\s+100\s+110\s+1\.10 \[1\.02-1\.15\] faster cpu 1\.00/);
      assert.match(table.split('\n')[0]!, /ours÷ioredis/);
      const md = markdownPeerCases([
        {
          section: 'cluster',
          name: 'GET',
          concurrency: 1,
          autoPipelining: false,
          clients: [fig('ioredis', [100, 100, 100]), ours],
          ratios: [roundRatios(ours, fig('ioredis', [90, 90, 90]))],
        },
      ]).split('\n');
      assert.equal(
        md[0],
        '| case | ioredis ops/s | ours ops/s | ours ÷ ioredis | CPU/op ioredis ÷ ours | p50 µs (ioredis / ours) | p99 µs | CPU µs/op |',
      );
      assert.equal(md[2], '| GET c=1 | 100 | 110 | 1.22 [1.14–1.28] | 1.00 | 1 / 1 | 2 / 2 | 3 / 3 |');
    },
  );

  test('heap growth is the least-squares slope: a late collection does not read as a trend', { timeout: 5000 }, () => {
    assert.equal(slope([10, 20, 30, 40]), 10);
    assert.equal(slope([5]), 0);
    // A 2 MiB drop halfway through (something else freed) against a flat series.
    const flat = [16, 16, 16, 16, 14, 14, 14, 14].map((m) => m * 1048576);
    assert.ok(slope(flat) < 0);
    const leak = Array.from({ length: 10 }, (_, i) => 16 * 1048576 + i * 10 * 4096);
    assert.equal(Math.round(slope(leak) / 10), 4096, '4 KiB per refresh, sampled every 10');
  });

  test('the round order rotates and reverses, so no client always runs first or last', { timeout: 5000 }, () => {
    const orders = [0, 1, 2, 3, 4, 5].map((r) => roundOrder(3, r));
    for (const o of orders) assert.deepEqual([...o].sort(), [0, 1, 2]);
    assert.deepEqual(new Set(orders.map((o) => o[0])), new Set([0, 1, 2]));
    assert.deepEqual(new Set(orders.map((o) => o[2])), new Set([0, 1, 2]));
  });

  test('the hand-written per-slot MGET sends one MGET per slot and puts replies back in order', { timeout: 5000 }, async () => {
    const { keys, slots } = crossSlotKeys();
    assert.equal(slots, 10, 'the cross-slot case spans 10 slots');
    for (const parallel of [false, true]) {
      const calls: string[][] = [];
      const fake = { mget: async (k: readonly string[]) => (calls.push([...k]), k.map((x) => `v:${x}`)) } as unknown as BenchClient;
      assert.deepEqual(
        await mgetPerSlot(fake, keys, parallel),
        keys.map((k) => `v:${k}`),
      );
      assert.equal(calls.length, 10);
    }
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
    assert.ok(
      reply.flatMap(([, , ...nodes]) => nodes).every(([host]) => host.startsWith('127.')),
      'loopback addresses only',
    );
    const after = parseClusterSlots(promoteFirstReplica(reply, 250), source);
    const diff = diffTopology(before, after);
    assert.equal(diff.changed, true);
    assert.equal(diff.promoted.length, 1);
    assert.equal(diffTopology(before, parseClusterSlots(reply, source)).changed, false);
  });
});
