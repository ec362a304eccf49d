// Options are validated at construction and every problem is listed in one error, so a
// misconfigured service fails at boot with the whole list instead of one fix per deploy.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCodes, InvalidOptionsError, isInvalidOptionsError, policyPresets, resolveOptions, silentLogger } from '../../../src/index.js';

/** Runs `resolveOptions` and returns the problems it listed (fails if it did not throw). */
function problemsOf(options: unknown): readonly string[] {
  try {
    resolveOptions(options);
  } catch (error) {
    assert.ok(isInvalidOptionsError(error), `expected InvalidOptionsError, got ${String(error)}`);
    assert.ok(error instanceof InvalidOptionsError);
    assert.equal(error.code, ErrorCodes.invalidOptions);
    for (const p of error.problems) assert.ok(error.message.includes(p), `message lists "${p}"`);
    return error.problems;
  }
  assert.fail('resolveOptions accepted invalid options');
}

/** Asserts that each pattern matches exactly one problem and that nothing else was reported. */
function assertExactly(problems: readonly string[], patterns: readonly RegExp[]): void {
  for (const pattern of patterns) {
    const hits = problems.filter((p) => pattern.test(p));
    assert.equal(hits.length, 1, `${pattern} should match exactly one of:\n${problems.join('\n')}`);
  }
  assert.equal(problems.length, patterns.length, `unexpected extra problems:\n${problems.join('\n')}`);
}

