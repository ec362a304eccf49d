/**
 * The demo's pure parts: per-scenario figures from call records, summary.json, the closing
 * table, chart.svg and the command line. No Redis needed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderChart } from '../../examples/demo/chart-svg.js';
import { parseDemoArgs } from '../../examples/demo/demo-args.js';
import { type ScenarioResult, buildSummary, formatTable, shortfalls } from '../../examples/demo/demo-report.js';
import { type ClientScenarioDetail, rawCalls, successSeries, summarizeClient } from '../../examples/demo/scenario-metrics.js';
import { errorKind } from '../../examples/demo/tracked-client.js';
import type { CallRecord, GroupReport } from '../support/load-probe.js';

const ok = (group: string, start: number, ms: number): CallRecord => ({ group, op: 'get', start, end: start + ms, ok: true });
const failed = (group: string, start: number, ms: number, error = 'ERR_CIRCUIT_OPEN'): CallRecord => ({
  group,
  op: 'set',
  start,
  end: start + ms,
  ok: false,
  error,
});
const report = (group: string, recoveryLagMs: number | undefined): GroupReport => ({
  group,
  calls: 0,
  errors: 0,
  errorsByCode: {},
  p50Ms: 0,
  p99Ms: 0,
  maxMs: 0,
  impactWindowMs: 0,
  pastDeadline: 0,
  hung: 0,
  recoveryLagMs,
});

describe('scenario figures', () => {
  test('impact window, healthy-shard errors, calls past deadline and hung calls', { timeout: 5000 }, () => {
    const records = [
      ok('victim', 900, 1),
      failed('victim', 1000, 500, 'ERR_COMMAND_TIMEOUT'),
      failed('victim', 1500, 1),
      ok('victim', 2600, 3000), // slower than the 2000 ms deadline: affected, and past deadline
      ok('healthy', 1000, 1),
      failed('healthy', 1200, 1, 'ERR_RETRIES_EXHAUSTED'),
      failed('victim', 100, 1), // before the fault: not part of the impact window
    ];
    const detail = summarizeClient({
      records,
      hung: [{ key: 'k', group: 'victim', start: 2000 }],
      reports: [report('victim', 250), report('healthy', 0)],
      victimGroups: ['victim'],
      faultAt: 1000,
      stoppedAt: 7000,
      deadlineMs: 2000,
      lostWriteKeys: ['k1: acked 5, found 3'],
      acknowledgedWrites: 10,
      errorKinds: new Map([['healthy', new Map([['ERR_RETRIES_EXHAUSTED/clusterdown', 1]])]]),
    });
    // First affected call started at 1000; the hung one "ends" when the scenario stopped (7000).
    assert.equal(detail.impactWindowS, 6);
    assert.equal(detail.recoveryLagS, 0.25);
    assert.equal(detail.healthyShardErrors, 1);
    assert.equal(detail.callsPastDeadline, 2, 'one slow call and one hung call');
    assert.equal(detail.hung, 1);
    assert.equal(detail.errors, 4);
    assert.equal(detail.affectedCalls, 6, 'four failed (one before the fault), one slow, one hung');
    assert.equal(detail.lostWrites, 1);
    assert.deepEqual(detail.healthyErrorKinds, { 'ERR_RETRIES_EXHAUSTED/clusterdown': 1 });
    assert.deepEqual(detail.victimErrorKinds, {});
  });

  test('a victim group that never recovered has no recovery lag', { timeout: 5000 }, () => {
    const detail = summarizeClient({
      records: [failed('writes', 1000, 1)],
      hung: [],
      reports: [report('writes', undefined), report('reads', 0)],
      victimGroups: ['writes'],
      faultAt: 1000,
      stoppedAt: 2000,
      deadlineMs: 3000,
      lostWriteKeys: [],
      acknowledgedWrites: 0,
    });
    assert.equal(detail.recoveryLagS, null);
    assert.equal(detail.impactWindowS, 0, 'a single instant failure has no width');
    assert.equal(detail.healthyShardErrors, 0);
  });

  test('success series buckets calls by issue time and counts hung calls as failures', { timeout: 5000 }, () => {
    const series = successSeries(
      [ok('a', 100, 1), ok('a', 200, 5000), failed('a', 700, 1)],
      [{ key: 'k', group: 'a', start: 300 }],
      0,
      2000,
      500,
    );
    assert.deepEqual(series, [
      { tS: 0, issued: 3, good: 1 },
      { tS: 0.5, issued: 1, good: 0 },
    ]);
  });

  test('raw calls are compact and sorted by issue time, hung ones marked', { timeout: 5000 }, () => {
    const calls = rawCalls(
      [ok('b', 1500, 2.5), failed('a', 1200, 1, 'ERR_CIRCUIT_OPEN')],
      [{ key: 'k', group: 'a', start: 1300 }],
      ['a', 'b'],
      1000,
    );
    assert.deepEqual(calls, [
      [0.2, 1, 0, 'ERR_CIRCUIT_OPEN'],
      [0.3, null, 0, 'HUNG'],
      [0.5, 2.5, 1, 0],
    ]);
  });

  test('error kinds keep the failure scenario of redis-resilience errors', { timeout: 5000 }, () => {
    assert.equal(
      errorKind(Object.assign(new Error('x'), { code: 'ERR_RETRIES_EXHAUSTED', scenario: 'clusterdown' })),
      'ERR_RETRIES_EXHAUSTED/clusterdown',
    );
    assert.equal(errorKind(new Error("READONLY You can't write against a read only replica.")), "READONLY You can't write");
  });
});

const detail = (overrides: Partial<ClientScenarioDetail>): ClientScenarioDetail => ({
  impactWindowS: 1,
  recoveryLagS: 0.1,
  healthyShardErrors: 0,
  callsPastDeadline: 0,
  lostWrites: 0,
  calls: 100,
  affectedCalls: 10,
  errors: 10,
  errorsByCode: {},
  hung: 0,
  slowCalls: 0,
  p99Ms: 5,
  maxMs: 9,
  acknowledgedWrites: 50,
  lostWriteKeys: [],
  healthyErrorKinds: {},
  victimErrorKinds: {},
  ...overrides,
});

const scenario = (name: string, ours: ClientScenarioDetail, plain: ClientScenarioDetail): ScenarioResult => ({
  name,
  title: `${name} <&> title`,
  deployment: 'cluster',
  deadlineMs: 2000,
  startS: 0,
  endS: 10,
  marks: [
    { label: 'SIGSTOP', kind: 'fault', tS: 2 },
    { label: 'promoted', kind: 'server', tS: 5 },
  ],
  reference: 'promotion',
  clients: { 'redis-resilience': ours, ioredis: plain },
  series: {
    'redis-resilience': [
      { tS: 0, issued: 10, good: 10 },
      { tS: 0.5, issued: 10, good: 5 },
    ],
    ioredis: [{ tS: 0, issued: 10, good: 2 }],
  },
  notes: [],
});

describe('summary, table and chart', () => {
  test('summary.json holds exactly the five figures per scenario and client', { timeout: 5000 }, () => {
    const summary = buildSummary(
      [scenario('hung-primary', detail({}), detail({ impactWindowS: 5, callsPastDeadline: 300 }))],
      'lab',
      new Date(0),
    );
    assert.deepEqual(Object.keys(summary.scenarios), ['hung-primary']);
    assert.deepEqual(summary.clients, ['redis-resilience', 'ioredis']);
    assert.deepEqual(summary.scenarios['hung-primary']!.ioredis, {
      impactWindowS: 5,
      recoveryLagS: 0.1,
      healthyShardErrors: 0,
      callsPastDeadline: 300,
      lostWrites: 0,
    });
    assert.deepEqual(Object.keys(summary.scenarios['hung-primary']!['redis-resilience']!).sort(), [
      'callsPastDeadline',
      'healthyShardErrors',
      'impactWindowS',
      'lostWrites',
      'recoveryLagS',
    ]);
    assert.equal(summary.generatedAt, '1970-01-01T00:00:00.000Z');
  });

  test('the table says plainly where redis-resilience is not ahead', { timeout: 5000 }, () => {
    const behind = scenario('crashed-primary', detail({ healthyShardErrors: 67 }), detail({}));
    const ahead = scenario('hung-primary', detail({}), detail({ impactWindowS: 5 }));
    const text = formatTable([ahead, behind], 'redis-resilience', 'ioredis');
    assert.match(text, /hung-primary[\s\S]*ahead or level on every figure/);
    assert.match(text, /NOT ahead on: healthy-shard errors 67 vs 0/);
    assert.deepEqual(shortfalls(detail({ affectedCalls: 250 }), detail({ affectedCalls: 150 })), [
      'calls without an answer within the deadline 250 vs 150',
    ]);
    assert.deepEqual(shortfalls(detail({ recoveryLagS: null }), detail({ recoveryLagS: 2 })), [
      'never recovered (plain ioredis did after 2.00 s)',
    ]);
    assert.deepEqual(shortfalls(detail({ recoveryLagS: 0.1 }), detail({ recoveryLagS: null })), []);
  });

  test('the table shows n/a for recovery lag when nothing was promoted (observe mode)', { timeout: 5000 }, () => {
    const observe = { ...scenario('observe', detail({ recoveryLagS: null }), detail({ recoveryLagS: null })), marks: [] };
    assert.match(formatTable([observe], 'redis-resilience', 'ioredis'), /observe\s+redis-resilience\s+1\.00 s\s+n\/a/);
  });

  test('chart.svg has one line per client, every mark, and escaped text', { timeout: 5000 }, () => {
    const svg = renderChart([scenario('hung-primary', detail({}), detail({}))], 'demo <chart>');
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /<\/svg>\n$/);
    assert.equal(svg.match(/<path /g)?.length, 2);
    assert.match(svg, /d="M[\d.]+,[\d.]+ L[\d.]+,[\d.]+"/, 'two buckets make one segment');
    assert.match(svg, />SIGSTOP</);
    assert.match(svg, />promoted</);
    assert.match(svg, /demo &lt;chart&gt;/);
    assert.doesNotMatch(svg.replaceAll(/&(amp|lt|gt|quot|apos);/g, ''), /&/, 'no raw ampersand');
  });
});

describe('demo command line', () => {
  test('parses observe mode and rejects nonsense', { timeout: 5000 }, () => {
    assert.deepEqual(parseDemoArgs(['--endpoint', 'redis.internal:6380', '--mode', 'replication', '--duration', '30']), {
      endpoint: { host: 'redis.internal', port: 6380 },
      mode: 'replication',
      durationS: 30,
      tls: false,
      outDir: 'demo-output',
      help: false,
    });
    assert.equal(parseDemoArgs([]).endpoint, undefined);
    assert.throws(() => parseDemoArgs(['--endpoint', 'host:notaport']), /host:port/);
    assert.throws(() => parseDemoArgs(['--mode', 'cluster']), /only applies with --endpoint/);
    assert.throws(() => parseDemoArgs(['--endpoint', 'h:1', '--mode', 'sentinel']), /--mode must be/);
    assert.throws(() => parseDemoArgs(['--frobnicate']), /unknown argument/);
  });
});
