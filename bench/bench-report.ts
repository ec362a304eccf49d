/**
 * The bench's result shapes and their printed form. Pure: covered by
 * test/integration/bench-report.test.ts without Redis.
 */
import type { MergedResult } from './closed-loop.js';

/** One overhead case as written to bench-output/results.json. */
export interface BenchCase {
  name: string;
  concurrency: number;
  autoPipelining: boolean;
  plainOpsPerSec: number;
  oursOpsPerSec: number;
  /** ours / plain throughput. */
  ratio: number;
  plainP50Us: number;
  oursP50Us: number;
  plainP99Us: number;
  oursP99Us: number;
  plainCpuUsPerOp: number;
  oursCpuUsPerOp: number;
}

/** Builds a case from the merged rounds of both clients. */
export function toBenchCase(name: string, concurrency: number, autoPipelining: boolean, plain: MergedResult, ours: MergedResult): BenchCase {
  return {
    name,
    concurrency,
    autoPipelining,
    plainOpsPerSec: plain.opsPerSec,
    oursOpsPerSec: ours.opsPerSec,
    ratio: plain.opsPerSec > 0 ? Math.round((ours.opsPerSec / plain.opsPerSec) * 1000) / 1000 : 0,
    plainP50Us: plain.p50Us,
    oursP50Us: ours.p50Us,
    plainP99Us: plain.p99Us,
    oursP99Us: ours.p99Us,
    plainCpuUsPerOp: plain.cpuUsPerOp,
    oursCpuUsPerOp: ours.cpuUsPerOp,
  };
}

const pad = (text: string | number, width: number): string => String(text).padStart(width);

/** The overhead table, one row per case. */
export function formatCases(cases: readonly BenchCase[]): string {
  const head = `${'case'.padEnd(28)}${pad('plain ops/s', 12)}${pad('ours ops/s', 12)}${pad('ratio', 8)}${pad('p50 µs', 15)}${pad('p99 µs', 17)}${pad('CPU µs/op', 15)}`;
  const sub = `${''.padEnd(28)}${pad('', 12)}${pad('', 12)}${pad('', 8)}${pad('plain / ours', 15)}${pad('plain / ours', 17)}${pad('plain / ours', 15)}`;
  const rows = cases.map(
    (c) =>
      `${`${c.name} c=${c.concurrency}${c.autoPipelining ? ' autopipe' : ''}`.padEnd(28)}${pad(c.plainOpsPerSec, 12)}${pad(c.oursOpsPerSec, 12)}${pad(c.ratio.toFixed(3), 8)}` +
      `${pad(`${c.plainP50Us} / ${c.oursP50Us}`, 15)}${pad(`${c.plainP99Us} / ${c.oursP99Us}`, 17)}${pad(`${c.plainCpuUsPerOp} / ${c.oursCpuUsPerOp}`, 15)}`,
  );
  return [head, sub, '-'.repeat(head.length), ...rows].join('\n');
}

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
