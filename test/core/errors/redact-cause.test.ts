// Issue 15, defect 1 (error half): the handshake command ioredis attaches to its errors
// (AUTH / HELLO … AUTH) must not carry the password into any cause the library keeps.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, test } from 'node:test';
import { ConnectFailedError, CommandTimeoutError } from '../../../src/index.js';

const SECRET = 'pw-7f3a9c-never-shown';

function outputsOf(error: Error): string {
  const depths = [0, 1, 2, 4, 8, Infinity];
  return [...depths.map((depth) => inspect(error, { depth })), JSON.stringify(error), String(error), error.stack ?? ''].join('\n');
}

describe('causes are stripped of handshake credentials', { timeout: 10_000 }, () => {
  test('AUTH and HELLO arguments, on the cause and deeper in its chain', () => {
    const auth = Object.assign(new Error('WRONGPASS invalid username-password pair'), { command: { name: 'auth', args: ['app', SECRET] } });
    const hello = Object.assign(new Error('NOPROTO'), { command: { name: 'HELLO', args: ['3', 'AUTH', 'app', SECRET] } });
    const wrapped = new Error('handshake failed', { cause: hello });
    const aggregate = new AggregateError([Object.assign(new Error('x'), { command: { name: 'auth', args: [SECRET] } })], 'all nodes');
    for (const cause of [auth, wrapped, aggregate]) {
      const error = new ConnectFailedError('app', 'refused', 'auth', cause);
      const text = outputsOf(error);
      assert.ok(text.includes('[redacted]') || text.includes('all nodes'), 'the cause is still there to diagnose');
      assert.ok(!text.includes(SECRET), `secret leaked:\n${text}`);
    }
    assert.deepEqual((auth as unknown as { command: unknown }).command, { name: 'auth', args: ['[redacted]', '[redacted]'] });
  });

  test("other commands keep their arguments (they are the caller's, and diagnosis needs them)", () => {
    const cause = Object.assign(new Error('timeout'), { command: { name: 'get', args: ['user:1'] } });
    const error = new CommandTimeoutError({ client: 'app', node: '127.0.0.1:6379', command: 'get' }, 500, cause);
    assert.deepEqual((error.cause as { command: unknown }).command, { name: 'get', args: ['user:1'] });
  });

  test('a cyclic cause chain terminates', () => {
    const a = new Error('a') as Error & { cause?: unknown; command?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    a.command = { name: 'auth', args: [SECRET] };
    const error = new ConnectFailedError('app', 'refused', 'auth', b);
    assert.ok(!inspect(error, { depth: 20 }).includes(SECRET));
  });
});
