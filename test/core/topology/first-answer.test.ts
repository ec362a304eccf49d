import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NoAnswerError, firstAnswer } from '../../../src/core/topology/first-answer.js';

/** A candidate that answers after `ms` (or never), or fails after `ms`. */
interface Fake {
  name: string;
  ms: number | 'never';
  fails?: boolean;
}

function ask(log: Array<{ name: string; at: number }>, t0: number) {
  return (c: Fake): Promise<string> => {
    log.push({ name: c.name, at: performance.now() - t0 });
    if (c.ms === 'never') return new Promise(() => {});
    const ms = c.ms;
    return new Promise((resolve, reject) => setTimeout(() => (c.fails ? reject(new Error(`${c.name} failed`)) : resolve(c.name)), ms));
  };
}

describe('firstAnswer', () => {
  it('asks only the first candidate when it answers quickly', async () => {
    const log: Array<{ name: string; at: number }> = [];
    const result = await firstAnswer(
      [
        { name: 'a', ms: 1 },
        { name: 'b', ms: 1 },
      ],
      ask(log, performance.now()),
      { staggerMs: 200, timeoutMs: 1000 },
    );
    assert.equal(result.value, 'a');
    assert.deepEqual(
      log.map((l) => l.name),
      ['a'],
    );
  });

  it('a hung candidate costs one stagger, not the whole timeout', async () => {
    const log: Array<{ name: string; at: number }> = [];
    const t0 = performance.now();
    const result = await firstAnswer(
      [
        { name: 'hung', ms: 'never' },
        { name: 'ok', ms: 1 },
      ],
      ask(log, t0),
      { staggerMs: 50, timeoutMs: 5000 },
    );
    const took = performance.now() - t0;
    assert.equal(result.value, 'ok');
    assert.equal(result.from.name, 'ok');
    assert.ok(took >= 45 && took < 1000, `took ${took} ms`);
  });

  it('asks the next one at once when a candidate fails fast', async () => {
    const log: Array<{ name: string; at: number }> = [];
    const t0 = performance.now();
    const result = await firstAnswer(
      [
        { name: 'refused', ms: 1, fails: true },
        { name: 'ok', ms: 1 },
      ],
      ask(log, t0),
      { staggerMs: 5000, timeoutMs: 10_000 },
    );
    assert.equal(result.value, 'ok');
    assert.ok(log[1]!.at < 1000, `second asked after ${log[1]!.at} ms`);
  });

  it('rejects with every error when all fail', async () => {
    const error = await firstAnswer(
      [
        { name: 'a', ms: 1, fails: true },
        { name: 'b', ms: 2, fails: true },
      ],
      ask([], 0),
      { staggerMs: 10, timeoutMs: 1000 },
    ).then(
      () => assert.fail('should reject'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof NoAnswerError);
    assert.equal(error.errors.length, 2);
    assert.match(error.message, /all 2 asked failed/);
  });

  it('rejects after the timeout when nobody answers, and when there is nobody to ask', async () => {
    const t0 = performance.now();
    await assert.rejects(
      firstAnswer([{ name: 'hung', ms: 'never' }], ask([], t0), { staggerMs: 10, timeoutMs: 60 }),
      /no answer within 60 ms/,
    );
    assert.ok(performance.now() - t0 < 1000);
    await assert.rejects(firstAnswer([], ask([], t0), { staggerMs: 10, timeoutMs: 60 }), NoAnswerError);
  });
});
