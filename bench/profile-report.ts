/**
 * The printed form of the bench's CPU profiles: per-op self time by component, ioredis next to
 * ours, then the wrapper's own hottest functions and the hottest functions overall.
 */
import type { summarizeProfile } from './cpu-profile.js';

export type ProfileSummary = ReturnType<typeof summarizeProfile> & { ops: number };

const perOp = (ms: number, ops: number): number => (ms * 1000) / Math.max(1, ops);

/** Per-op self time by component, plain next to ours, then where ours' own code spends it. */
export function printProfiles(profiles: Record<string, ProfileSummary>, log: (line: string) => void): void {
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
    log(
      `   ${name.padEnd(24)}${p.toFixed(2).padStart(12)}${o.toFixed(2).padStart(12)}${(o - p >= 0 ? '+' : '') + (o - p).toFixed(2).padStart(8)}`,
    );
  }
  const wrapper = new Set(['redis-resilience', 'opossum', 'prom-client', 'rxjs', 'cluster-key-slot']);
  log('   top functions of the wrapper itself in the ours profile (self time per op):');
  for (const f of ours.allFunctions.filter((l) => wrapper.has(/\[(.+)\]$/.exec(l.name)?.[1] ?? '')).slice(0, 12)) {
    log(`     ${perOp(f.selfMs, ours.ops).toFixed(3).padStart(7)} µs  ${f.name}`);
  }
  log('   top functions overall in the ours profile:');
  for (const f of ours.functions.slice(0, 10))
    log(`     ${perOp(f.selfMs, ours.ops).toFixed(3).padStart(7)} µs  ${f.percent.toFixed(1).padStart(5)}%  ${f.name}`);
}
