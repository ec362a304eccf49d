// Retry safety of one failed attempt, and of a pipeline or transaction as a whole.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getCommandSafety, getPipelineSafety, isRetrySafe, type CommandSafety } from '../../../src/core/policy/command-safety.js';
import type { Execution } from '../../../src/core/policy/failure-scenario.js';

const EXECUTIONS: readonly Execution[] = ['not-executed', 'unknown', 'executed'];

describe('isRetrySafe', () => {
  const samples: [string, unknown[], CommandSafety][] = [
    ['get', ['k'], 'read'],
    ['set', ['k', 'v'], 'idempotent'],
    ['incr', ['k'], 'unsafe'],
    ['set', ['k', 'v', 'NX'], 'unsafe'],
  ];
  for (const [name, args, safety] of samples) {
    for (const execution of EXECUTIONS) {
      const expected = execution === 'not-executed' || (execution === 'unknown' && safety !== 'unsafe');
      it(`${name} ${args.join(' ')} when ${execution}: ${expected}`, () => {
        assert.equal(isRetrySafe(name, args, execution), expected);
      });
    }
  }

  it('retries an unknown command only when it surely did not run', () => {
    assert.equal(isRetrySafe('json.set', undefined, 'not-executed'), true);
    assert.equal(isRetrySafe('json.set', undefined, 'unknown'), false);
  });
});

const cmd = (name: string, ...args: unknown[]) => ({ name, args });

describe('getPipelineSafety', () => {
  it('is the least safe member', () => {
    assert.equal(getPipelineSafety([]), 'read');
    assert.equal(getPipelineSafety([cmd('get', 'a'), cmd('mget', 'a', 'b')]), 'read');
    assert.equal(getPipelineSafety([cmd('get', 'a'), cmd('set', 'a', '1')]), 'idempotent');
    assert.equal(getPipelineSafety([cmd('set', 'a', '1'), cmd('incr', 'b'), cmd('get', 'a')]), 'unsafe');
    assert.equal(getPipelineSafety([cmd('get', 'a'), cmd('set', 'a', '1', 'NX')]), 'unsafe');
    assert.equal(getPipelineSafety([{ name: 'get' }, { name: 'del', args: ['a'] }]), 'idempotent');
  });

  it('skips MULTI and EXEC framing, in any case', () => {
    assert.equal(getPipelineSafety([cmd('multi'), cmd('set', 'a', '1'), cmd('expire', 'a', 10), cmd('exec')]), 'idempotent');
    assert.equal(getPipelineSafety([cmd('MULTI'), cmd('get', 'a'), cmd('Exec')]), 'read');
    assert.equal(getPipelineSafety([cmd('multi'), cmd('incr', 'a'), cmd('exec')]), 'unsafe');
    assert.equal(getCommandSafety('exec'), 'unsafe');
  });

  it('a watched transaction is unsafe: its EXEC answers whether the watched keys stayed untouched', () => {
    const tx = [cmd('multi'), cmd('set', 'a', '1'), cmd('exec')];
    assert.equal(getPipelineSafety([cmd('watch', 'a'), ...tx]), 'unsafe');
    assert.equal(getPipelineSafety([cmd('WATCH', 'a'), cmd('MULTI'), cmd('get', 'a'), cmd('EXEC')]), 'unsafe');
    assert.equal(getPipelineSafety(tx, { watched: true }), 'unsafe');
    assert.equal(getPipelineSafety(tx.slice(1, -1), { watched: true }), 'unsafe');
    // UNWATCH before the transaction, or a WATCH with no EXEC after it, leaves it as it was.
    assert.equal(getPipelineSafety([cmd('watch', 'a'), cmd('unwatch'), ...tx]), 'idempotent');
    assert.equal(getPipelineSafety([cmd('watch', 'a'), cmd('get', 'a')]), 'idempotent');
    assert.equal(getPipelineSafety(tx, { watched: false }), 'idempotent');
  });
});
