/**
 * `npm run bench`: what redis-resilience costs against the clients a user would pick instead,
 * and whether it scales. Every client runs on the same lab servers in alternating rounds.
 *
 *  1. Standalone: plain ioredis, redis-resilience and GLIDE (`GlideClient`), GET/SET at c1
 *     and c50, with and without auto-pipelining.
 *  2. Cluster (3 primaries + 3 replicas): ioredis `Cluster`, ours and `GlideClusterClient`,
 *     GET/SET/50-50 mix at c1, c50, c200 with and without auto-pipelining, a 10-command
 *     pipeline within one slot, MGET/MSET of 10 hash-tagged keys.
 *  3. Cross-slot: MGET of 10 keys in 10 slots, ours' `crossSlot.split` against hand-written
 *     per-slot loops and GLIDE's own split.
 *  4. Profile: where ours' CPU goes at GET c1 and c50 without auto-pipelining, next to ioredis.
 *  5. Memory: heap per idle client and per 1,000 in-flight calls, ours and ioredis; heap across
 *     100 topology refreshes.
 *  6. Topology scale: a refresh against a synthetic 500-shard CLUSTER SLOTS reply.
 *  7. Refresh budget: 100 clients in one process, steady state and one failover, at two
 *     cluster-node-timeouts (2 s and 5 s), counted by the servers (INFO commandstats).
 *
 * Options (`--help` prints them, bench-args.ts parses them): --rounds, --round-ms, --quick,
 * --only, --clients, --out. Writes bench-output/results.json, tables.md and the .cpuprofile files.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Lab, createLab, errorText, withTimeout } from '../test/support/lab.js';
import { type Part, USAGE, parseArgs } from './bench-args.js';
import { type PeerCase, formatPeerCases, markdownPeerCases } from './bench-report.js';
import { profileRun, summarizeProfile } from './cpu-profile.js';
import { type MemoryResult, measureMemory } from './memory-bench.js';
import { type SectionClients, runClusterBatchCases, runCrossSlotCase, runSimpleCases, seed, workloadOp } from './peer-cases.js';
import { type BenchClient, type TargetAddress, createGlide, createIoredis, createOurs } from './peer-clients.js';
import type { RoundSettings } from './peer-rounds.js';
import { type ProfileSummary, printProfiles } from './profile-report.js';
import { type RefreshBudgetResult, formatRefreshBudget, runRefreshStorm } from './refresh-storm.js';
import { type TopologyScaleResult, measureTopologyScale } from './topology-scale.js';

const log = (line: string): void => console.log(line);
const load = (): number[] => loadavg().map((l) => Math.round(l * 100) / 100);

/** ioredis and ours per auto-pipelining setting, and GLIDE, on one target; seeded. */
async function sectionClients(
  lab: Lab,
  target: TargetAddress,
): Promise<SectionClients & { raw: { plain: BenchClient; ours: BenchClient } }> {
  const plain = { false: (await createIoredis(lab, target, false)).bench, true: (await createIoredis(lab, target, true)).bench };
  const ours = { false: (await createOurs(lab, target, false)).bench, true: (await createOurs(lab, target, true)).bench };
  let glide: BenchClient | undefined;
  try {
    glide = await createGlide(lab, target);
  } catch (error) {
    log(`   GLIDE unavailable, its columns are left out: ${errorText(error)}`);
  }
  await seed(plain.false);
  return { plain, ours, glide, raw: { plain: plain.false, ours: ours.false } };
}

