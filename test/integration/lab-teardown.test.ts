// The lab must never leak a redis-server, however its test process ends: a thrown error, a
// failing exit, a SIGKILL, or a failing test inside node:test. Each case runs in a child process
// and is checked from outside with `pgrep -x redis-server` and the pids themselves.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import { isAlive, waitFor, withTimeout } from '../support/lab.js';
import { pruneStaleNodeDirs } from '../support/lab-paths.js';
import { listEntries, reapEntry } from '../support/pid-registry.js';
import { pruneStalePortLocks } from '../support/ports.js';

const fixtures = fileURLToPath(new URL('../support/fixtures/', import.meta.url));
const run = promisify(execFile);

/**
 * Pids of every redis-server on the machine, per pgrep. Zombies are listed too, on purpose: the
 * watchdog must reap what it kills (PID 1 here never would).
 */
async function pgrepRedis(): Promise<number[]> {
  try {
    const { stdout } = await run('pgrep', ['-x', 'redis-server'], { timeout: 5000 });
    return stdout.split('\n').filter(Boolean).map(Number);
  } catch (error) {
    if ((error as { code?: number }).code === 1) return []; // pgrep: nothing matched
    throw error;
  }
}

/** Env for a child test process: same run id (so global teardown checks it), no test-runner IPC. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  // Set by `node --test` for its file processes; a child that inherits it would talk the runner's
  // internal protocol instead of running normally.
  delete env.NODE_TEST_CONTEXT;
  return env;
}

interface ChildReport {
  pid: number;
  redisPids: number[];
  ports: number[];
}

/** Starts leaky-child.js in `mode`, resolves with its report line and a promise of its exit. */
async function startLeakyChild(mode: 'throw' | 'exit' | 'hang') {
  const child = spawn(process.execPath, [join(fixtures, 'leaky-child.js'), mode], {
    env: childEnv(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const line = await waitFor(() => stdout.split('\n').find((l) => l.startsWith('{')), {
    timeoutMs: 15_000,
    what: `leaky-child ${mode} to report its servers`,
    diagnose: () => `stderr: ${stderr}`,
  });
  // The child waits for this line before it fails, so the servers are seen running first.
  const go = (): void => {
    child.stdin.end('go\n');
  };
  return { child, report: JSON.parse(line) as ChildReport, exited, go, stderr: () => stderr };
}

async function assertGone(pids: readonly number[], withinMs: number): Promise<void> {
  await waitFor(
    async () => {
      const running = await pgrepRedis();
      return pids.every((pid) => !isAlive(pid) && !running.includes(pid));
    },
    { timeoutMs: withinMs, intervalMs: 50, what: `redis-server pids ${pids.join(', ')} to be gone` },
  );
}

/**
 * Clears what a dead child left on disk (registry entries, folders, port locks: a SIGKILLed
 * process cannot clean up), as global setup would on the next run. Only dead owners' leftovers
 * are touched, so concurrent test files are safe.
 */
function cleanLeftoversOf(ownerPid: number): void {
  for (const entry of listEntries().filter((e) => e.ownerPid === ownerPid)) reapEntry(entry);
  pruneStaleNodeDirs();
  pruneStalePortLocks();
}

describe('lab teardown leaves no redis-server behind', { timeout: 45_000 }, () => {
  test('a child that throws: its exit handler stops its servers', { timeout: 20_000 }, async () => {
    const { report, exited, go } = await startLeakyChild('throw');
    assert.equal(report.redisPids.length, 2);
    assert.ok(
      report.redisPids.every((pid) => isAlive(pid)),
      'servers run while the child runs',
    );
    go();
    const { code } = await withTimeout(exited, 10_000, 'leaky child exit');
    assert.equal(code, 1);
    await assertGone(report.redisPids, 3000);
    cleanLeftoversOf(report.pid);
  });

  test('a child that exits with a failure status: its servers are stopped', { timeout: 20_000 }, async () => {
    const { report, exited, go } = await startLeakyChild('exit');
    assert.ok(report.redisPids.every((pid) => isAlive(pid)));
    go();
    assert.equal((await withTimeout(exited, 10_000, 'leaky child exit')).code, 1);
    await assertGone(report.redisPids, 3000);
    cleanLeftoversOf(report.pid);
  });

  test('a child that is SIGKILLed: the watchdogs stop its servers', { timeout: 20_000 }, async () => {
    const { child, report, exited } = await startLeakyChild('hang');
    assert.ok(report.redisPids.every((pid) => isAlive(pid)));
    child.kill('SIGKILL');
    assert.equal((await withTimeout(exited, 5000, 'leaky child exit')).signal, 'SIGKILL');
    // No handler of the child ran: the registry still lists its servers...
    assert.equal(listEntries().filter((e) => e.ownerPid === report.pid).length, 2);
    // ...and the watchdogs (polling every 500 ms) kill and reap them.
    await assertGone(report.redisPids, 3000);
    cleanLeftoversOf(report.pid);
  });

  test('a failing test inside node:test still tears its servers down in after()', { timeout: 30_000 }, async () => {
    const resultFile = join(tmpdir(), `lab-fixture-${process.pid}-${Date.now()}.json`);
    try {
      const child = spawn(process.execPath, ['--test', '--test-reporter=tap', join(fixtures, 'failing-lab.fixture.js')], {
        env: childEnv({ LAB_FIXTURE_RESULT: resultFile }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      const code = await withTimeout(
        new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c))),
        25_000,
        'child node --test run',
      );
      assert.equal(code, 1, `the child run must fail; output:\n${output}`);
      assert.match(output, /not ok \d+ - fails on purpose while lab servers run/);
      assert.ok(existsSync(resultFile), `no result file; output:\n${output}`);
      const result = JSON.parse(readFileSync(resultFile, 'utf8')) as { pids: number[]; aliveAfterTeardown: number[] | null };
      assert.equal(result.pids.length, 3);
      assert.deepEqual(result.aliveAfterTeardown, [], 'after() ran lab.teardown() and every server was gone');
      await assertGone(result.pids, 3000);
    } finally {
      rmSync(resultFile, { force: true });
    }
  });
});
