import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeBackoffMs } from '../../../src/core/policy/backoff.js';

/** Small seeded PRNG (mulberry32) so the sampled bounds are reproducible. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const POLICY = { baseMs: 50, maxMs: 2000 };
const ceilingOf = (attempt: number): number => Math.min(POLICY.maxMs, POLICY.baseMs * 2 ** (attempt - 1));
const ALMOST_ONE = 1 - Number.EPSILON;
const top = (attempt: number): number => computeBackoffMs(attempt, POLICY, () => ALMOST_ONE);

describe('computeBackoffMs', () => {
  it('stays within [0, ceiling) over many seeded samples', () => {
    const random = seeded(42);
    for (let attempt = 1; attempt <= 20; attempt++) {
      for (let i = 0; i < 2000; i++) {
        const delay = computeBackoffMs(attempt, POLICY, random);
        assert.ok(delay >= 0 && delay < ceilingOf(attempt), `attempt ${attempt}: ${delay}`);
      }
    }
  });

  it('spreads delays over the whole range (full jitter)', () => {
    const random = seeded(7);
    const samples = Array.from({ length: 20000 }, () => computeBackoffMs(4, POLICY, random));
    const ceiling = ceilingOf(4);
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    assert.ok(Math.abs(mean - ceiling / 2) < ceiling * 0.02, `mean ${mean}`);
    assert.ok(Math.min(...samples) < ceiling * 0.01);
    assert.ok(Math.max(...samples) > ceiling * 0.99);
  });

  it('doubles the ceiling per retry until the cap', () => {
    assert.ok(Math.abs(top(1) - 50) < 1e-9);
    assert.ok(Math.abs(top(2) - 100) < 1e-9);
    assert.ok(Math.abs(top(3) - 200) < 1e-9);
    assert.ok(Math.abs(top(6) - 1600) < 1e-9);
    assert.ok(Math.abs(top(7) - 2000) < 1e-9);
    for (let attempt = 2; attempt <= 6; attempt++) assert.ok(top(attempt) > top(attempt - 1));
  });

  it('never exceeds the cap, even for huge attempt numbers', () => {
    for (const attempt of [7, 30, 64, 1024, 1e6, Number.MAX_SAFE_INTEGER, Infinity]) {
      const delay = computeBackoffMs(attempt, POLICY, () => ALMOST_ONE);
      assert.ok(Number.isFinite(delay) && delay <= POLICY.maxMs, `attempt ${attempt}: ${delay}`);
    }
  });

  it('scales linearly with random()', () => {
    assert.equal(
      computeBackoffMs(3, POLICY, () => 0),
      0,
    );
    assert.equal(
      computeBackoffMs(3, POLICY, () => 0.5),
      100,
    );
    assert.equal(
      computeBackoffMs(3, POLICY, () => 0.25),
      50,
    );
  });

  it('treats attempts below 1 and NaN as the first retry', () => {
    for (const attempt of [0, -3, 0.5, Number.NaN]) {
      assert.equal(
        computeBackoffMs(attempt, POLICY, () => 0.5),
        25,
        String(attempt),
      );
    }
    assert.equal(
      computeBackoffMs(2.9, POLICY, () => 0.5),
      50,
    );
  });

  it('returns 0 for a zero or negative policy', () => {
    assert.equal(
      computeBackoffMs(5, { baseMs: 0, maxMs: 1000 }, () => 0.9),
      0,
    );
    assert.equal(
      computeBackoffMs(5, { baseMs: 100, maxMs: 0 }, () => 0.9),
      0,
    );
    assert.equal(
      computeBackoffMs(5, { baseMs: -1, maxMs: -1 }, () => 0.9),
      0,
    );
    assert.equal(
      computeBackoffMs(2000, { baseMs: 0, maxMs: 1000 }, () => 0.9),
      0,
    );
  });

  it('uses Math.random by default', () => {
    for (let i = 0; i < 100; i++) {
      const delay = computeBackoffMs(2, POLICY);
      assert.ok(delay >= 0 && delay < 100);
    }
  });
});
