/**
 * The bench's result shapes and their printed form. Pure: covered by
 * test/integration/bench-report.test.ts without Redis.
 */
import { type LoopResult, mergeRuns } from './closed-loop.js';

const pad = (text: string | number, width: number): string => String(text).padStart(width);

/** One line per function or category of a CPU profile. */
export interface ProfileLine {
  name: string;
  selfMs: number;
  /** Share of all non-idle samples, percent. */
  percent: number;
}

/** The bench's figures for the "refresh storm" of many clients through one failover. */
export interface StormResult {
  clients: number;
  minRefreshGapMs: number;
  /** Window from the fault to the end of the measurement, s. */
  windowS: number;
  /** CLUSTER SLOTS + CLUSTER SHARDS calls every node saw in the window (INFO commandstats deltas). */
  serverTopologyCalls: number;
  /** Refreshes the clients reported (topology.refreshed + topology.refresh_failed) in the window. */
  clientRefreshes: number;
  failedRefreshes: number;
  /**
   * ROLE calls the servers saw in the window: redis-resilience asks a failing shard's replicas
   * for their role to see a promotion before the next topology refresh.
   */
  serverRoleCalls: number;
  /** The documented bound on refreshes: clients × (window / gap + 1). */
  refreshBound: number;
  /**
   * The same bound in server calls, at one node asked per refresh: a refresh asks one node and
   * only asks the next after 100 ms without an answer (hedging), so a hung node can add calls.
   */
  serverCallBound: number;
  /** Most refreshes one client ran in the window, and that client's own bound. */
  maxRefreshesPerClient: number;
  perClientBound: number;
  /** Shortest gap between the starts of two successful refreshes of one client, ms. */
  minGapSeenMs: number;
  /** Steady state before the fault: topology calls per second the servers saw, and refreshes the clients ran. */
  steadyCallsPerSec: number;
  steadyRefreshesPerSec: number;
  /** New connections the running servers accepted, per second from the fault on. */
  newConnectionsPerSecond: number[];
  /** Reconnects of existing connections (connection.restored) in the window. */
  reconnects: number;
  serverNewConnections: number;
  /** Calls that failed on shards that were not hit, and on the hit one. */
  healthyErrors: number;
  victimErrors: number;
  /** Seconds from the fault to the promotion, and to the last client routing to the new primary. */
  promotionS: number;
  allClientsRecoveredS: number | undefined;
}

// ---- peers: ioredis, redis-resilience and GLIDE in alternating rounds -------------------------

/** One client's figures in one case: the median round's throughput, latency over all rounds. */
export interface ContestantFigures {
  client: string;
  /** Median of the rounds' ops/s. */
  opsPerSec: number;
  roundOpsPerSec: number[];
  p50Us: number;
  p99Us: number;
  /** Process CPU (user + system, every thread: GLIDE's Rust core included) per op, µs. */
  cpuUsPerOp: number;
}

/**
 * Ours ÷ a peer, per round (the two ran back to back in that round). On a shared machine one
 * round in a few is hit by a neighbour's burst, so the verdict reads the middle half of the
 * rounds: `faster` when the lower quartile is ≥ 1, `slower` when the upper quartile is < 1,
 * `parity` when the quartiles straddle 1.0 (within the noise). Min and max are kept too.
 */
export interface RatioFigures {
  ours: string;
  vs: string;
  median: number;
  q1: number;
  q3: number;
  min: number;
  max: number;
  verdict: 'faster' | 'parity' | 'slower';
  /** Peer's CPU per op ÷ ours over all rounds: above 1, ours used less CPU for the same work. */
  cpu: number;
}

/** One workload at one concurrency, every client on it. */
export interface PeerCase {
  section: 'standalone' | 'cluster' | 'cross-slot';
  name: string;
  concurrency: number;
  /** ioredis and ours' auto-pipelining setting; GLIDE always pipelines internally. */
  autoPipelining: boolean | undefined;
  clients: ContestantFigures[];
  ratios: RatioFigures[];
}

/** Quantile `q` (0..1) of `values`, interpolated between neighbours; 0 for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (at - lo);
}

/** Median of `values`; 0 for none. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

const ratio3 = (n: number): number => Math.round(n * 1000) / 1000;

/** A client's figures from its timed rounds. */
export function contestantFigures(client: string, runs: readonly LoopResult[]): ContestantFigures {
  const merged = mergeRuns(runs);
  const perRound = runs.map((r) => (r.elapsedMs > 0 ? Math.round((r.ops / r.elapsedMs) * 1000) : 0));
  return {
    client,
    opsPerSec: Math.round(median(perRound)),
    roundOpsPerSec: perRound,
    p50Us: merged.p50Us,
    p99Us: merged.p99Us,
    cpuUsPerOp: merged.cpuUsPerOp,
  };
}

