#!/usr/bin/env node
// npm run soak -- --minutes N: prepares the lab (installs redis-server when missing, reaps
// leftovers), runs the compiled soak (test/support/soak/soak-cli.ts), then runs the lab's leak
// check, as scripts/run-tests.mjs does for the suites.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const support = join(root, '.build', 'test', 'support');
const setup = spawnSync(process.execPath, [join(support, 'global-setup.js')], { stdio: 'inherit' });
if (setup.status !== 0) process.exit(setup.status ?? 1);
const run = spawnSync(process.execPath, [join(support, 'soak', 'soak-cli.js'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, REDIS_RESILIENCE_LAB_RUN: String(process.pid) },
});
const teardown = spawnSync(process.execPath, [join(support, 'global-teardown.js')], { stdio: 'inherit' });
process.exit(run.status || teardown.status || 0);
