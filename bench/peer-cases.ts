/**
 * The workloads of the peer bench, per section:
 *  - standalone: GET and SET at c1 and c50, with and without auto-pipelining;
 *  - cluster (3 primaries, keys spread over every shard): GET, SET and a 50/50 mix at c1, c50
 *    and c200 with and without auto-pipelining, a 10-command pipeline within one slot, and
 *    MGET/MSET of 10 hash-tagged keys;
 *  - cross-slot: MGET of 10 keys in 10 slots, ours split (`crossSlot.split`) against the
 *    per-slot loops a user writes by hand, and GLIDE, which splits such commands itself.
 * GLIDE has no auto-pipelining switch (it pipelines every connection internally): the same
 * GLIDE client runs in the rows with and without it.
 */
import calculateSlot from 'cluster-key-slot';
import type { PeerCase } from './bench-report.js';
import type { BenchClient, PipelineCommand } from './peer-clients.js';
import { type Contestant, type RoundSettings, cycle, runPeerCase } from './peer-rounds.js';

const VALUE = 'x'.repeat(64);
/** 256 keys without hash tags: in cluster mode they spread over every shard. */
export const KEYS: readonly string[] = Array.from({ length: 256 }, (_, i) => `bench:${i}`);
const TAGGED: readonly string[] = Array.from({ length: 10 }, (_, i) => `{multi}:${i}`);
const TAGGED_PAIRS: Readonly<Record<string, string>> = Object.fromEntries(TAGGED.map((k) => [k, VALUE]));
/** 5 SETs and 5 GETs, interleaved, all in the slot of `{pipe}`. */
const PIPELINE: readonly PipelineCommand[] = Array.from({ length: 10 }, (_, i) =>
  i % 2 === 0 ? (['set', `{pipe}:${i}`, VALUE] as const) : (['get', `{pipe}:${i - 1}`] as const),
);
/** 10 keys, each in its own slot (checked in {@link crossSlotKeys}). */
const SPREAD: readonly string[] = Array.from({ length: 10 }, (_, i) => `xslot:${i}`);

export type Workload = 'GET' | 'SET' | 'MIX';

/** The operation of a simple workload on `client`, cycling through {@link KEYS}. */
export function workloadOp(client: BenchClient, name: Workload): () => Promise<unknown> {
  const key = cycle(KEYS);
  if (name === 'GET') return () => client.get(key());
  if (name === 'SET') return () => client.set(key(), VALUE);
  let n = 0;
  return () => (n++ % 2 === 0 ? client.get(key()) : client.set(key(), VALUE));
}

/** Writes every key the workloads read, once, through `client`. */
export async function seed(client: BenchClient): Promise<void> {
  await Promise.all(KEYS.map((k) => client.set(k, VALUE)));
  await client.mset(TAGGED_PAIRS);
  await Promise.all(SPREAD.map((k) => client.set(k, VALUE)));
}

/** The clients of one section: per auto-pipelining setting, ioredis and ours; one GLIDE. */
export interface SectionClients {
  plain: { false: BenchClient; true: BenchClient };
  ours: { false: BenchClient; true: BenchClient };
  glide: BenchClient | undefined;
}

function trio(clients: SectionClients, autoPipelining: boolean, op: (c: BenchClient) => () => Promise<unknown>): Contestant[] {
  const ap = String(autoPipelining) as 'false' | 'true';
  const list = [clients.plain[ap], clients.ours[ap], ...(clients.glide ? [clients.glide] : [])];
  return list.map((client) => ({ client, op: op(client) }));
}

/** Runs the simple workloads of a section; logs one line per case as it completes. */
export async function runSimpleCases(
  section: 'standalone' | 'cluster',
  clients: SectionClients,
  plan: { workloads: readonly Workload[]; concurrency: readonly number[] },
  settings: RoundSettings,
  log: (line: string) => void,
): Promise<PeerCase[]> {
  const cases: PeerCase[] = [];
  for (const name of plan.workloads) {
    for (const concurrency of plan.concurrency) {
      for (const autoPipelining of [false, true]) {
        const c = await runPeerCase(
          { section, name, concurrency, autoPipelining },
          trio(clients, autoPipelining, (cl) => workloadOp(cl, name)),
          settings,
        );
        cases.push(c);
        log(`  ${oneLine(c)}`);
      }
    }
  }
  return cases;
}

