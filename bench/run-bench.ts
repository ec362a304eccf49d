/**
 * `npm run bench`: what redis-resilience costs, and whether it scales.
 *
 *  1. Overhead: plain ioredis vs redis-resilience (breakers, metrics, events on), GET/SET at
 *     concurrency 1 and 50, with and without auto-pipelining, alternating rounds in one run.
 *  2. Profile: where redis-resilience's CPU goes at GET c=50, next to plain ioredis.
 *  3. Topology scale: a refresh against a synthetic 500-shard CLUSTER SLOTS reply.
 *  4. Refresh budget: 100 clients in one process, steady state and one failover, at two
 *     cluster-node-timeouts (2 s and 5 s), counted by the servers (INFO commandstats).
 *
 * Options: --target standalone|cluster (overhead servers; default standalone), --quick,
 * --only overhead,profile,topology,storm, --clients N, --out dir. Writes bench-output/.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLab, errorText, withTimeout } from '../test/support/lab.js';
import { formatCases } from './bench-report.js';
import { profileRun, summarizeProfile } from './cpu-profile.js';
import { type OverheadResult, type OverheadTarget, makePair, opFor, runOverhead, startTarget } from './overhead-bench.js';
import { type RefreshBudgetResult, formatRefreshBudget, runRefreshStorm } from './refresh-storm.js';
import { type TopologyScaleResult, measureTopologyScale } from './topology-scale.js';

type Part = 'overhead' | 'profile' | 'topology' | 'storm';

function parseArgs(argv: readonly string[]): { target: OverheadTarget; quick: boolean; only: Set<Part>; clients: number; outDir: string } {
  const out = { target: 'standalone' as OverheadTarget, quick: false, only: new Set<Part>(['overhead', 'profile', 'topology', 'storm']), clients: 100, outDir: 'bench-output' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => argv[++i] ?? '';
    if (flag === '--target') {
      const t = value();
      if (t !== 'standalone' && t !== 'cluster') throw new Error('--target must be standalone or cluster');
      out.target = t;
    } else if (flag === '--quick') out.quick = true;
    else if (flag === '--only') out.only = new Set(value().split(',') as Part[]);
    else if (flag === '--clients') out.clients = Number(value());
    else if (flag === '--out') out.outDir = value();
    else throw new Error(`unknown argument ${flag}; see the header of bench/run-bench.ts`);
  }
  return out;
}

const log = (line: string): void => console.log(line);

const perOp = (ms: number, ops: number): number => (ms * 1000) / Math.max(1, ops);

/** Per-op self time by component, plain next to ours, then where ours' own code spends it. */
function printProfiles(profiles: Record<string, ReturnType<typeof summarizeProfile> & { ops: number }>): void {
  const plain = profiles.plain;
  const ours = profiles.ours;
  if (!plain || !ours) return;
  const names = [...new Set([...ours.components, ...plain.components].map((c) => c.name))];
  const value = (p: typeof plain, name: string): number => perOp(p.components.find((c) => c.name === name)?.selfMs ?? 0, p.ops);
  log(`   sampled CPU per op: plain ${perOp(plain.totalMs, plain.ops).toFixed(2)} µs, ours ${perOp(ours.totalMs, ours.ops).toFixed(2)} µs`);
  log(`   ${'component (self time)'.padEnd(24)}${'plain µs/op'.padStart(12)}${'ours µs/op'.padStart(12)}${'delta'.padStart(9)}`);
  for (const name of names.sort((a, b) => value(ours, b) - value(ours, a))) {
    const p = value(plain, name);
    const o = value(ours, name);
    log(`   ${name.padEnd(24)}${p.toFixed(2).padStart(12)}${o.toFixed(2).padStart(12)}${(o - p >= 0 ? '+' : '') + (o - p).toFixed(2).padStart(8)}`);
  }
  const wrapper = new Set(['redis-resilience', 'opossum', 'prom-client', 'rxjs', 'cluster-key-slot']);
  log('   top functions of the wrapper itself in the ours profile (self time per op):');
  for (const f of ours.allFunctions.filter((l) => wrapper.has(/\[(.+)\]$/.exec(l.name)?.[1] ?? '')).slice(0, 12)) {
    log(`     ${perOp(f.selfMs, ours.ops).toFixed(3).padStart(7)} µs  ${f.name}`);
  }
  log('   top functions overall in the ours profile:');
  for (const f of ours.functions.slice(0, 10)) log(`     ${perOp(f.selfMs, ours.ops).toFixed(3).padStart(7)} µs  ${f.percent.toFixed(1).padStart(5)}%  ${f.name}`);
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const setup = fileURLToPath(new URL('../test/support/global-setup.js', import.meta.url));
  if (spawnSync(process.execPath, [setup], { stdio: 'inherit' }).status !== 0) return 1;
  const lab = createLab();
  const onSignal = (): void => {
    console.error('\ninterrupted: tearing the lab down...');
    void withTimeout(lab.teardown(), 30_000, 'lab teardown').finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const outDir = resolve(args.outDir);
  mkdirSync(outDir, { recursive: true });
  const results: {
    meta: Record<string, unknown>;
    cases: OverheadResult['cases'];
    overhead?: Omit<OverheadResult, 'cases'>;
    profile?: Record<string, ReturnType<typeof summarizeProfile> & { ops: number; file: string }>;
    topology?: TopologyScaleResult;
    storm?: RefreshBudgetResult[];
  } = { meta: { startedAt: new Date().toISOString(), node: process.version, loadavg: loadavg().map((l) => Math.round(l * 100) / 100), quick: args.quick }, cases: [] };
  // Many short alternating rounds: on a shared 2-core machine, load from other processes comes
  // and goes within seconds, and interleaving spreads it over both clients.
  const roundMs = args.quick ? 300 : 600;
  const rounds = args.quick ? 4 : 5;
  try {
    log(`bench: load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')} (2-core machine; other work skews both clients alike thanks to alternating rounds)`);
    if (args.only.has('overhead') || args.only.has('profile')) {
      const target = await startTarget(lab, args.target);
      const pairs = { false: await makePair(lab, target, false), true: await makePair(lab, target, true) };
      if (args.only.has('overhead')) {
        log(`\n== 1. overhead: plain ioredis vs redis-resilience against a local ${args.target === 'standalone' ? 'standalone node' : '3x2 cluster (keys on one shard)'} ==`);
        log(`   ${rounds} rounds of ${roundMs} ms per client per case, alternating (A B, B A, ...); redis-resilience with breakers, metrics (prom-client Registry) and an events$ subscriber`);
        const overhead = await runOverhead(pairs, { target: args.target, roundMs, rounds, warmupMs: 300, log });
        results.cases = overhead.cases;
        results.overhead = { target: overhead.target, oursAutoPipeliningEffective: overhead.oursAutoPipeliningEffective };
        log('');
        log(formatCases(overhead.cases));
        if (!overhead.oursAutoPipeliningEffective) {
          log('   NOTE: redis-resilience was created with enableAutoPipelining: true, but its endpoints do not');
          log('   coalesce writes: its "autopipe" rows are not batched.');
        }
      }
      if (args.only.has('profile')) {
        log('\n== 2. CPU profile: GET c=50, no auto-pipelining, 3 s each (V8 sampling profiler, 100 µs) ==');
        results.profile = {};
        for (const [who, client] of [['plain', pairs.false.plain], ['ours', pairs.false.ours]] as const) {
          const file = join(outDir, `${who}-get-c50.cpuprofile`);
          const { profile, ops } = await profileRun(opFor(client, 'GET'), 50, args.quick ? 1500 : 3000, file);
          results.profile[who] = { ...summarizeProfile(profile), ops, file };
          log(`   ${who}: ${ops} ops profiled, raw profile ${file}`);
        }
        printProfiles(results.profile);
      }
    }
    if (args.only.has('topology')) {
      log('\n== 3. topology refresh against a synthetic 500-shard CLUSTER SLOTS reply (parseClusterSlots + diffTopology) ==');
      const t = measureTopologyScale(500);
      results.topology = t;
      log(`  reply: ${t.shards} shards x (1 primary + ${t.replicasPerShard} replica), ${(t.replyBytes / 1024).toFixed(1)} KiB as RESP`);
      log(`  parse: median ${t.parseMedianMs} ms, p99 ${t.parseP99Ms} ms; diff: ${t.diffChangedMedianMs} ms after a promotion, ${t.diffUnchangedMedianMs} ms when unchanged`);
      log(`  heap allocated per refresh (parse + diff): ${(t.allocatedBytesPerRefresh / 1024).toFixed(1)} KiB; one topology retains ${(t.retainedBytesPerTopology / 1024).toFixed(1)} KiB`);
    }
    if (args.only.has('storm')) {
      log(`\n== 4. refresh budget: ${args.clients} cluster clients in one process, steady state and one failover (SIGSTOP a primary until its replica is promoted), counted by the servers ==`);
      results.storm = [];
      for (const nodeTimeoutMs of [2000, 5000]) {
        const s = await runRefreshStorm(lab, { clients: args.clients, nodeTimeoutMs, steadyMs: args.quick ? 20_000 : 90_000, log });
        results.storm.push(s);
        for (const line of formatRefreshBudget(s)) log(line);
      }
    }
  } catch (error) {
    console.error(`bench failed: ${errorText(error)}`);
    return 1;
  } finally {
    log('\ntearing the lab down...');
    await lab.teardown().catch((error: unknown) => console.error(errorText(error)));
  }
  const file = join(outDir, 'results.json');
  // The full per-function lists stay in the .cpuprofile files.
  writeFileSync(file, `${JSON.stringify(results, (key, value: unknown) => (key === 'allFunctions' ? undefined : value), 2)}\n`);
  log('\n== summary ==');
  const goal = results.cases.find((c) => c.name === 'GET' && c.concurrency === 50 && c.autoPipelining);
  if (results.cases.length > 0) {
    const ratios = results.cases.map((c) => c.ratio);
    log(`  overhead (${results.overhead?.target}): ours/plain throughput from ${Math.min(...ratios).toFixed(3)} to ${Math.max(...ratios).toFixed(3)}`);
    if (goal) log(`  goal GET c=50 auto-pipelining ratio >= 0.95: ${goal.ratio.toFixed(3)} -> ${goal.ratio >= 0.95 ? 'met' : 'NOT met'}`);
    const set = results.cases.find((c) => c.name === 'SET' && c.concurrency === 50 && c.autoPipelining);
    if (set) log(`  SET c=50 auto-pipelining ratio: ${set.ratio.toFixed(3)}`);
  }
  if (results.topology) log(`  500-shard refresh: parse ${results.topology.parseMedianMs} ms + diff ${results.topology.diffChangedMedianMs} ms, ${(results.topology.allocatedBytesPerRefresh / 1024).toFixed(0)} KiB allocated`);
  for (const s of results.storm ?? []) {
    log(`  refresh budget at node timeout ${s.nodeTimeoutMs} ms: ${s.steadyFullReadsPerClientPerMin} full reads/client/min steady, ${s.failoverFullReadsPerClient}/client per failover, ROLE ${s.rolePerClientPerS}/client/s, route lag p99 ${s.routeLagP99Ms} ms`);
  }
  log(`  wrote ${file} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  return 0;
}

process.exit(await main());