describe('resolveOptions', { timeout: 10_000 }, () => {
  test('valid standalone options get the standalone preset, frozen', () => {
    const resolved = resolveOptions({ name: 'cache', mode: 'standalone', node: { host: '127.0.0.1', port: 6379 }, logger: silentLogger });
    assert.deepEqual(resolved.policy, policyPresets.standalone);
    assert.equal(resolved.required, true);
    assert.ok(Object.isFrozen(resolved) && Object.isFrozen(resolved.policy) && Object.isFrozen(resolved.breaker));
  });

  test('overrides are merged field by field over the preset', () => {
    const resolved = resolveOptions({
      mode: 'standalone',
      node: { host: 'localhost', port: 1 },
      policy: { attemptTimeoutMs: 100, totalTimeoutMs: 300 },
      breaker: { resetTimeoutMs: 50 },
    });
    assert.equal(resolved.name, 'default');
    assert.equal(resolved.policy.attemptTimeoutMs, 100);
    assert.equal(resolved.policy.maxAttempts, policyPresets.standalone.maxAttempts);
    assert.equal(resolved.breaker.resetTimeoutMs, 50);
  });

  test('lists every problem of a badly broken standalone config in one error', () => {
    const problems = problemsOf({
      name: 'bad name!',
      mode: 'standalone',
      node: { host: '', port: 70000 },
      password: 42,
      db: -1,
      required: 'yes',
      tls: 'on',
      logger: { log: () => {} },
      metrics: { enabled: 'no', prefix: '9bad' },
      policy: { attemptTimeoutMs: 5000, totalTimeoutMs: 1000, maxAttempts: 0.5, retries: 3, backoffBaseMs: Number.NaN },
      breaker: { errorThresholdPercentage: 150, rollingWindowMs: 10 },
      nodes: [{ host: 'x', port: 1 }],
      polcy: {},
    });
    assertExactly(problems, [
      /^name must be/,
      /^node\.host must be a non-empty string/,
      /^node\.port must be an integer from 1 to 65535 \(got 70000\)/,
      /^password must be a string/,
      /^db must be a non-negative integer/,
      /^required must be a boolean/,
      /^tls must be/,
      /^logger must have log, warn and error/,
      /^metrics\.enabled must be a boolean/,
      /^metrics\.prefix must be/,
      /^policy\.attemptTimeoutMs \(5000\) must not exceed policy\.totalTimeoutMs \(1000\)/,
      /^policy\.maxAttempts must be an integer \(got 0\.5\)/,
      /^policy\.maxAttempts must be >= 1/,
      /^policy\.retries is not a known option/,
      /^policy\.backoffBaseMs must be a finite number \(got NaN\)/,
      /^breaker\.errorThresholdPercentage must be <= 100/,
      /^breaker\.rollingWindowMs must be >= 100/,
      /^nodes applies to mode 'cluster' only, not 'standalone'/,
      /^polcy is not a known option/,
    ]);
  });

  test('an unknown mode does not hide the other problems', () => {
    const problems = problemsOf({ mode: 'sentinel', policy: { totalTimeoutMs: -1 }, keyPrefix: 7 });
    assertExactly(problems, [
      /^mode must be one of standalone, replication, cluster \(got a string\)/,
      /^policy\.totalTimeoutMs must be >= 1/,
      /^keyPrefix must be a string/,
    ]);
  });

  test('a missing mode is reported', () => {
    assertExactly(problemsOf({ node: { host: 'h', port: 1 } }), [/^mode must be one of/]);
  });

  test('cluster: nodes, readFrom, db, topology and dns are checked together', () => {
    const problems = problemsOf({
      mode: 'cluster',
      nodes: [{ host: 'a', port: 1 }, { host: 'b' }],
      readFrom: 'replica',
      db: 2,
      topology: { refreshIntervalMs: 0, jitter: 1 },
      dns: { servers: '127.0.0.1', minIntervalMs: 5000, maxIntervalMs: 1000 },
      node: { host: 'a', port: 1 },
    });
    assertExactly(problems, [
      /^nodes\[1\]\.port must be an integer/,
      /^readFrom must be 'primary', 'replica-preferred' or 'primary-preferred'/,
      /^db must be 0 in cluster mode/,
      /^topology\.refreshIntervalMs must be >= 1000 \(got 0\): each periodic refresh/,
      /^topology\.jitter is not a known option/,
      /^dns\.servers must be an array/,
      /^dns\.minIntervalMs must not exceed dns\.maxIntervalMs/,
      /^node applies to mode 'standalone' only, not 'cluster'/,
    ]);
  });

  test('replication: primary is required, reader is checked when given', () => {
    assertExactly(problemsOf({ mode: 'replication', reader: { host: 'r', port: 0 } }), [
      /^primary must be an object \{ host, port \}/,
      /^reader\.port must be an integer/,
    ]);
  });

  test('numbers a timer cannot hold are refused: Infinity, and delays past 2^31-1 ms', () => {
    const problems = problemsOf({
      mode: 'standalone',
      node: { host: 'h', port: 1 },
      policy: { totalTimeoutMs: Number.POSITIVE_INFINITY, closeDrainMs: 2 ** 31 },
    });
    assertExactly(problems, [
      /^policy\.totalTimeoutMs must be a finite number \(got Infinity\)/,
      /^policy\.closeDrainMs must be <= 2147483647/,
    ]);
  });

  test('non-object options and non-object sections', () => {
    assertExactly(problemsOf(null), [/^options must be an object/]);
    assertExactly(problemsOf({ mode: 'standalone', node: { host: 'h', port: 1 }, policy: 5, breaker: [] }), [
      /^policy must be an object/,
      /^breaker must be an object/,
    ]);
  });

  test('undefined values count as not given', () => {
    const resolved = resolveOptions({
      mode: 'standalone',
      node: { host: 'h', port: 1 },
      password: undefined,
      policy: { attemptTimeoutMs: undefined },
    });
    assert.equal(resolved.policy.attemptTimeoutMs, policyPresets.standalone.attemptTimeoutMs);
  });

  test('write coalescing: a boolean, and enableAutoPipelining: true cannot be combined with it turned off', () => {
    const base = { mode: 'standalone', node: { host: 'h', port: 1 } };
    assertExactly(problemsOf({ ...base, coalesceWrites: 'yes' }), [/^coalesceWrites must be a boolean/]);
    assertExactly(problemsOf({ ...base, enableAutoPipelining: true, coalesceWrites: false }), [
      /^enableAutoPipelining: true asks for coalesced writes, which coalesceWrites: false turns off/,
    ]);
    for (const ok of [
      {},
      { coalesceWrites: false },
      { enableAutoPipelining: true },
      { enableAutoPipelining: false, coalesceWrites: false },
    ]) {
      assert.doesNotThrow(() => resolveOptions({ ...base, ...ok }), JSON.stringify(ok));
    }
  });
});
