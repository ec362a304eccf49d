// decideNext is the one place that decides what follows an attempt, for commands and batches.
// Every rule of the retry policy is asserted here on data, without a server.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AttemptResult } from '../../../src/core/command/attempt-result.js';
import type { CommandProfile } from '../../../src/core/command/command-profile.js';
import { decideNext, type CallState, type DecideContext } from '../../../src/core/command/next-step.js';
import { ErrorCodes, policyPresets } from '../../../src/index.js';
import { SCENARIO_TRAITS, type Execution, type FailureClass, type FailureScenario } from '../../../src/core/policy/failure-scenario.js';
import { FakeEndpoint } from './command-path-fakes.js';

const policy = { ...policyPresets.cluster, maxAttempts: 3 };
const endpoint = new FakeEndpoint('127.0.0.1:7000').asEndpoint();

function profile(over: Partial<CommandProfile> = {}): CommandProfile {
  return {
    label: 'incr',
    isRead: false,
    safeWhenUnknown: false,
    blocking: false,
    script: false,
    budget: { attemptMs: 500, totalMs: 2000 },
    ...over,
  };
}
function failure(scenario: FailureScenario, execution: Execution): FailureClass {
  return { scenario, execution, ...SCENARIO_TRAITS[scenario] };
}
function state(over: Partial<CallState> = {}): CallState {
  return { attempt: 1, redirects: 0, previous: undefined, refused: undefined, held: false, lastError: undefined, ...over };
}
function ctx(over: Partial<DecideContext> = {}): DecideContext {
  return {
    clientName: 'c',
    policy,
    profile: profile(),
    deadline: performance.now() + 2000,
    closing: false,
    hold: () => undefined,
    ...over,
  };
}
const failed = (f: FailureClass, error: unknown = new Error(f.scenario)): AttemptResult<never> => ({
  kind: 'failed',
  endpoint,
  failure: f,
  error,
});
const code = (step: ReturnType<typeof decideNext>): string | undefined =>
  step.do === 'throw' ? ((step.error as { code?: string }).code ?? (step.error as Error).message) : undefined;

describe('decideNext', { timeout: 5000 }, () => {
  test('ok returns the value', () => {
    assert.deepEqual(decideNext({ kind: 'ok', endpoint, value: 42 }, state(), ctx()), { do: 'return', value: 42 });
  });

  test('an unknown outcome is retried only when the profile is safe', () => {
    const timeout = failure('timeout', 'unknown');
    assert.equal(code(decideNext(failed(timeout), state(), ctx())), ErrorCodes.outcomeUnknown);
    assert.equal(decideNext(failed(timeout), state(), ctx({ profile: profile({ safeWhenUnknown: true }) })).do, 'retry');
  });

  test('a command that provably did not run is retried whatever it is', () => {
    assert.equal(decideNext(failed(failure('connection', 'not-executed')), state(), ctx()).do, 'retry');
    assert.equal(decideNext(failed(failure('readonly', 'not-executed')), state(), ctx()).do, 'retry');
  });

  test('user errors reach the caller unchanged and are never retried', () => {
    const original = new Error('WRONGTYPE Operation against a key holding the wrong kind of value');
    const step = decideNext(failed(failure('command', 'not-executed'), original), state(), ctx());
    assert.equal(step.do, 'throw');
    assert.equal(step.do === 'throw' && step.error, original);
  });

  test('attempts used up: retries exhausted; a timeout at the deadline: a timeout error', () => {
    const refused = failure('connection', 'not-executed');
    assert.equal(code(decideNext(failed(refused), state({ attempt: 3 }), ctx())), ErrorCodes.retriesExhausted);
    const late = ctx({ deadline: performance.now() + 1, profile: profile({ safeWhenUnknown: true }) });
    assert.equal(code(decideNext(failed(failure('timeout', 'unknown')), state(), late)), ErrorCodes.commandTimeout);
  });

  test('CLUSTERDOWN rides through past maxAttempts until the deadline', () => {
    assert.equal(decideNext(failed(failure('clusterdown', 'not-executed')), state({ attempt: 10 }), ctx()).do, 'retry');
  });

  test('redirects are followed at once', () => {
    const step = decideNext(failed(failure('moved', 'not-executed')), state(), ctx());
    assert.deepEqual(step.do === 'retry' && step.delayMs, 0);
  });

  test('a half-open refusal reroutes once per endpoint, then fails fast', () => {
    const s = state();
    const busy: AttemptResult<never> = { kind: 'refused', endpoint, reason: 'busy', retryAfterMs: 40 };
    assert.equal(decideNext(busy, s, ctx()).do, 'reroute');
    assert.ok(s.refused?.has(endpoint));
    assert.equal(code(decideNext(busy, s, ctx())), ErrorCodes.circuitOpen);
  });

  test('an open breaker waits for the failover once when a hold is offered, else fails fast', () => {
    const open: AttemptResult<never> = { kind: 'refused', endpoint, reason: 'open', retryAfterMs: 100 };
    assert.equal(code(decideNext(open, state(), ctx())), ErrorCodes.circuitOpen);
    const s = state();
    const holding = ctx({ hold: () => Promise.resolve() });
    assert.equal(decideNext(open, s, holding).do, 'wait');
    assert.equal(s.held, true);
    assert.equal(code(decideNext(open, s, holding)), ErrorCodes.circuitOpen, 'held at most once');
  });

  test('swapped-out or shed waiters route again; a used-up budget is a timeout', () => {
    assert.equal(decideNext({ kind: 'refused', endpoint, reason: 'retired' }, state(), ctx()).do, 'reroute');
    assert.equal(decideNext({ kind: 'refused', endpoint, reason: 'shed' }, state(), ctx()).do, 'reroute');
    assert.equal(code(decideNext({ kind: 'refused', endpoint, reason: 'deadline' }, state(), ctx())), ErrorCodes.commandTimeout);
  });

  test('a closing client turns any failure into ClientClosedError', () => {
    const closing = ctx({ closing: true });
    assert.equal(code(decideNext(failed(failure('connection', 'unknown')), state(), closing)), ErrorCodes.clientClosed);
    assert.equal(code(decideNext({ kind: 'refused', endpoint, reason: 'open' }, state(), closing)), ErrorCodes.clientClosed);
  });

  test('batches follow the same rules through their profile: a watched MULTI is never re-sent', () => {
    const watchedMulti = profile({ label: 'multi', safeWhenUnknown: false });
    assert.equal(
      code(decideNext(failed(failure('timeout', 'unknown')), state(), ctx({ profile: watchedMulti }))),
      ErrorCodes.outcomeUnknown,
    );
  });
});
