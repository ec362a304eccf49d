/**
 * Shared set-up of the replication failover tests: a pair behind the lab DNS server, a
 * resilient client on the endpoint NAMES, steady open-loop write and read load, and a
 * side-by-side printout of what callers felt.
 */
import { recordedClient } from '../support/recorded-client.js';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { type ResilienceEvent, type ResilientRedis, type ReplicationOptions } from '../../src/index.js';
import { type GroupReport, LoadProbe, type ProbeClient } from '../support/load-probe.js';
import type { DnsServer, Lab, ReplicationLab, ReplicationLabOptions } from '../support/lab.js';

/** Calls per second in each of the 'writes' and 'reads' groups. */
export const RATE = 100;

export interface Scenario {
  dns: DnsServer;
  pair: ReplicationLab;
  client: ResilientRedis;
  events: ResilienceEvent[];
  /** The deadline the client promises (its total timeout), ms. */
  deadlineMs: number;
}

/** Starts a pair (record TTL 15 s) and a resilient client connected by the endpoint names. */
export async function startScenario(
  lab: Lab,
  pairOptions: Omit<ReplicationLabOptions, 'dns'> = {},
  clientOptions: Partial<ReplicationOptions> = {},
): Promise<Scenario> {
  const dns = await lab.dns();
  const pair = await lab.replicationPair({ ttl: 15, ...pairOptions, dns });
  // A managed endpoint keeps its port while its address moves; the lab mirrors that.
  assert.equal(pair.replica.port, pair.primary.port, 'the lab could not give both nodes one port number');
  const { client, events } = recordedClient(lab, {
    name: 'repl-failover',
    mode: 'replication',
    primary: { host: pair.primaryName, port: pair.primary.port },
    reader: { host: pair.readerName, port: pair.replica.port },
    dns: { servers: [dns.server] },
    ...clientOptions,
  } as ReplicationOptions);
  await client.connect();
  return { dns, pair, client, events, deadlineMs: client.resolved.policy.totalTimeoutMs };
}

/** One 'writes' probe (SET only) and one 'reads' probe (GET only) on a client. */
export interface Load {
  writes: LoadProbe;
  reads: LoadProbe;
  start(): void;
  /** Stops both; returns calls that never settled. */
  stop(): Promise<number>;
}

/** Steady load on `client` over keys under `prefix`; read keys are written first. */
export async function createLoad(client: ProbeClient, prefix: string, deadlineMs: number): Promise<Load> {
  const keys = (kind: string) => Array.from({ length: 50 }, (_, i) => `${prefix}:${kind}:${i}`);
  for (const key of keys('r')) await client.set(key, '0');
  const writes = new LoadProbe({ client, groups: [{ name: 'writes', keys: keys('w') }], mix: 'write', ratePerGroup: RATE, deadlineMs });
  const reads = new LoadProbe({ client, groups: [{ name: 'reads', keys: keys('r') }], mix: 'read', ratePerGroup: RATE, deadlineMs });
  return {
    writes,
    reads,
    start() {
      writes.start();
      reads.start();
    },
    async stop() {
      const hung = await Promise.all([writes.stop(), reads.stop()]);
      return hung[0] + hung[1];
    },
  };
}

/** Waits until `monoMs` (performance.now()): the fixed-length phases of a scenario's script. */
export async function until(monoMs: number): Promise<void> {
  const wait = monoMs - performance.now();
  if (wait > 0) await delay(wait);
}

/** Errors whose code or message mentions READONLY (directly or as the scenario behind it). */
export function readonlyErrors(probe: LoadProbe): number {
  return probe.records.filter((r) => !r.ok && /READONLY/i.test(r.error ?? '')).length;
}

export interface Column {
  label: string;
  writes: GroupReport;
  reads: GroupReport;
  readonly: number;
  lost: number | undefined;
  hung: number;
}

const fmt = (v: number | undefined): string => (v === undefined ? 'never' : String(v));
const codes = (r: GroupReport): string =>
  Object.entries(r.errorsByCode)
    .map(([c, n]) => `${c}×${n}`)
    .join(' ') || '-';

/** Prints the figures of one or more clients side by side (in the test output, for the report). */
export function printSideBySide(title: string, columns: Column[]): void {
  const rows: Array<[string, (c: Column) => string]> = [
    ['writes: calls', (c) => String(c.writes.calls)],
    ['writes: errors', (c) => String(c.writes.errors)],
    ['writes: READONLY errors', (c) => String(c.readonly)],
    ['writes: error codes', (c) => codes(c.writes)],
    ['writes: recovery lag (ms)', (c) => fmt(c.writes.recoveryLagMs)],
    ['writes: impact window (ms)', (c) => String(c.writes.impactWindowMs)],
    ['writes: p50 / p99 / max (ms)', (c) => `${c.writes.p50Ms} / ${c.writes.p99Ms} / ${c.writes.maxMs}`],
    ['writes: past deadline', (c) => String(c.writes.pastDeadline)],
    ['writes: acknowledged but lost', (c) => (c.lost === undefined ? 'not checked' : String(c.lost))],
    ['reads: calls', (c) => String(c.reads.calls)],
    ['reads: errors', (c) => String(c.reads.errors)],
    ['reads: error codes', (c) => codes(c.reads)],
    ['reads: p50 / p99 / max (ms)', (c) => `${c.reads.p50Ms} / ${c.reads.p99Ms} / ${c.reads.maxMs}`],
    ['reads: past deadline', (c) => String(c.reads.pastDeadline)],
    ['calls never settled', (c) => String(c.hung)],
  ];
  const width = Math.max(...rows.map(([r]) => r.length)) + 2;
  const colWidth = Math.max(18, ...columns.flatMap((c) => [c.label, ...rows.map(([, get]) => get(c))].map((v) => v.length + 2)));
  const lines = [`\n=== ${title} ===`, ''.padEnd(width) + columns.map((c) => c.label.padEnd(colWidth)).join('')];
  for (const [name, get] of rows) lines.push(name.padEnd(width) + columns.map((c) => get(c).padEnd(colWidth)).join(''));
  console.log(lines.join('\n'));
}

/** The one `endpoint.changed` event of `name` with `cause`, if any. */
export function changeOf(events: ResilienceEvent[], name: string, cause?: string) {
  return events.find(
    (e): e is Extract<ResilienceEvent, { type: 'endpoint.changed' }> =>
      e.type === 'endpoint.changed' && e.name === name && (cause === undefined || e.cause === cause),
  );
}
