/**
 * Runs once before a test run (scripts/run-tests.mjs executes the compiled file as a plain node
 * script). It makes sure redis-server is installed and reaps what a crashed earlier run left.
 * Exit code 1 stops the run; the last line printed says why. Chromium (the status page browser
 * test) and promtool (the alert rule checks) are installed the same way when missing; without
 * them only their tests are skipped, and a line says which.
 */
import { execFileSync } from 'node:child_process';
import { pruneStaleNodeDirs } from './lab-paths.js';
import { reapOrphans } from './pid-registry.js';
import { pruneStalePortLocks } from './ports.js';
import { findOnPath, redisServerVersion } from './redis-binary.js';

const tag = '[redis-lab setup]';

/** Runs apt-get with output on the terminal (a slow mirror visibly makes progress). */
function run(args: string[], env: NodeJS.ProcessEnv, required: boolean): void {
  console.log(`${tag} $ apt-get ${args.join(' ')}`);
  try {
    execFileSync('apt-get', args, { env, stdio: 'inherit', timeout: 300_000 });
  } catch (error) {
    // A failed `update` is survivable (the cached index may already list redis-server).
    if (!required) {
      console.warn(`${tag} apt-get ${args.join(' ')} failed (${String(error)}); trying the install anyway`);
      return;
    }
    console.error(`${tag} apt-get ${args.join(' ')} failed (${String(error)}); install it with: apt-get install redis-server`);
    process.exit(1);
  }
}

function ensureRedisServer(): string {
  const found = findOnPath('redis-server');
  if (found) return found;
  if (process.getuid?.() !== 0) {
    console.error(`${tag} redis-server is not installed; install it with: sudo apt-get install redis-server`);
    process.exit(1);
  }
  console.log(`${tag} redis-server not found on PATH; running as root, so installing it:`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run(['update'], env, false);
  run(['install', '-y', '--no-install-recommends', 'redis-server'], env, true);
  // Debian starts the packaged service on 6379; the lab never uses it, and it does no harm.
  const installed = findOnPath('redis-server');
  if (!installed) {
    console.error(`${tag} apt-get finished but redis-server is still not on PATH; install it with: apt-get install redis-server`);
    process.exit(1);
  }
  console.log(`${tag} installed ${installed}`);
  return installed;
}

/** Tools only some tests need: a failed install skips those tests instead of stopping the run. */
const OPTIONAL = [
  {
    binaries: ['chromium', 'chromium-browser'],
    pkg: 'chromium',
    tests: 'the status page browser test (test/failover/status-page-browser.test.ts)',
  },
  {
    binaries: ['promtool'],
    pkg: 'prometheus',
    tests: 'the promtool checks of examples/observability (test/integration/observability-promtool.test.ts)',
  },
];

function aptGet(args: string[], env: NodeJS.ProcessEnv): string | undefined {
  console.log(`${tag} $ apt-get ${args.join(' ')}`);
  try {
    execFileSync('apt-get', args, { env, stdio: 'inherit', timeout: 600_000 });
    return undefined;
  } catch (error) {
    return String(error);
  }
}

function ensureOptionalTools(): void {
  const missing = OPTIONAL.filter((t) => !t.binaries.some((b) => findOnPath(b)));
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    for (const t of missing)
      console.warn(`${tag} ${t.binaries[0]} is not installed: ${t.tests} will be skipped; install it with: sudo apt-get install ${t.pkg}`);
    return;
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const updateError = aptGet(['update'], env);
  if (updateError) console.warn(`${tag} apt-get update failed (${updateError}); trying the install anyway`);
  // One package at a time: a mirror missing one must not cost the other.
  for (const t of missing) {
    const error = aptGet(['install', '-y', '--no-install-recommends', t.pkg], env);
    const found = t.binaries.map((b) => findOnPath(b)).find(Boolean);
    if (found) console.log(`${tag} installed ${found}`);
    else
      console.error(
        `${tag} could not install ${t.pkg}${error ? ` (${error})` : ''}: ${t.tests} will be SKIPPED; install it with: apt-get install ${t.pkg}`,
      );
  }
}

const binary = ensureRedisServer();
ensureOptionalTools();
const [major, minor, patch] = redisServerVersion(binary);
if (major < 7) {
  console.error(
    `${tag} ${binary} is Redis ${major}.${minor}.${patch}; the lab needs 7.0 or newer (apt-get install redis-server from Debian 12+)`,
  );
  process.exit(1);
}
if (!findOnPath('openssl')) {
  console.warn(`${tag} openssl is not on PATH: TLS tests will fail; install it with: apt-get install openssl`);
}

const { entries, killed } = reapOrphans();
const dirs = pruneStaleNodeDirs();
const locks = pruneStalePortLocks();
console.log(
  `${tag} redis-server ${major}.${minor}.${patch} at ${binary}; reaped ${killed.length} leftover redis-server process(es)` +
    (killed.length > 0 ? ` (pids ${killed.join(', ')})` : '') +
    ` from ${entries} stale registry entr${entries === 1 ? 'y' : 'ies'}, ${dirs} stale folder(s), ${locks} stale port lock(s)`,
);
