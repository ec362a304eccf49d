// Issue 15, defect 10: metric series follow the clients and nodes that exist. A closed client's
// series go away, a departed node's counts are kept (folded into node="retired") so that no
// counter ever goes down, and a ClientRegistry that fails on one client leaves nothing behind.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { Subject } from 'rxjs';
import { EndpointStats } from '../../../src/core/endpoint/endpoint-stats.js';
import type { ResilienceEvent } from '../../../src/core/events/resilience-event.js';
import { attachClientMetrics } from '../../../src/core/metrics/client-metrics.js';
import { ClientRegistry, createResilientRedis, isInvalidOptionsError, silentLogger } from '../../../src/index.js';

/** Sample lines (not comments) of the exposition, optionally only those matching `pattern`. */
async function series(registry: Registry, pattern?: RegExp): Promise<string[]> {
  return (await registry.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#') && (!pattern || pattern.test(l)));
}

/** Sum of `redis_resilience_<name>` samples for `client`. */
async function total(registry: Registry, name: string, client: string): Promise<number> {
  const re = new RegExp(`^redis_resilience_${name}\\{[^}]*client="${client}"[^}]*\\} (\\S+)$`);
  return (await series(registry)).reduce((sum, l) => sum + Number(re.exec(l)?.[1] ?? 0), 0);
}

describe('metric series lifecycle', { timeout: 20_000 }, () => {
  test('20 create/close cycles leave no series of the closed clients', async () => {
    const registry = new Registry();
    for (let i = 0; i < 20; i++) {
      const client = createResilientRedis({
        name: `cycle-${i}`,
        mode: 'standalone',
        node: { host: '127.0.0.1', port: 1 },
        logger: silentLogger,
        metrics: { registry },
      });
      // An event-driven series (breaker transitions) and the scrape-time ones.
      assert.ok(client.controlBreaker('127.0.0.1:1', 'open'));
      assert.ok((await series(registry, new RegExp(`client="cycle-${i}"`))).length > 0, 'the live client has series');
      await client.close();
    }
    assert.deepEqual(await series(registry, /client="cycle-/), []);
  });

  test('commands_total never goes down when an endpoint is retired, and departed nodes fold into node="retired"', async () => {
    const registry = new Registry();
    const events = new Subject<ResilienceEvent>();
    const a = new EndpointStats();
    const b = new EndpointStats();
    a.ok = 100;
    a.recordError('timeout');
    a.recordDuration(1);
    b.ok = 50;
    const live = [
      { node: '10.0.0.1:6379', stats: a },
      { node: '10.0.0.2:6379', stats: b },
    ];
    const detach = attachClientMetrics(
      {
        client: 'swap',
        *nodes() {
          for (const n of live)
            yield { node: n.node, role: 'primary', stats: n.stats, breaker: 'closed' as const, ready: true, queueDepth: 0 };
        },
        inFlight: () => 0,
      },
      events,
      { registry },
    );
    events.next({ type: 'breaker.opened', node: '10.0.0.1:6379', failureRate: 1, forced: false } as ResilienceEvent);
    const before = await total(registry, 'commands_total', 'swap');
    assert.equal(before, 151);
    const durationBefore = await total(registry, 'command_duration_seconds_count', 'swap');
    // The first endpoint is swapped out; it served a few more calls before it was.
    a.ok += 5;
    live.shift();
    assert.equal(await total(registry, 'commands_total', 'swap'), 156, 'the retired endpoint keeps counting in the total');
    assert.equal(await total(registry, 'command_duration_seconds_count', 'swap'), durationBefore);
    const lines = await series(registry, /client="swap"/);
    assert.ok(!lines.some((l) => l.includes('10.0.0.1:6379')), `no series of the departed node:\n${lines.join('\n')}`);
    assert.ok(
      lines.some((l) => /breaker_transitions_total\{.*node="retired".*\} 1$/.test(l)),
      'its breaker transition is kept, folded',
    );
    // Several departures in a row: the series count stays bounded.
    for (let i = 0; i < 10; i++) {
      const stats = new EndpointStats();
      stats.ok = 1;
      live.push({ node: `10.0.1.${i}:6379`, stats });
      await registry.metrics();
      live.pop();
    }
    assert.equal(await total(registry, 'commands_total', 'swap'), 166);
    assert.ok((await series(registry, /^redis_resilience_commands_total\{.*client="swap"/)).length <= 4);
    detach();
    assert.deepEqual(await series(registry, /client="swap"/), []);
  });

  test('a ClientRegistry that fails on one client leaves the clients built before it unregistered', async () => {
    const registry = new Registry();
    const standalone = (name: string, port: number) =>
      ({ name, mode: 'standalone', node: { host: '127.0.0.1', port }, logger: silentLogger, metrics: { registry } }) as const;
    // Port 0 is refused by validation: the second client fails after the first was built.
    const good = standalone('first', 1);
    const bad = standalone('second', 0);
    assert.throws(() => new ClientRegistry([good, bad]), isInvalidOptionsError);
    assert.deepEqual(await series(registry, /client="first"/), []);
  });
});