/** The cluster-only cases: a one-slot pipeline and hash-tagged multi-key commands, at c50. */
export async function runClusterBatchCases(
  clients: SectionClients,
  settings: RoundSettings,
  log: (line: string) => void,
): Promise<PeerCase[]> {
  const cases: PeerCase[] = [];
  const work: Array<[string, (c: BenchClient) => () => Promise<unknown>]> = [
    ['PIPELINE x10 (one slot)', (c) => () => c.pipeline(PIPELINE)],
    ['MGET x10 (hash tag)', (c) => () => c.mget(TAGGED)],
    ['MSET x10 (hash tag)', (c) => () => c.mset(TAGGED_PAIRS)],
  ];
  for (const [name, op] of work) {
    const c = await runPeerCase({ section: 'cluster', name, concurrency: 50, autoPipelining: false }, trio(clients, false, op), settings);
    cases.push(c);
    log(`  ${oneLine(c)}`);
  }
  return cases;
}

/** The keys of the cross-slot case, grouped by slot, with their positions. */
export function crossSlotKeys(): { keys: readonly string[]; slots: number } {
  return { keys: SPREAD, slots: new Set(SPREAD.map((k) => calculateSlot(k))).size };
}

/** MGET by hand: one MGET per slot, replies put back in the caller's order. */
export async function mgetPerSlot(client: BenchClient, keys: readonly string[], parallel: boolean): Promise<unknown[]> {
  const groups = new Map<number, number[]>();
  keys.forEach((k, i) => {
    const slot = calculateSlot(k);
    const g = groups.get(slot);
    if (g) g.push(i);
    else groups.set(slot, [i]);
  });
  const out: unknown[] = Array.from({ length: keys.length });
  const one = async (idx: number[]): Promise<void> => {
    const values = (await client.mget(idx.map((i) => keys[i]!))) as unknown[];
    idx.forEach((at, j) => (out[at] = values[j]));
  };
  if (parallel) await Promise.all([...groups.values()].map(one));
  else for (const idx of groups.values()) await one(idx);
  return out;
}

const rename = (c: BenchClient, label: string): BenchClient => ({ ...c, label });

/** MGET across 10 slots at c50: ours' split against the hand-written loops and GLIDE. */
export async function runCrossSlotCase(
  clients: { ioredis: BenchClient; ours: BenchClient; oursSplit: BenchClient; glide: BenchClient | undefined },
  settings: RoundSettings,
  log: (line: string) => void,
): Promise<PeerCase> {
  const contestants: Contestant[] = [
    { client: clients.oursSplit, op: () => clients.oursSplit.mget(SPREAD) },
    { client: rename(clients.ioredis, 'ioredis-loop'), op: () => mgetPerSlot(clients.ioredis, SPREAD, false) },
    { client: rename(clients.ioredis, 'ioredis-parallel'), op: () => mgetPerSlot(clients.ioredis, SPREAD, true) },
    { client: rename(clients.ours, 'ours-parallel'), op: () => mgetPerSlot(clients.ours, SPREAD, true) },
    ...(clients.glide ? [{ client: clients.glide, op: () => clients.glide!.mget(SPREAD) }] : []),
  ];
  const c = await runPeerCase(
    { section: 'cross-slot', name: `MGET x10 (${crossSlotKeys().slots} slots)`, concurrency: 50, autoPipelining: false },
    contestants,
    settings,
    [clients.oursSplit.label],
  );
  log(`  ${oneLine(c)}`);
  return c;
}

/** A progress line for a finished case. */
export function oneLine(c: PeerCase): string {
  const label = `${c.name} c=${c.concurrency}${c.autoPipelining ? ' autopipe' : ''}`.padEnd(28);
  const ops = c.clients.map((x) => `${x.client} ${x.opsPerSec}`).join('  ');
  const ratios = c.ratios.map((r) => `${r.ours}/${r.vs} ${r.median.toFixed(3)} (${r.verdict}, cpu ${r.cpu.toFixed(2)})`).join('  ');
  return `${label} ${ops}  |  ${ratios}`;
}
