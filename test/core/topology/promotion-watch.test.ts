// ROLE probes: at most 4 per client per second, one replica per tick, not in step across clients.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Command } from 'ioredis';
import type { Endpoint } from '../../../src/core/endpoint/endpoint.js';
import { PROMOTION_POLL_MS, PromotionWatch, type WatchedReplica } from '../../../src/core/topology/promotion-watch.js';
import { FakeClock } from './fake-clock.js';

function replica(name: string, asked: Array<{ name: string; at: number }>, clock: FakeClock, reply: () => unknown): Endpoint {
  return {
    id: name,
    ready: true,
    client: {
      // Settling the command itself clears the timeout it carries.
      sendCommand: (command: Command) => {
        asked.push({ name, at: clock.time });
        command.resolve(reply());
        return command.promise;
      },
    },
  } as unknown as Endpoint;
}

describe('PromotionWatch', () => {
  it('asks one replica per tick in turn, at most 4 per second, and reports the one that says master', async () => {
    const clock = new FakeClock(() => 0.5);
    const asked: Array<{ name: string; at: number }> = [];
    let promotedAt = Number.POSITIVE_INFINITY;
    const role = (): unknown => [clock.time >= promotedAt ? 'master' : 'slave'];
    const watched: WatchedReplica[] = [0, 1, 2].map((i) => ({ shard: 0, replica: replica(`r${i}`, asked, clock, role) }));
    const seen: string[] = [];
    const watch = new PromotionWatch(
      () => watched,
      (w) => seen.push(w.replica.id),
      1000,
      PROMOTION_POLL_MS,
      clock,
    );
    watch.poke();
    watch.poke();
    await clock.advance(10_000);
    assert.ok(asked.length <= 4 * 10 + 1, `${asked.length} probes in 10 s`);
    assert.ok(asked.length >= 4 * 10 - 1, `${asked.length} probes in 10 s`);
    assert.deepEqual(
      asked.slice(0, 4).map((a) => a.name),
      ['r0', 'r1', 'r2', 'r0'],
    );
    promotedAt = clock.time;
    await clock.advance(PROMOTION_POLL_MS * 1.1 * 3);
    assert.ok(seen.length > 0);
    watch.stop();
  });

  it('starts at a random part of a gap, so clients poked together do not probe in step', async () => {
    const starts: number[] = [];
    for (const r of [0.05, 0.5, 0.95]) {
      const clock = new FakeClock(() => r);
      const asked: Array<{ name: string; at: number }> = [];
      const w = new PromotionWatch(
        () => [{ shard: 0, replica: replica('r', asked, clock, () => ['slave']) }],
        () => {},
        1000,
        PROMOTION_POLL_MS,
        clock,
      );
      w.poke();
      await clock.advance(300);
      starts.push(asked[0]!.at);
      w.stop();
    }
    assert.deepEqual(starts, [12.5, 125, 237.5]);
  });

  it('stays idle while no shard is failing', async () => {
    const clock = new FakeClock(() => 0.5);
    const w = new PromotionWatch(
      () => [],
      () => {},
      1000,
      PROMOTION_POLL_MS,
      clock,
    );
    w.poke();
    assert.equal(w.active, false);
    assert.equal(clock.pendingDelay(), undefined);
  });
});
