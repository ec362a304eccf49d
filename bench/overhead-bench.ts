/**
 * Overhead of redis-resilience over plain ioredis on the hot path, in one process and one run:
 * GET and SET at concurrency 1 and 50, with and without auto-pipelining, in alternating rounds
 * (A B B A A B) so that drift from other work on the machine hits both clients alike.
 *
 * redis-resilience runs as an app would run it: breakers on, metrics on a prom-client
 * Registry (scraped after each round), and a subscriber on events$.
 */
import { Cluster, Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { type ResilientRedis, createResilientRedis, silentLogger } from '../src/index.js';
import type { Lab } from '../test/support/lab.js';
import { type BenchCase, toBenchCase } from './bench-report.js';
import { type LoopResult, mergeRuns, runClosedLoop } from './closed-loop.js';

export type OverheadTarget = 'standalone' | 'cluster';

export interface OverheadOptions {
  /** For the report only: where the pairs' servers are. */
  target: OverheadTarget;
  /** Length of one timed round, ms. */
  roundMs: number;
  /** Timed rounds per client per case. */
  rounds: number;
  /** Untimed load per client before each case, ms. */
  warmupMs: number;
  log(line: string): void;
}

export interface OverheadResult {
  target: string;
  cases: BenchCase[];
  /** Whether ours' connections really had ioredis auto-pipelining on when asked for it. */
  oursAutoPipeliningEffective: boolean;
}

/** Same hash tag so that cluster mode routes every call to one shard. */
const KEY = '{bench}:key';
const VALUE = 'x'.repeat(64);

/** Plain ioredis and redis-resilience on the same servers. */
export interface Pair {
  plain: Redis | Cluster;
  ours: ResilientRedis;
  registry: Registry;
}

/** Where the servers are: one standalone node, or the cluster's seeds. */
export type TargetAddress = { kind: 'standalone'; node: { host: string; port: number } } | { kind: 'cluster'; seeds: { host: string; port: number }[] };

/** Starts the servers of `target` in the lab. */
export async function startTarget(lab: Lab, target: OverheadTarget): Promise<TargetAddress> {
  if (target === 'standalone') {
    const node = await lab.standalone();
    return { kind: 'standalone', node: { host: node.host, port: node.port } };
  }
  return { kind: 'cluster', seeds: (await lab.cluster()).seeds() };
}

/** Plain ioredis and redis-resilience on the same servers, with one auto-pipelining setting. */
export async function makePair(lab: Lab, target: TargetAddress, autoPipelining: boolean): Promise<Pair> {
  const registry = new Registry();
  const common = { logger: silentLogger, metrics: { registry }, enableAutoPipelining: autoPipelining, name: `bench-${autoPipelining ? 'ap' : 'plain'}` };
  const plain =
    target.kind === 'standalone'
      ? new Redis({ ...target.node, enableAutoPipelining: autoPipelining })
      : new Cluster(target.seeds, { enableAutoPipelining: autoPipelining });
  const ours =
    target.kind === 'standalone'
      ? createResilientRedis({ ...common, mode: 'standalone', node: target.node })
      : createResilientRedis({ ...common, mode: 'cluster', nodes: target.seeds });
  plain.on('error', () => {});
  // "Events on": a live subscriber, as an app that logs or meters them would have.
  ours.events$.subscribe(() => {});
  lab.defer(() => plain.disconnect());
  lab.defer(() => ours.close());
  await ours.connect();
  await plain.set(KEY, VALUE);
  return { plain, ours, registry };
}

/** The operation of a case: GET or SET of one 64-byte value. */
export function opFor(client: Redis | Cluster | ResilientRedis, name: 'GET' | 'SET'): () => Promise<unknown> {
  return name === 'GET' ? () => client.get(KEY) : () => client.set(KEY, VALUE);
}

/** Runs every case on `pairs` (one per auto-pipelining setting); returns the merged figures. */
export async function runOverhead(pairs: { false: Pair; true: Pair }, options: OverheadOptions): Promise<OverheadResult> {
  const pipelined = pairs.true;
  // Ours batches by corking each endpoint's socket for one tick (see Endpoint#sendRaw), not
  // through ioredis's auto-pipeline, so the check looks at the endpoints.
  const effective = pipelined.ours.router.endpoints().every((e) => e.coalescesWrites);
  const cases: BenchCase[] = [];
  for (const name of ['GET', 'SET'] as const) {
    for (const concurrency of [1, 50]) {
      for (const autoPipelining of [false, true]) {
        const pair = pairs[String(autoPipelining) as 'false' | 'true'];
        const plainOp = opFor(pair.plain, name);
        const oursOp = opFor(pair.ours, name);
        await runClosedLoop(plainOp, concurrency, options.warmupMs);
        await runClosedLoop(oursOp, concurrency, options.warmupMs);
        const plainRuns: LoopResult[] = [];
        const oursRuns: LoopResult[] = [];
        for (let round = 0; round < options.rounds; round++) {
          // A B, then B A: whichever goes second in a pair of rounds alternates.
          const order = round % 2 === 0 ? (['plain', 'ours'] as const) : (['ours', 'plain'] as const);
          for (const who of order) {
            if (who === 'plain') plainRuns.push(await runClosedLoop(plainOp, concurrency, options.roundMs));
            else {
              oursRuns.push(await runClosedLoop(oursOp, concurrency, options.roundMs));
              await pair.registry.metrics();
            }
          }
        }
        const c = toBenchCase(name, concurrency, autoPipelining, mergeRuns(plainRuns), mergeRuns(oursRuns));
        cases.push(c);
        options.log(
          `  ${`${name} c=${concurrency}${autoPipelining ? ' autopipe' : ''}`.padEnd(20)} plain ${String(c.plainOpsPerSec).padStart(7)} ops/s  ours ${String(c.oursOpsPerSec).padStart(7)} ops/s  ratio ${c.ratio.toFixed(3)}  CPU µs/op ${c.plainCpuUsPerOp} / ${c.oursCpuUsPerOp}`,
        );
      }
    }
  }
  return { target: options.target, cases, oursAutoPipeliningEffective: effective };
}
