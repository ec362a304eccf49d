// A clock for the topology schedules: time only moves when the test says so.
import assert from 'node:assert/strict';
import type { RefresherClock } from '../../../src/core/topology/topology-refresher.js';
import type { WatchClock } from '../../../src/core/topology/watch-clock.js';

export const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

/** A clock whose time only moves when the test says so. */
export class FakeClock implements RefresherClock, WatchClock {
  time = 0;
  constructor(private readonly values: () => number = () => 0.5) {}
  random(): number {
    return this.values();
  }
  private timers: Array<{ at: number; run: () => void; id: number }> = [];
  private nextId = 1;

  now(): number {
    return this.time;
  }
  setTimer(run: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, run, id });
    return id;
  }
  clearTimer(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  /** The delay of the one pending timer, relative to now (undefined when none). */
  pendingDelay(): number | undefined {
    assert.ok(this.timers.length <= 1, `one timer at a time, found ${this.timers.length}`);
    return this.timers[0] === undefined ? undefined : this.timers[0].at - this.time;
  }
  /** Moves time forward, firing due timers in order and letting promises settle in between. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.run();
    }
    this.time = end;
    await settle();
  }
}
