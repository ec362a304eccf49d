// Replication mode's `readFrom`, without a server: where the read placement sends a read for
// each value and each state of the primary and the reader, and what the validator accepts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { READER_AVOID_MS, ReplicationReads } from '../../../src/core/client/replication-reads.js';
import { SCENARIO_TRAITS, type FailureClass, type FailureScenario } from '../../../src/core/policy/failure-scenario.js';
import { ErrorCodes, isInvalidOptionsError, resolveOptions, type ReadFrom } from '../../../src/index.js';
import { FakeEndpoint } from '../command/command-path-fakes.js';

const failure = (scenario: FailureScenario): FailureClass => ({ scenario, execution: 'not-executed', ...SCENARIO_TRAITS[scenario] });

function pair(): { primary: FakeEndpoint; reader: FakeEndpoint } {
  return { primary: new FakeEndpoint('primary:6379'), reader: new FakeEndpoint('reader:6379') };
}

describe('ReplicationReads: where a read goes', { timeout: 5000 }, () => {
  test("'primary': every read on the primary, whatever the primary's state; no fallback to the reader", () => {
    const reads = new ReplicationReads('primary');
    const { primary, reader } = pair();
    assert.equal(reads.route(primary, reader, undefined), primary);
    primary.breaker.state = 'open';
    primary.ready = false;
    assert.equal(reads.route(primary, reader, failure('timeout')), primary);
    assert.equal(reads.fallback(primary, primary, reader), undefined);
    assert.equal(ReplicationReads.usesReader('primary'), false, 'the router opens no reader connection');
  });

  test("'replica-preferred': the reader while it is ready and closed, else the primary; the retry of a read is not moved", () => {
    const reads = new ReplicationReads('replica-preferred');
    const { primary, reader } = pair();
    assert.equal(reads.route(primary, reader, undefined), reader);
    assert.equal(
      reads.route(primary, reader, failure('timeout')),
      reader,
      'as before readFrom existed: the previous failure does not decide',
    );
    for (const state of ['open', 'half-open'] as const) {
      reader.breaker.state = state;
      assert.equal(reads.route(primary, reader, undefined), primary, `reader breaker ${state}`);
    }
    reader.breaker.state = 'closed';
    reader.ready = false;
    assert.equal(reads.route(primary, reader, undefined), primary, 'reader disconnected');
    assert.equal(reads.route(primary, undefined, undefined), primary, 'no reader endpoint yet');
  });

  test("'primary-preferred': the primary while it is up; the reader while its breaker is open, its connection is down or it just failed the read", () => {
    const reads = new ReplicationReads('primary-preferred');
    const { primary, reader } = pair();
    assert.equal(reads.route(primary, reader, undefined), primary);
    assert.equal(reads.route(primary, reader, failure('command')), primary, 'a user error is no reason to move');
    assert.equal(reads.route(primary, reader, failure('timeout')), reader, 'the retry of a read that timed out on the primary');
    assert.equal(reads.route(primary, reader, failure('connection')), reader);
    primary.breaker.state = 'half-open';
    assert.equal(reads.route(primary, reader, undefined), primary, 'a probing primary still takes reads (the fallback catches a refusal)');
    primary.breaker.state = 'open';
    assert.equal(reads.route(primary, reader, undefined), reader, 'primary breaker open');
    primary.breaker.state = 'closed';
    primary.ready = false;
    assert.equal(reads.route(primary, reader, undefined), reader, 'primary disconnected');
    reader.breaker.state = 'open';
    assert.equal(reads.route(primary, reader, undefined), primary, 'both down: the primary, which fails fast');
  });

  test('fallback: from the reader to a primary whose breaker is not open, from the primary to a reader taking traffic', () => {
    for (const readFrom of ['replica-preferred', 'primary-preferred'] as const) {
      const reads = new ReplicationReads(readFrom);
      const { primary, reader } = pair();
      assert.equal(reads.fallback(reader, primary, reader), primary, readFrom);
      assert.equal(reads.fallback(primary, primary, reader), reader, readFrom);
      primary.breaker.state = 'open';
      reader.breaker.state = 'half-open';
      assert.equal(reads.fallback(reader, primary, reader), undefined, readFrom);
      assert.equal(reads.fallback(primary, primary, reader), undefined, readFrom);
    }
  });

  test('a reader that answered LOADING or MASTERDOWN is avoided for a second, then used again', () => {
    let now = 10_000;
    for (const readFrom of ['replica-preferred', 'primary-preferred'] as const) {
      const reads = new ReplicationReads(readFrom, () => now);
      const { primary, reader } = pair();
      primary.breaker.state = 'open';
      assert.equal(reads.route(primary, reader, undefined), reader, readFrom);
      reads.avoidReader();
      assert.equal(reads.route(primary, reader, undefined), primary, `${readFrom}: avoided`);
      now += READER_AVOID_MS - 1;
      assert.equal(reads.route(primary, reader, undefined), primary, `${readFrom}: still avoided`);
      now += 1;
      assert.equal(reads.route(primary, reader, undefined), reader, `${readFrom}: used again`);
    }
  });
});

function problemsOf(options: unknown): readonly string[] {
  try {
    resolveOptions(options);
  } catch (error) {
    assert.ok(isInvalidOptionsError(error), String(error));
    assert.equal(error.code, ErrorCodes.invalidOptions);
    return error.problems;
  }
  return assert.fail('accepted');
}

describe('readFrom in replication mode: options', { timeout: 5000 }, () => {
  const base = { mode: 'replication', primary: { host: 'master.test', port: 6379 } } as const;
  const reader = { host: 'replica.test', port: 6379 };

  test('each value is accepted with a reader; primary is accepted without one', () => {
    for (const readFrom of ['primary', 'replica-preferred', 'primary-preferred'] satisfies ReadFrom[]) {
      assert.equal(resolveOptions({ ...base, reader, readFrom }).mode, 'replication');
    }
    assert.equal(resolveOptions({ ...base, readFrom: 'primary' }).mode, 'replication');
    assert.equal(resolveOptions({ ...base }).mode, 'replication', 'omitted: the default for the configuration');
  });

  test('a preference for the reader without a reader is a contradiction, refused with the typed error', () => {
    for (const readFrom of ['replica-preferred', 'primary-preferred']) {
      assert.deepEqual(problemsOf({ ...base, readFrom }), [
        `readFrom '${readFrom}' needs a reader (there is no other node to read from): set reader, or use readFrom 'primary'`,
      ]);
    }
  });

  test('an unknown value is refused without quoting it, and not also reported as missing a reader', () => {
    const problems = problemsOf({ ...base, readFrom: 'redis://:secret@replica' });
    assert.deepEqual(problems, ["readFrom must be 'primary', 'replica-preferred' or 'primary-preferred' (got a string)"]);
  });

  test('standalone still refuses readFrom', () => {
    const problems = problemsOf({ mode: 'standalone', node: { host: 'h.test', port: 1 }, readFrom: 'primary' });
    assert.deepEqual(problems, ["readFrom applies to mode 'replication' or 'cluster' only, not 'standalone'"]);
  });
});