interface Results {
  meta: Record<string, unknown>;
  standalone: PeerCase[];
  cluster: PeerCase[];
  crossSlot: PeerCase[];
  profile?: Record<string, Record<string, ProfileSummary & { file: string }>>;
  memory?: MemoryResult;
  topology?: TopologyScaleResult;
  storm?: RefreshBudgetResult[];
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

function printMemory(m: MemoryResult): void {
  log(`   ${''.padEnd(34)}${'ioredis'.padStart(12)}${'ours'.padStart(12)}`);
  for (const mode of ['standalone', 'cluster'] as const) {
    log(
      `   ${`idle client, ${mode}`.padEnd(34)}${kib(m.idlePerClient[mode].ioredis).padStart(12)}${kib(m.idlePerClient[mode].ours).padStart(12)}`,
    );
    log(
      `   ${`1,000 calls in flight, ${mode}`.padEnd(34)}${kib(m.perThousandInFlight[mode].ioredis).padStart(12)}${kib(m.perThousandInFlight[mode].ours).padStart(12)}`,
    );
  }
  const r = m.refreshes;
  log(`   100 topology refreshes (${r.count} reported): heap every 10 ${r.samples.map((b) => (b / 1048576).toFixed(2)).join(' ')} MiB`);
  log(`   growth ${r.bytesPerRefresh} bytes per refresh -> ${r.flat ? 'flat' : 'GROWING'}`);
}

/** Every ours-against-a-peer verdict that is not `faster`, for the summary. */
function notAhead(cases: readonly PeerCase[]): string[] {
  return cases.flatMap((c) =>
    c.ratios
      .filter((r) => r.verdict !== 'faster')
      .map(
        (r) =>
          `${c.section} ${c.name} c=${c.concurrency}${c.autoPipelining ? ' autopipe' : ''}: ${r.ours}÷${r.vs} ${r.median} [quartiles ${r.q1}-${r.q3}, range ${r.min}-${r.max}] ${r.verdict}, CPU/op ratio ${r.cpu}`,
      ),
  );
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(errorText(error));
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
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
  // Short alternating rounds: on a shared 2-core machine, load from other processes comes and
  // goes within seconds, and rotating the order spreads it over every client.
  const settings: RoundSettings = {
    rounds: args.rounds ?? (args.quick ? 2 : 7),
    roundMs: args.roundMs ?? 250,
    warmupMs: args.quick ? 150 : 300,
  };
  const results: Results = {
    meta: { startedAt: new Date().toISOString(), node: process.version, loadavgBefore: load(), quick: args.quick, ...settings },
    standalone: [],
    cluster: [],
    crossSlot: [],
  };
  const has = (...parts: Part[]): boolean => parts.some((p) => args.only.has(p));
  try {
    log(
      `bench: load average at start ${load().join(' ')} (2-core machine); ${settings.rounds} rounds of ${settings.roundMs} ms per client per case, order rotating`,
    );
    const standaloneTarget: TargetAddress | undefined = has('standalone', 'profile', 'memory')
      ? { kind: 'standalone', node: await lab.standalone().then((n) => ({ host: n.host, port: n.port })) }
      : undefined;
    const clusterTarget = has('cluster', 'crossslot', 'profile', 'memory')
      ? { kind: 'cluster' as const, seeds: (await lab.cluster()).seeds() }
      : undefined;
    const standalone = standaloneTarget && has('standalone', 'profile') ? await sectionClients(lab, standaloneTarget) : undefined;
    const cluster = clusterTarget && has('cluster', 'crossslot', 'profile') ? await sectionClients(lab, clusterTarget) : undefined;
    if (standalone && args.only.has('standalone')) {
      log('\n== 1. standalone: ioredis vs redis-resilience vs GLIDE (GLIDE pipelines internally in every row) ==');
      results.standalone = await runSimpleCases(
        'standalone',
        standalone,
        { workloads: ['GET', 'SET'], concurrency: [1, 50] },
        settings,
        log,
      );
      log(`\n${formatPeerCases(results.standalone)}`);
    }
    if (cluster && args.only.has('cluster')) {
      log(
        '\n== 2. cluster (3 primaries + 3 replicas, 256 keys over every shard): ioredis Cluster vs ours vs GlideClusterClient (GLIDE pipelines internally in every row) ==',
      );
      const simple = await runSimpleCases(
        'cluster',
        cluster,
        { workloads: ['GET', 'SET', 'MIX'], concurrency: [1, 50, 200] },
        settings,
        log,
      );
      results.cluster = [...simple, ...(await runClusterBatchCases(cluster, settings, log))];
      log(`\n${formatPeerCases(results.cluster)}`);
    }
    if (cluster && clusterTarget && args.only.has('crossslot')) {
      log('\n== 3. cross-slot MGET: ours with crossSlot.split vs the per-slot loops a user writes (sequential, parallel) and GLIDE ==');
      const oursSplit = (await createOurs(lab, clusterTarget, false, { crossSlot: { split: true }, label: 'ours-split' })).bench;
      results.crossSlot = [
        await runCrossSlotCase({ ioredis: cluster.raw.plain, ours: cluster.raw.ours, oursSplit, glide: cluster.glide }, settings, log),
      ];
      log(`\n${formatPeerCases(results.crossSlot)}`);
    }
    if (args.only.has('profile')) {
      const ms = args.quick ? 1000 : 2000;
      log(`\n== 4. CPU profile: GET without auto-pipelining, ${ms} ms each (V8 sampling profiler, 100 µs) ==`);
      results.profile = {};
      for (const [mode, clients] of [
        ['standalone', standalone],
        ['cluster', cluster],
      ] as const) {
        if (!clients) continue;
        for (const concurrency of [1, 50]) {
          const title = `${mode}-get-c${concurrency}`;
          const entry: Record<string, ProfileSummary & { file: string }> = {};
          for (const [who, client] of [
            ['plain', clients.raw.plain],
            ['ours', clients.raw.ours],
          ] as const) {
            const file = join(outDir, `${who}-${title}.cpuprofile`);
            const { profile, ops } = await profileRun(workloadOp(client, 'GET'), concurrency, ms, file);
            entry[who] = { ...summarizeProfile(profile), ops, file };
          }
          results.profile[title] = entry;
          log(
            `\n -- ${title}: ${entry.plain!.ops} ioredis ops, ${entry.ours!.ops} ours ops profiled (raw: ${outDir}/{plain,ours}-${title}.cpuprofile)`,
          );
          printProfiles(entry, log);
        }
      }
    }
    if (args.only.has('memory') && standaloneTarget && clusterTarget) {
      log('\n== 5. memory: heap after a full GC, ours vs ioredis ==');
      results.memory = await measureMemory(standaloneTarget, clusterTarget);
      printMemory(results.memory);
    }
    if (args.only.has('topology')) {
      log('\n== 6. topology refresh against a synthetic 500-shard CLUSTER SLOTS reply (parseClusterSlots + diffTopology) ==');
      const t = measureTopologyScale(500);
      results.topology = t;
      log(`  reply: ${t.shards} shards x (1 primary + ${t.replicasPerShard} replica), ${(t.replyBytes / 1024).toFixed(1)} KiB as RESP`);
      log(
        `  parse: median ${t.parseMedianMs} ms, p99 ${t.parseP99Ms} ms; diff: ${t.diffChangedMedianMs} ms after a promotion, ${t.diffUnchangedMedianMs} ms when unchanged`,
      );
      log(
        `  heap allocated per refresh (parse + diff): ${(t.allocatedBytesPerRefresh / 1024).toFixed(1)} KiB; one topology retains ${(t.retainedBytesPerTopology / 1024).toFixed(1)} KiB`,
      );
    }
    if (args.only.has('storm')) {
      log(
        `\n== 7. refresh budget: ${args.clients} cluster clients in one process, steady state and one failover (SIGSTOP a primary until its replica is promoted), counted by the servers ==`,
      );
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
    results.meta.loadavgAfter = load();
    log(`\nload average at the end ${load().join(' ')}; tearing the lab down...`);
    await lab.teardown().catch((error: unknown) => console.error(errorText(error)));
  }
  const file = join(outDir, 'results.json');
  // The full per-function lists stay in the .cpuprofile files.
  writeFileSync(file, `${JSON.stringify(results, (key, value: unknown) => (key === 'allFunctions' ? undefined : value), 2)}\n`);
  const tables = join(outDir, 'tables.md');
  const md = [
    ['Standalone', results.standalone],
    ['Cluster', results.cluster],
    ['Cross-slot MGET', results.crossSlot],
  ] as const;
  writeFileSync(
    tables,
    md
      .filter(([, c]) => c.length > 0)
      .map(([title, c]) => `${title}:\n\n${markdownPeerCases(c)}\n`)
      .join('\n'),
  );
  log('\n== summary ==');
  log(
    `  load average before ${(results.meta.loadavgBefore as number[]).join(' ')}, after ${(results.meta.loadavgAfter as number[]).join(' ')}`,
  );
  const all = [...results.standalone, ...results.cluster, ...results.crossSlot];
  if (all.length > 0) {
    const verdicts = all.flatMap((c) => c.ratios);
    const count = (v: string): number => verdicts.filter((r) => r.verdict === v).length;
    log(
      `  ours against each peer, ${verdicts.length} comparisons: ${count('faster')} faster (lower quartile >= 1), ${count('parity')} parity (the middle half of the rounds straddles 1.0), ${count('slower')} slower (upper quartile < 1)`,
    );
    for (const line of notAhead(all)) log(`    ${line}`);
  }
  if (results.memory)
    log(
      `  heap across 100 topology refreshes: ${results.memory.refreshes.bytesPerRefresh} bytes per refresh -> ${results.memory.refreshes.flat ? 'flat' : 'GROWING'}`,
    );
  if (results.topology)
    log(
      `  500-shard refresh: parse ${results.topology.parseMedianMs} ms + diff ${results.topology.diffChangedMedianMs} ms, ${(results.topology.allocatedBytesPerRefresh / 1024).toFixed(0)} KiB allocated`,
    );
  for (const s of results.storm ?? []) {
    log(
      `  refresh budget at node timeout ${s.nodeTimeoutMs} ms: ${s.steadyFullReadsPerClientPerMin} full reads/client/min steady, ${s.failoverFullReadsPerClient}/client per failover, ROLE ${s.rolePerClientPerS}/client/s, route lag p99 ${s.routeLagP99Ms} ms`,
    );
  }
  log(`  wrote ${tables} (the README's tables)`);
  log(`  wrote ${file} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  return 0;
}

process.exit(await main());