/** Ours ÷ peer from the same rounds. */
export function roundRatios(ours: ContestantFigures, peer: ContestantFigures): RatioFigures {
  const per = ours.roundOpsPerSec.map((o, i) => o / Math.max(1, peer.roundOpsPerSec[i] ?? 0));
  const q1 = quantile(per, 0.25);
  const q3 = quantile(per, 0.75);
  return {
    ours: ours.client,
    vs: peer.client,
    median: ratio3(median(per)),
    q1: ratio3(q1),
    q3: ratio3(q3),
    min: ratio3(Math.min(...per)),
    max: ratio3(Math.max(...per)),
    verdict: q1 >= 1 ? 'faster' : q3 < 1 ? 'slower' : 'parity',
    cpu: ours.cpuUsPerOp > 0 ? ratio3(peer.cpuUsPerOp / ours.cpuUsPerOp) : 0,
  };
}

const caseLabel = (c: PeerCase): string => `${c.name} c=${c.concurrency}${c.autoPipelining ? ' autopipe' : ''}`;

/** A table of cases that share their client list (one section). */
export function formatPeerCases(cases: readonly PeerCase[]): string {
  const first = cases[0];
  if (!first) return '(no cases)';
  const names = first.clients.map((c) => c.client);
  const ratioNames = first.ratios.map((r) => `${r.ours}÷${r.vs}`);
  const labelWidth = Math.max(24, ...cases.map((c) => caseLabel(c).length + 2));
  const head =
    'case'.padEnd(labelWidth) +
    names.map((n) => pad(`${n} ops/s`, Math.max(12, n.length + 7))).join('') +
    ratioNames.map((n) => pad(n, 36)).join('') +
    pad(`p50 µs ${names.join('/')}`, 26) +
    pad(`p99 µs`, 22) +
    pad(`CPU µs/op`, 20);
  const rows = cases.map((c) => {
    const fig = (name: string): ContestantFigures | undefined => c.clients.find((x) => x.client === name);
    const each = (f: (x: ContestantFigures) => number): string => names.map((n) => String(fig(n) ? f(fig(n)!) : '-')).join(' / ');
    return (
      caseLabel(c).padEnd(labelWidth) +
      names.map((n) => pad(fig(n)?.opsPerSec ?? '-', Math.max(12, n.length + 7))).join('') +
      c.ratios
        .map((r) => pad(`${r.median.toFixed(2)} [${r.q1.toFixed(2)}-${r.q3.toFixed(2)}] ${r.verdict} cpu ${r.cpu.toFixed(2)}`, 36))
        .join('') +
      pad(
        each((x) => x.p50Us),
        26,
      ) +
      pad(
        each((x) => x.p99Us),
        22,
      ) +
      pad(
        each((x) => x.cpuUsPerOp),
        20,
      )
    );
  });
  return [head, '-'.repeat(head.length), ...rows].join('\n');
}

const verdictMark = (r: RatioFigures): string =>
  `${r.median.toFixed(2)} [${r.q1.toFixed(2)}–${r.q3.toFixed(2)}]${r.verdict === 'faster' ? '' : ` ${r.verdict}`}`;

/** The same table as {@link formatPeerCases} in Markdown, for the README. */
export function markdownPeerCases(cases: readonly PeerCase[]): string {
  const first = cases[0];
  if (!first) return '';
  const names = first.clients.map((c) => c.client);
  const head = [
    'case',
    ...names.map((n) => `${n} ops/s`),
    ...first.ratios.map((r) => `${r.ours} ÷ ${r.vs}`),
    ...first.ratios.map((r) => `CPU/op ${r.vs} ÷ ${r.ours}`),
    `p50 µs (${names.join(' / ')})`,
    'p99 µs',
    'CPU µs/op',
  ];
  const rows = cases.map((c) => {
    const fig = (name: string): ContestantFigures | undefined => c.clients.find((x) => x.client === name);
    const each = (f: (x: ContestantFigures) => number): string => names.map((n) => String(fig(n) ? f(fig(n)!) : '–')).join(' / ');
    return [
      caseLabel(c),
      ...names.map((n) => String(fig(n)?.opsPerSec ?? '–')),
      ...c.ratios.map(verdictMark),
      ...c.ratios.map((r) => r.cpu.toFixed(2)),
      each((x) => x.p50Us),
      each((x) => x.p99Us),
      each((x) => x.cpuUsPerOp),
    ];
  });
  return [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}
