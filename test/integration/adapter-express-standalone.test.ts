// The Express example, spawned as its own process against a lab node: the API, health,
// metrics, 503s while Redis hangs, and the SIGTERM sequence (readiness first, in-flight
// request completes, Redis closes, exit 0, no error logged).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createLab, waitFor, type RedisNode } from '../support/lab.js';
import { request } from '../express/express-test-helpers.js';

const root = join(import.meta.dirname, '..', '..', '..');
const mainJs = join(root, '.build', 'examples', 'express-standalone', 'main.js');

interface Example {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function startExample(node: RedisNode, lab: ReturnType<typeof createLab>, env: Record<string, string> = {}): Promise<Example> {
  const child = spawn(process.execPath, [mainJs], {
    cwd: root,
    env: { ...process.env, REDIS_HOST: node.host, REDIS_PORT: String(node.port), PORT: '0', SHUTDOWN_GRACE_MS: '400', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  lab.defer(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const url = await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`example exited early (${child.exitCode}): ${err}`);
      const line = out.split('\n').find((l) => l.startsWith('{"listening"'));
      return line ? (JSON.parse(line) as { listening: string }).listening : undefined;
    },
    { timeoutMs: 15_000, what: 'the example to print its address', diagnose: () => `stdout: ${out}\nstderr: ${err}` },
  );
  return { child, url, stderr: () => err, exited };
}

describe('examples/express-standalone', { timeout: 90_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());
  let node: RedisNode;

  before(async () => {
    node = await lab.standalone();
  });

  test('API, health and metrics work against the lab node', async () => {
    const ex = await startExample(node, lab);
    try {
      assert.equal((await request(`${ex.url}/kv/greeting`, { method: 'PUT', body: 'hello' })).status, 204);
      assert.deepEqual((await request(`${ex.url}/kv/greeting`)).body, { key: 'greeting', value: 'hello' });
      assert.equal((await request(`${ex.url}/kv/missing`)).status, 404);
      assert.equal(await node.command('GET', 'kv:greeting'), 'hello');
      const ready = await request(`${ex.url}/health/ready`);
      assert.equal(ready.status, 200);
      assert.deepEqual(ready.body.info.kv, { status: 'up', mode: 'standalone' });
      const metrics = await request(`${ex.url}/metrics`);
      assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      assert.match(metrics.body, /redis_resilience_commands_total\{[^}]*client="kv"[^}]*outcome="success"[^}]*\} [1-9]/);
    } finally {
      ex.child.kill('SIGKILL');
      await ex.exited;
    }
  });

  test('a hung Redis (SIGSTOP): every request answers 503 with Retry-After within the deadline; readiness 503; liveness 200', async () => {
    const ex = await startExample(node, lab);
    try {
      assert.equal((await request(`${ex.url}/kv/a`)).status, 404);
      await node.pause();
      const started = performance.now();
      const results = await Promise.all(
        Array.from({ length: 12 }, async (_, i) => {
          await new Promise((r) => setTimeout(r, i * 200));
          const t0 = performance.now();
          const res = await request(`${ex.url}/kv/a`);
          return { status: res.status, retryAfter: res.headers.get('retry-after'), ms: performance.now() - t0 };
        }),
      );
      // Standalone preset: 2 s total deadline; 500 ms margin for a loaded 2-core machine.
      for (const r of results) {
        assert.equal(r.status, 503);
        assert.ok(Number(r.retryAfter) >= 1, `Retry-After ${r.retryAfter}`);
        assert.ok(r.ms < 2500, `answered in ${Math.round(r.ms)} ms`);
      }
      // The first calls wait out their 1 s attempt; three timeouts in a row open the breaker
      // (~1.4 s in). From then on calls fail without waiting for the hung node, except the
      // one half-open probe per reset period, which pays one attempt timeout.
      const late = results.slice(8);
      const fast = late.filter((r) => r.ms < 150).length;
      assert.ok(fast >= late.length / 2, `breaker open: fast failures ${results.map((r) => Math.round(r.ms)).join(' ')}`);
      await waitFor(async () => (await request(`${ex.url}/health/ready`)).status === 503, { timeoutMs: 5000, what: 'readiness 503' });
      assert.equal((await request(`${ex.url}/health/live`)).status, 200);
      await node.resume();
      await waitFor(async () => (await request(`${ex.url}/kv/a`)).status === 404, { timeoutMs: 10_000, what: 'service to recover' });
      assert.equal((await request(`${ex.url}/health/ready`)).status, 200);
      assert.ok(performance.now() - started < 20_000);
    } finally {
      if (node.status === 'paused') await node.resume();
      ex.child.kill('SIGKILL');
      await ex.exited;
    }
  });

  test('SIGTERM: readiness 503 first, the in-flight request completes, Redis closes, exit 0, nothing logged as error', async () => {
    const ex = await startExample(node, lab);
    assert.equal((await request(`${ex.url}/health/ready`)).status, 200);
    const slow = request(`${ex.url}/slow?ms=1200`);
    await new Promise((r) => setTimeout(r, 150)); // the request is in its handler now
    const sentAt = performance.now();
    ex.child.kill('SIGTERM');
    // During the grace period the listener still answers, with readiness failed.
    const ready = await waitFor(
      async () => {
        const res = await request(`${ex.url}/health/ready`);
        return res.status === 503 ? res : undefined;
      },
      { timeoutMs: 2000, what: 'readiness to fail after SIGTERM' },
    );
    assert.equal(ready.body.status, 'shutting_down');
    const readyFailedMs = performance.now() - sentAt;
    const answered = await slow;
    assert.equal(answered.status, 200, 'the in-flight request completes');
    assert.equal(answered.body.waitedMs, 1200);
    assert.ok(answered.body.hits >= 1, 'it still reached Redis during shutdown');
    const exit = await ex.exited;
    assert.deepEqual(exit, { code: 0, signal: null });
    const log = ex.stderr();
    assert.doesNotMatch(log, /ERROR|Error|WARN/, `stderr:\n${log}`);
    // The order, from the process's own log: readiness fails, HTTP drains, then Redis closes.
    const at = (needle: string) => {
      const i = log.indexOf(needle);
      assert.ok(i >= 0, `log has "${needle}":\n${log}`);
      return i;
    };
    assert.ok(at('shutdown started (SIGTERM)') < at('HTTP server closed') && at('HTTP server closed') < at('client.closed'));
    assert.ok(at('client.closed') < at('Redis clients closed'));
    assert.ok(readyFailedMs < 400, `readiness failed ${Math.round(readyFailedMs)} ms after SIGTERM`);
  });
});
