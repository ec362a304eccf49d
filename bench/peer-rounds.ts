/**
 * Runs one workload on several clients in alternating rounds: round r starts at a different
 * client and every other round runs backwards (A B C, C B A, B C A, A C B, ...), so that load
 * from other processes on a shared machine hits every client alike. One client at a time.
 */
import { type ContestantFigures, type PeerCase, contestantFigures, roundRatios } from './bench-report.js';
import { type LoopResult, runClosedLoop } from './closed-loop.js';
import type { BenchClient } from './peer-clients.js';

/** Round settings, shared by every case of a run. */
export interface RoundSettings {
  /** Timed rounds per client per case (the median is reported). */
  rounds: number;
  /** Length of one timed round, ms. */
  roundMs: number;
  /** Untimed load per client before the first round, ms. */
  warmupMs: number;
}

/** A client and the operation it runs in this case. */
export interface Contestant {
  client: BenchClient;
  op: () => Promise<unknown>;
}

/** The order of round `round` over `n` clients. */
export function roundOrder(n: number, round: number): number[] {
  const order = Array.from({ length: n }, (_, i) => (i + (round >> 1)) % n);
  return round % 2 === 1 ? order.reverse() : order;
}

/** Times every contestant; ratios are `ours` against each other client. */
export async function runPeerCase(
  meta: Omit<PeerCase, 'clients' | 'ratios'>,
  contestants: readonly Contestant[],
  settings: RoundSettings,
  ours: readonly string[] = ['ours'],
): Promise<PeerCase> {
  for (const c of contestants) await runClosedLoop(c.op, meta.concurrency, settings.warmupMs);
  const runs: LoopResult[][] = contestants.map(() => []);
  for (let round = 0; round < settings.rounds; round++) {
    for (const i of roundOrder(contestants.length, round)) {
      const c = contestants[i]!;
      runs[i]!.push(await runClosedLoop(c.op, meta.concurrency, settings.roundMs));
      await c.client.betweenRounds();
    }
  }
  const clients: ContestantFigures[] = contestants.map((c, i) => contestantFigures(c.client.label, runs[i]!));
  const ratios = clients
    .filter((c) => ours.includes(c.client))
    .flatMap((o) => clients.filter((p) => !ours.includes(p.client)).map((p) => roundRatios(o, p)));
  return { ...meta, clients, ratios };
}

/** Cycles through `keys`: the same sequence for every client. */
export function cycle<T>(items: readonly T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length]!;
}
