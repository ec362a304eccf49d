/**
 * Where the CPU goes: a V8 CPU profile of one closed-loop run (the same format as
 * `node --cpu-prof`, taken in-process through the inspector so that only the timed run is in
 * it), written to bench-output/*.cpuprofile for Chrome DevTools, and summarised as self time
 * per component (redis-resilience, ioredis, opossum, prom-client, Node internals, GC...) and
 * per function.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { basename } from 'node:path';
import type { ProfileLine } from './bench-report.js';
import { runClosedLoop } from './closed-loop.js';

/** The parts of a `.cpuprofile` this summary reads. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  samples?: number[];
  timeDeltas?: number[];
}

/** Which component a frame belongs to, from its script URL. */
export function componentOf(url: string, functionName: string): string {
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'native (program)';
    // Builtins and C++ bindings: mostly the synchronous socket write and the event loop.
    return 'native (syscalls, builtins)';
  }
  if (url.startsWith('node:')) return 'Node internals';
  const packages = [
    'ioredis',
    '@ioredis',
    'redis-parser',
    'opossum',
    'prom-client',
    'rxjs',
    'cluster-key-slot',
    'denque',
    'standard-as-callback',
  ];
  for (const p of packages)
    if (url.includes(`/node_modules/${p}/`))
      return p === '@ioredis' || p === 'redis-parser' || p === 'denque' || p === 'standard-as-callback' ? 'ioredis' : p;
  if (url.includes('/src/core/') || url.includes('/dist/core/')) return 'redis-resilience';
  if (url.includes('/bench/')) return 'bench harness';
  return 'other';
}

/** Self time per component and per function, excluding idle time. */
export function summarizeProfile(
  profile: CpuProfile,
  top = 15,
): { components: ProfileLine[]; functions: ProfileLine[]; allFunctions: ProfileLine[]; totalMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + Math.max(0, deltas[i] ?? 0));
  const components = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const component = componentOf(frame.url, frame.functionName);
    if (component === 'idle') continue;
    total += us;
    components.set(component, (components.get(component) ?? 0) + us);
    const where = frame.url ? ` ${basename(frame.url)}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName || '(anonymous)'}${where} [${component}]`;
    functions.set(key, (functions.get(key) ?? 0) + us);
  }
  const lines = (m: Map<string, number>): ProfileLine[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, selfMs: Math.round(us / 100) / 10, percent: total > 0 ? Math.round((us / total) * 1000) / 10 : 0 }));
  const all = lines(functions);
  return { components: lines(components), functions: all.slice(0, top), allFunctions: all, totalMs: Math.round(total / 100) / 10 };
}

/** Profiles `op` under a closed loop for `durationMs`; writes the raw profile to `file`. */
export async function profileRun(
  op: () => Promise<unknown>,
  concurrency: number,
  durationMs: number,
  file: string,
): Promise<{ profile: CpuProfile; ops: number }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    // 100 µs sampling: a 3 s run gives ~30k samples, enough to rank sub-microsecond costs.
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
    const run = await runClosedLoop(op, concurrency, durationMs);
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    writeFileSync(file, JSON.stringify(profile));
    return { profile, ops: run.ops };
  } finally {
    session.disconnect();
  }
}
