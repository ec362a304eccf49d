#!/usr/bin/env node
// Runs the compiled test suites with Node's own test runner.
//   node scripts/run-tests.mjs unit|integration|failover|all [--only substring]
// Unit and integration suites run first, 2 files at a time (this is a 2-core machine). The
// failover suite runs after them one file at a time: each file drives its own Redis cluster
// (six redis-server processes plus load), so two at once oversubscribe the two cores and the
// latency bounds it asserts (healthy-shard p99 <= 50 ms, nothing past its deadline) would
// measure the neighbour instead of the library. It costs about a minute and a half.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, readFileSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const buildTest = join(root, '.build', 'test');
const which = process.argv[2] ?? 'all';
const onlyIdx = process.argv.indexOf('--only');
const only = onlyIdx > 0 ? process.argv[onlyIdx + 1] : undefined;

function walk(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out.toSorted();
}

const all = walk(buildTest).filter((f) => !only || f.includes(only));
const isFailover = (f) => f.includes(`${join('test', 'failover')}/`);
const isIntegration = (f) => f.includes(`${join('test', 'integration')}/`);
const groups = {
  unit: all.filter((f) => !isFailover(f) && !isIntegration(f)),
  integration: all.filter(isIntegration),
  failover: all.filter(isFailover),
};
const plan =
  which === 'all'
    ? [
        ['unit + integration', [...groups.unit, ...groups.integration]],
        ['failover', groups.failover],
      ]
    : [[which, groups[which] ?? []]];
const concurrency = (name) => (name === 'failover' ? 1 : 2);

// Prepare the lab once per run: install redis-server when missing, reap processes a crashed
// earlier run left behind.
const setup = spawnSync(process.execPath, [join(root, '.build', 'test', 'support', 'global-setup.js')], {
  stdio: 'inherit',
});
if (setup.status !== 0) process.exit(setup.status ?? 1);

// One TAP directory per run: engineers (and CI) may run suites side by side.
const tapDir = join(root, '.build', 'tap', String(process.pid));
mkdirSync(tapDir, { recursive: true });
let passed = 0;
let failed = 0;
let skipped = 0;
let exitCode = 0;
for (const [name, files] of plan) {
  if (files.length === 0) continue;
  console.log(`\n=== ${name}: ${files.length} files ===`);
  const tap = join(tapDir, `${name.replace(/\W+/g, '-')}.tap`);
  const res = spawnSync(
    process.execPath,
    [
      '--enable-source-maps',
      '--test',
      `--test-concurrency=${concurrency(name)}`,
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...files.map((f) => relative(root, f)),
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, REDIS_RESILIENCE_LAB_RUN: String(process.pid) } },
  );
  let text = '';
  try {
    text = readFileSync(tap, 'utf8');
  } catch {
    console.error(`no TAP output at ${tap}`);
  }
  const num = (k) => Number((text.match(new RegExp(`^# ${k} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
  passed += num('pass');
  failed += num('fail') + num('cancelled');
  skipped += num('skipped');
  if (res.status !== 0) exitCode = res.status ?? 1;
}
const teardown = spawnSync(process.execPath, [join(root, '.build', 'test', 'support', 'global-teardown.js')], {
  stdio: 'inherit',
});
if (teardown.status !== 0 && exitCode === 0) exitCode = teardown.status ?? 1;
if (passed + failed === 0) {
  console.log('no tests ran');
  exitCode = exitCode || 1;
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(exitCode);
