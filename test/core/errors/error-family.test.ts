// The error family is public contract: codes never change, guards work on errors thrown by
// another copy of the package (two versions in node_modules), and `cause` keeps the ioredis error.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, describe, test } from 'node:test';
import * as api from '../../../src/index.js';

const {
  CircuitOpenError,
  ClientClosedError,
  CommandTimeoutError,
  ConnectFailedError,
  CrossSlotError,
  ErrorCodes,
  InvalidOptionsError,
  OutcomeUnknownError,
  QueueFullError,
  RetriesExhaustedError,
  UnknownClientError,
  isResilienceError,
} = api;

const target = { client: 'c', node: '127.0.0.1:6379', command: 'incr' };
const cause = Object.assign(new Error('Command timed out'), { name: 'Error' });

/** One instance of every member, with the guard that must recognise it. */
function family(m: typeof api) {
  return [
    { error: new m.CircuitOpenError(target, 120), code: 'ERR_CIRCUIT_OPEN', guard: m.isCircuitOpenError },
    { error: new m.CommandTimeoutError(target, 2000, cause), code: 'ERR_COMMAND_TIMEOUT', guard: m.isCommandTimeoutError },
    { error: new m.OutcomeUnknownError(target, 'timeout', cause), code: 'ERR_OUTCOME_UNKNOWN', guard: m.isOutcomeUnknownError },
    { error: new m.RetriesExhaustedError(target, 3, 'connection', cause), code: 'ERR_RETRIES_EXHAUSTED', guard: m.isRetriesExhaustedError },
    { error: new m.InvalidOptionsError(['a', 'b'], 'c'), code: 'ERR_INVALID_OPTIONS', guard: m.isInvalidOptionsError },
    { error: new m.QueueFullError(target, 1000), code: 'ERR_QUEUE_FULL', guard: m.isQueueFullError },
    { error: new m.ClientClosedError('c', 'get'), code: 'ERR_CLIENT_CLOSED', guard: m.isClientClosedError },
    { error: new m.ConnectFailedError('c', 'refused', 'connection', cause), code: 'ERR_CONNECT_FAILED', guard: m.isConnectFailedError },
    { error: new m.CrossSlotError('c', 'multi'), code: 'ERR_CROSS_SLOT', guard: m.isCrossSlotError },
    { error: new m.UnknownClientError('x', ['a']), code: 'ERR_UNKNOWN_CLIENT', guard: m.isUnknownClientError },
    {
      error: new m.PartialFailureError('c', 'mget', [{ slot: 1, keyIndexes: [0], node: '127.0.0.1:7000', error: cause }]),
      code: 'ERR_PARTIAL_FAILURE',
      guard: m.isPartialFailureError,
    },
    {
      error: new m.UnsupportedInBatchError('c', 'subscribe', false, 'subscriber'),
      code: 'ERR_UNSUPPORTED_IN_BATCH',
      guard: m.isUnsupportedInBatchError,
    },
  ] as const;
}

describe('error family', { timeout: 10_000 }, () => {
  // Inside the build folder so that the copy resolves ioredis from the same node_modules.
  const tmp = mkdtempSync(fileURLToPath(new URL('../../../copy-', import.meta.url)));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('codes are stable (public contract: match on code, never on text)', () => {
    assert.deepEqual(
      { ...ErrorCodes },
      {
        circuitOpen: 'ERR_CIRCUIT_OPEN',
        commandTimeout: 'ERR_COMMAND_TIMEOUT',
        outcomeUnknown: 'ERR_OUTCOME_UNKNOWN',
        retriesExhausted: 'ERR_RETRIES_EXHAUSTED',
        invalidOptions: 'ERR_INVALID_OPTIONS',
        queueFull: 'ERR_QUEUE_FULL',
        clientClosed: 'ERR_CLIENT_CLOSED',
        connectFailed: 'ERR_CONNECT_FAILED',
        crossSlot: 'ERR_CROSS_SLOT',
        unknownClient: 'ERR_UNKNOWN_CLIENT',
        partialFailure: 'ERR_PARTIAL_FAILURE',
        unsupportedInBatch: 'ERR_UNSUPPORTED_IN_BATCH',
      },
    );
    for (const { error, code } of family(api)) {
      assert.equal(error.code, code, error.name);
      assert.ok(error instanceof api.ResilienceError && error instanceof Error);
      assert.equal(error.name, error.constructor.name);
      assert.ok(isResilienceError(error));
    }
  });

  test('each guard recognises its own member only', () => {
    const members = family(api);
    for (const { guard, code } of members) {
      for (const other of members) assert.equal(guard(other.error), other.code === code, `${code} guard on ${other.code}`);
      assert.equal(guard(new Error(code)), false);
      assert.equal(guard(Object.assign(new Error('x'), { code })), false, 'a look-alike without the brand is not one of ours');
      assert.equal(guard(null), false);
      assert.equal(guard(code), false);
    }
  });

  test('guards work across two copies of the package; instanceof does not', async () => {
    // A second copy, as npm installs one when two dependencies pin different versions.
    const built = fileURLToPath(new URL('../../../src', import.meta.url));
    cpSync(built, join(tmp, 'src'), { recursive: true });
    const copy = (await import(pathToFileURL(join(tmp, 'src', 'index.js')).href)) as typeof api;
    assert.notEqual(copy.CircuitOpenError, CircuitOpenError, 'really a second copy');
    const theirs = family(copy);
    const ours = family(api);
    for (const [i, { error }] of theirs.entries()) {
      assert.equal(error instanceof api.ResilienceError, false);
      assert.ok(isResilienceError(error));
      assert.ok(ours[i]!.guard(error), `our guard recognises their ${error.code}`);
      assert.ok(theirs[i]!.guard(ours[i]!.error), `their guard recognises our ${error.code}`);
    }
  });

  test('cause keeps the original error; target fields are set; messages say what to do', () => {
    const timeout = new CommandTimeoutError(target, 2000, cause);
    assert.equal(timeout.cause, cause);
    assert.equal(timeout.client, 'c');
    assert.equal(timeout.node, '127.0.0.1:6379');
    assert.equal(timeout.command, 'incr');
    assert.equal(timeout.scenario, 'timeout');
    assert.equal(timeout.timeoutMs, 2000);
    assert.match(new OutcomeUnknownError(target, 'timeout').message, /INCR.*may have been applied.*not retried/s);
    assert.equal(new CircuitOpenError(target, -5).retryAfterMs, 0);
    assert.match(new CircuitOpenError(target, 120).message, /120 ms/);
    assert.equal(new QueueFullError(target, 7).limit, 7);
    assert.equal(new RetriesExhaustedError(target, 3, 'connection').attempts, 3);
    assert.deepEqual(new InvalidOptionsError(['a', 'b']).problems, ['a', 'b']);
    assert.match(new ClientClosedError('c', 'get').message, /GET was not sent/);
    assert.equal(new ConnectFailedError('c', 'x', 'auth').scenario, 'auth');
    assert.match(new CrossSlotError('c', 'multi').message, /hash tag/);
    assert.match(new UnknownClientError('x', ['a', 'b']).message, /"a", "b"/);
    assert.equal(new CommandTimeoutError(target, 1).cause, undefined, 'no cause property when none was given');
    assert.equal(Object.hasOwn(new CommandTimeoutError(target, 1), 'cause'), false);
  });
});
