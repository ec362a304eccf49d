// The promise at the heart of the library, as a property: whatever mix of commands and faults
// (a reply that never comes, a reset after the write, a refusal before executing), no command
// that is not retry-safe is executed twice, every call settles within its deadline, and a
// success reported for such a command means it ran exactly once. A scripted server counts
// executions per key (fast-check picks the commands, their faults and their interleaving).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as fc from 'fast-check';
import { createResilientRedis, silentLogger, type ResilientRedis } from '../../src/index.js';
import { startCountingServer, type CountingServer, type Fault } from '../support/counting-server.js';

type Op = { readonly cmd: 'incr' | 'lpush' | 'set' | 'get'; readonly fault: Fault };
const UNSAFE: ReadonlySet<Op['cmd']> = new Set(['incr', 'lpush']);
const totalTimeoutMs = 800;

describe('no unsafe command is executed twice, whatever the faults', { timeout: 120_000 }, () => {
  let server: CountingServer;
  let redis: ResilientRedis;
  let run = 0;

  before(async () => {
    server = await startCountingServer();
    redis = createResilientRedis({
      name: 'resend-property',
      mode: 'standalone',
      node: { host: '127.0.0.1', port: server.port },
      logger: silentLogger,
      metrics: { enabled: false },
      policy: { attemptTimeoutMs: 100, totalTimeoutMs, backoffBaseMs: 5, backoffMaxMs: 20, maxAttempts: 4 },
      // The breaker is not under test here: keep it closed so every call reaches the server.
      breaker: { consecutiveFailuresToOpen: 10_000, volumeThreshold: 10_000 },
    });
    await redis.connect();
  });
  after(async () => {
    redis.disconnect();
    await server.close();
  });

  test('property: executions of unsafe commands ≤ 1; a reported success ran exactly once', async () => {
    const op = fc.record({
      cmd: fc.constantFrom<Op['cmd']>('incr', 'lpush', 'set', 'get'),
      fault: fc.constantFrom<Fault>('none', 'none', 'hang', 'reset', 'refuse'),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 8 }), async (ops) => {
        run++;
        const keys = ops.map((_, i) => `p${run}:${i}`);
        ops.forEach((o, i) => server.plan(keys[i]!, o.fault));
        const start = performance.now();
        const outcomes = await Promise.allSettled(
          ops.map((o, i) =>
            o.cmd === 'set' ? redis.set(keys[i]!, 'v') : o.cmd === 'lpush' ? redis.lpush(keys[i]!, 'x') : redis[o.cmd](keys[i]!),
          ),
        );
        assert.ok(performance.now() - start < totalTimeoutMs + 300, 'every call settled within its deadline');
        ops.forEach((o, i) => {
          const executed = server.executed.get(keys[i]!) ?? 0;
          if (!UNSAFE.has(o.cmd)) return;
          assert.ok(executed <= 1, `${o.cmd} with fault ${o.fault} executed ${executed} times`);
          if (outcomes[i]!.status === 'fulfilled') assert.equal(executed, 1, `${o.cmd} reported success but executed ${executed} times`);
        });
      }),
      { numRuns: 15, interruptAfterTimeLimit: 60_000 },
    );
    assert.ok(run >= 10, `the property ran ${run} times`);
  });
});
