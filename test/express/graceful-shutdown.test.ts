import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import { attachGracefulShutdown, createHealthRouter, createResilience } from '../../src/express/index.js';
import { closedPort, downClient } from '../nestjs/nest-test-helpers.js';
import { waitFor } from '../support/wait.js';
import { request, serve } from './express-test-helpers.js';

/** Records log lines so a test can assert what was (and was not) logged. */
function recordingLogger() {
  const lines: string[] = [];
  return {
    lines,
    logger: {
      log: (m: string) => lines.push(`INFO ${m}`),
      warn: (m: string) => lines.push(`WARN ${m}`),
      error: (m: string) => lines.push(`ERROR ${m}`),
    },
  };
}

async function setup(slowMs: number) {
  const resilience = createResilience(downClient(await closedPort()));
  const timeline: string[] = [];
  const realClose = resilience.close;
  resilience.close = async () => {
    timeline.push('redis-close');
    await realClose();
  };
  const app = express();
  app.use('/health', createHealthRouter(resilience));
  app.get('/slow', (_req, res) => {
    const timer = setTimeout(() => {
      timeline.push('slow-answered');
      res.json({ ok: true });
    }, slowMs);
    // A request cut off by the drain timeout must not leave its timer holding the process.
    res.once('close', () => clearTimeout(timer));
  });
  const server = await serve(app);
  return { resilience, timeline, server };
}

describe('attachGracefulShutdown', { timeout: 30_000 }, () => {
  test('readiness fails first, the in-flight request completes, then Redis closes, then exit(0)', async () => {
    const { resilience, timeline, server } = await setup(600);
    const { lines, logger } = recordingLogger();
    let exitCode: number | undefined;
    const handle = attachGracefulShutdown(server.server, resilience, {
      signals: [],
      readinessGraceMs: 300,
      logger,
      exit: (code) => (exitCode = code),
    });
    try {
      const slow = request(`${server.url}/slow`);
      await new Promise((resolve) => setTimeout(resolve, 50)); // let the request reach the handler
      const started = performance.now();
      const done = handle.shutdown('test');
      // During the grace period the listener still answers, and readiness says 503.
      const ready = await request(`${server.url}/health/ready`);
      assert.equal(ready.status, 503);
      assert.equal(ready.body.status, 'shutting_down');
      assert.equal(ready.headers.get('connection'), 'close', 'keep-alive clients are told to go elsewhere');
      const answered = await slow;
      assert.equal(answered.status, 200, 'the in-flight request completes');
      assert.equal(await done, 0);
      const elapsed = performance.now() - started;
      // ~850 ms of grace and slow request; an idle keep-alive socket must not add its
      // multi-second idle timeout on top.
      assert.ok(elapsed < 2500, `shutdown took ${Math.round(elapsed)} ms`);
      assert.equal(exitCode, 0);
      assert.deepEqual(timeline, ['slow-answered', 'redis-close']);
      assert.equal(resilience.client().status, 'end');
      await assert.rejects(fetch(`${server.url}/health/live`, { signal: AbortSignal.timeout(2000) }), 'the listener is closed');
      assert.deepEqual(
        lines.filter((l) => !l.startsWith('INFO')),
        [],
        'nothing but info lines',
      );
      assert.equal(await handle.shutdown('again'), 0, 'runs once');
    } finally {
      handle.detach();
      await server.close();
      await resilience.close();
    }
  });

  test('requests still open after drainMs are cut, and Redis still closes', async () => {
    const { resilience, timeline, server } = await setup(20_000);
    const { lines, logger } = recordingLogger();
    const handle = attachGracefulShutdown(server.server, resilience, { signals: [], drainMs: 200, logger, exit: false });
    try {
      const hung = fetch(`${server.url}/slow`, { signal: AbortSignal.timeout(10_000) }).then(
        () => 'answered',
        () => 'cut',
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = performance.now();
      assert.equal(await handle.shutdown(), 0);
      assert.ok(performance.now() - started < 3000, 'bounded by drainMs plus the Redis close');
      assert.equal(await hung, 'cut');
      assert.deepEqual(timeline, ['redis-close']);
      assert.ok(lines.some((l) => l.startsWith('WARN') && l.includes('cut off')));
    } finally {
      handle.detach();
      await server.close();
      await resilience.close();
    }
  });

  test('a signal starts it; detach removes the handlers; a failed step exits 1 with an error line', async () => {
    const { resilience, server } = await setup(0);
    const { lines, logger } = recordingLogger();
    const codes: number[] = [];
    resilience.close = () => Promise.reject(new Error('close exploded'));
    const before = process.listenerCount('SIGUSR2');
    const handle = attachGracefulShutdown(server.server, resilience, { signals: ['SIGUSR2'], logger, exit: (c) => codes.push(c) });
    try {
      assert.equal(process.listenerCount('SIGUSR2'), before + 1);
      process.emit('SIGUSR2', 'SIGUSR2');
      await waitFor(() => codes.length > 0, { timeoutMs: 5000, what: 'the shutdown to finish' });
      assert.deepEqual(codes, [1]);
      assert.ok(lines.some((l) => l === 'ERROR shutdown failed: close exploded'));
      assert.ok(lines[0]!.includes('(SIGUSR2)'));
    } finally {
      handle.detach();
      assert.equal(process.listenerCount('SIGUSR2'), before);
      await server.close();
      await resilience.registry.closeAll();
    }
  });
});
