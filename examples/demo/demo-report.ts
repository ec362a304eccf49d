/**
 * The demo's results: the shape written to demo-output/, the summary.json builder and the
 * closing table. Pure functions (no Redis), covered by test/integration/demo-report.test.ts.
 */
import { type ClientScenarioDetail, type ClientScenarioSummary, type RawCall, type SuccessBucket, toSummary } from './scenario-metrics.js';

/** A moment worth marking on the chart (fault injected, promotion seen, DNS flipped...). */
export interface Mark {
  label: string;
  /** Seconds since the demo started. */
  tS: number;
  kind: 'fault' | 'server' | 'recovery';
}

/** Everything measured in one scenario. */
export interface ScenarioResult {
  /** Stable id, the key in summary.json (`hung-primary`). */
  name: string;
  /** Human title (`Hung primary: SIGSTOP, SIGCONT later`). */
  title: string;
  deployment: 'cluster' | 'replication' | 'standalone';
  deadlineMs: number;
  startS: number;
  endS: number;
  marks: Mark[];
  /** What the recovery lag is measured against, in words. */
  reference: string;
  /** Per client label (`redis-resilience`, `ioredis`). */
  clients: Record<string, ClientScenarioDetail>;
  /** Success rate per client, for the chart. */
  series: Record<string, SuccessBucket[]>;
  /** Every call per client (timeline.json only): its groups and compact call records. */
  calls?: Record<string, { groups: string[]; calls: RawCall[] }>;
  notes: string[];
  /** Set when a fault step failed (the figures then cover what did happen). */
  error?: string;
}

/** summary.json: per scenario and per client, the five figures. */
export interface DemoSummary {
  generatedAt: string;
  /** `lab`: faults injected in a local lab; `observe`: a real deployment, no faults. */
  run: 'lab' | 'observe';
  clients: string[];
  definitions: Record<keyof ClientScenarioSummary, string>;
  scenarios: Record<string, Record<string, ClientScenarioSummary>>;
}

export const DEFINITIONS: DemoSummary['definitions'] = {
  impactWindowS:
    'seconds from the first affected call issued after the fault to the end of the last one (affected: failed, slower than the deadline + 50 ms, or still pending when the scenario stopped)',
  recoveryLagS:
    'seconds from the server-side promotion (ROLE polled every 20 ms) to the first success followed by 500 ms of successes on the shard that was hit; null: never within the scenario',
  healthyShardErrors: 'failed calls on key groups the fault did not touch (other shards; for replication: reads)',
  callsPastDeadline: 'calls slower than the deadline + 50 ms, plus calls still pending (hung) when the scenario stopped',
  lostWrites: 'keys whose acknowledged value was gone after the scenario (value older than the last acknowledged SET)',
};

/** Builds summary.json from the scenario results. */
export function buildSummary(results: readonly ScenarioResult[], run: DemoSummary['run'], generatedAt = new Date()): DemoSummary {
  const clients = [...new Set(results.flatMap((r) => Object.keys(r.clients)))];
  const scenarios: DemoSummary['scenarios'] = {};
  for (const r of results) {
    scenarios[r.name] = Object.fromEntries(Object.entries(r.clients).map(([client, detail]) => [client, toSummary(detail)]));
  }
  return { generatedAt: generatedAt.toISOString(), run, clients, definitions: DEFINITIONS, scenarios };
}

const fmtS = (s: number | null): string => (s === null ? 'never' : `${s.toFixed(2)} s`);

/**
 * Where `ours` is not ahead of (or level with) `plain`, in words; empty when it is. Besides the
 * five summary figures, compares the calls that got no answer within the deadline.
 */
export function shortfalls(
  ours: ClientScenarioSummary & { affectedCalls?: number },
  plain: ClientScenarioSummary & { affectedCalls?: number },
): string[] {
  const out: string[] = [];
  if (ours.affectedCalls !== undefined && plain.affectedCalls !== undefined && ours.affectedCalls > plain.affectedCalls) {
    out.push(`calls without an answer within the deadline ${ours.affectedCalls} vs ${plain.affectedCalls}`);
  }
  if (ours.impactWindowS > plain.impactWindowS) out.push(`impact window ${fmtS(ours.impactWindowS)} vs ${fmtS(plain.impactWindowS)}`);
  if (ours.recoveryLagS !== null && (plain.recoveryLagS === null ? false : ours.recoveryLagS > plain.recoveryLagS)) {
    out.push(`recovery lag ${fmtS(ours.recoveryLagS)} vs ${fmtS(plain.recoveryLagS)}`);
  }
  if (ours.recoveryLagS === null && plain.recoveryLagS !== null)
    out.push(`never recovered (plain ioredis did after ${fmtS(plain.recoveryLagS)})`);
  if (ours.healthyShardErrors > plain.healthyShardErrors)
    out.push(`healthy-shard errors ${ours.healthyShardErrors} vs ${plain.healthyShardErrors}`);
  if (ours.callsPastDeadline > plain.callsPastDeadline)
    out.push(`calls past deadline ${ours.callsPastDeadline} vs ${plain.callsPastDeadline}`);
  if (ours.lostWrites > plain.lostWrites) out.push(`lost writes ${ours.lostWrites} vs ${plain.lostWrites}`);
  return out;
}

const pad = (text: string, width: number): string => (text.length >= width ? text : text + ' '.repeat(width - text.length));
const padLeft = (text: string, width: number): string => (text.length >= width ? text : ' '.repeat(width - text.length) + text);

/**
 * The closing table: one block per scenario, one row per client, then a verdict line that
 * says plainly where redis-resilience is not ahead.
 */
export function formatTable(results: readonly ScenarioResult[], ours: string, plain: string): string {
  const header = [
    pad('scenario', 24),
    pad('client', 18),
    padLeft('impact', 9),
    padLeft('recovery lag', 14),
    padLeft('healthy-shard', 14),
    padLeft('past deadline', 14),
    padLeft('lost', 8),
    '  calls / affected / errors',
  ].join('');
  const sub = [
    pad('', 24),
    pad('', 18),
    padLeft('window', 9),
    padLeft('vs promotion', 14),
    padLeft('errors', 14),
    padLeft('(hung)', 14),
    padLeft('writes', 8),
  ].join('');
  const lines = [header, sub, '-'.repeat(header.length + 4)];
  for (const r of results) {
    // Without a server-side moment (observe mode) there is nothing to lag behind.
    const hasReference = r.marks.some((m) => m.kind === 'server');
    Object.entries(r.clients).forEach(([client, d], i) => {
      lines.push(
        [
          pad(i === 0 ? r.name : '', 24),
          pad(client, 18),
          padLeft(fmtS(d.impactWindowS), 9),
          padLeft(hasReference ? fmtS(d.recoveryLagS) : 'n/a', 14),
          padLeft(String(d.healthyShardErrors), 14),
          padLeft(`${d.callsPastDeadline} (${d.hung})`, 14),
          padLeft(String(d.lostWrites), 8),
          `  ${d.calls} / ${d.affectedCalls} / ${d.errors}`,
        ].join(''),
      );
    });
    const a = r.clients[ours];
    const b = r.clients[plain];
    if (a && b) {
      const gaps = shortfalls(a, b);
      lines.push(
        gaps.length === 0
          ? `${pad('', 24)}-> ${ours} ahead or level on every figure`
          : `${pad('', 24)}-> ${ours} NOT ahead on: ${gaps.join('; ')}`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}
