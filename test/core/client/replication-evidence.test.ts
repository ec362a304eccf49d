// What the replication router does about a failure (ReplicationRouter.onFailure delegates to
// ReplicationEvidence), without a server: READONLY follows the demotion, LOADING/MASTERDOWN on
// the reader avoids it, repeated timeouts re-resolve the name, and old or blameless failures
// change nothing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ReplicationEvidence,
  TIMEOUT_WINDOW_MS,
  type ReplicationReactions,
  type ReplicationSlot,
} from '../../../src/core/client/replication-evidence.js';
import type { Endpoint } from '../../../src/core/endpoint/endpoint.js';
import { SCENARIO_TRAITS, type FailureClass, type FailureScenario } from '../../../src/core/policy/failure-scenario.js';
import { FakeEndpoint } from '../command/command-path-fakes.js';

const failure = (scenario: FailureScenario): FailureClass => ({ scenario, execution: 'not-executed', ...SCENARIO_TRAITS[scenario] });

/** The router's side, recording every reaction in order. */
class RecordedReactions implements ReplicationReactions {
  readonly done: string[] = [];
  readonly endpoints: Record<ReplicationSlot, Endpoint | undefined>;
  constructor(
    readonly primary = new FakeEndpoint('10.0.0.1:6379'),
    readonly reader = new FakeEndpoint('10.0.0.2:6379'),
  ) {
    this.endpoints = { primary: primary.asEndpoint(), reader: reader.asEndpoint() };
  }
  current(slot: ReplicationSlot): Endpoint | undefined {
    return this.endpoints[slot];
  }
  poke(slot: ReplicationSlot): void {
    this.done.push(`poke ${slot}`);
  }
  followDemotion(primary: Endpoint): void {
    this.done.push(`follow ${primary.id}`);
  }
  inspectPrimary(primary: Endpoint): void {
    this.done.push(`inspect ${primary.id}`);
  }
  avoidReader(): void {
    this.done.push('avoid reader');
  }
}

function setUp(start = 50_000) {
  const clock = { now: start };
  const react = new RecordedReactions();
  const evidence = new ReplicationEvidence(react, () => clock.now);
  return { clock, react, evidence, primary: react.primary.asEndpoint(), reader: react.reader.asEndpoint() };
}

describe('ReplicationEvidence (ReplicationRouter.onFailure)', { timeout: 5000 }, () => {
  test('READONLY on the primary: follow the demoted primary to its master, and re-resolve the primary name', () => {
    const { react, evidence, primary } = setUp();
    evidence.onFailure(primary, failure('readonly'));
    assert.deepEqual(react.done, ['follow 10.0.0.1:6379', 'poke primary']);
  });

  test('READONLY on the reader is no demotion to follow: only its name is re-resolved', () => {
    const { react, evidence, reader } = setUp();
    evidence.onFailure(reader, failure('readonly'));
    assert.deepEqual(react.done, ['poke reader']);
  });

  test('LOADING and MASTERDOWN on the reader: reads avoid it, its name is not re-resolved', () => {
    for (const scenario of ['loading', 'masterdown'] as const) {
      const { react, evidence, reader } = setUp();
      evidence.onFailure(reader, failure(scenario));
      assert.deepEqual(react.done, ['avoid reader'], scenario);
    }
  });

  test('LOADING and MASTERDOWN on the primary: re-resolve it (it may have been replaced), the reader is not avoided', () => {
    for (const scenario of ['loading', 'masterdown'] as const) {
      const { react, evidence, primary } = setUp();
      evidence.onFailure(primary, failure(scenario));
      assert.deepEqual(react.done, ['poke primary'], scenario);
    }
  });

  test('a timeout on the primary asks about a hand-over; a second within the window re-resolves the name', () => {
    const { clock, react, evidence, primary } = setUp();
    evidence.onFailure(primary, failure('timeout'));
    assert.deepEqual(react.done, ['inspect 10.0.0.1:6379'], 'one slow reply proves little');
    clock.now += TIMEOUT_WINDOW_MS;
    evidence.onFailure(primary, failure('timeout'));
    assert.deepEqual(react.done, ['inspect 10.0.0.1:6379', 'inspect 10.0.0.1:6379', 'poke primary']);
  });

  test('timeouts further apart than the window never re-resolve; each node counts its own', () => {
    const { clock, react, evidence, primary, reader } = setUp();
    for (let i = 0; i < 4; i++) {
      evidence.onFailure(reader, failure('timeout'));
      clock.now += TIMEOUT_WINDOW_MS + 1;
    }
    assert.deepEqual(react.done, [], 'a reader timing out once a second is slow, not hung');
    evidence.onFailure(reader, failure('timeout'));
    evidence.onFailure(primary, failure('timeout'));
    assert.deepEqual(react.done, ['inspect 10.0.0.1:6379'], "the primary's first timeout does not add to the reader's");
    evidence.onFailure(reader, failure('timeout'));
    assert.deepEqual(react.done, ['inspect 10.0.0.1:6379', 'poke reader']);
  });

  test('a refused connection re-resolves the name of the node it happened on', () => {
    const { react, evidence, primary, reader } = setUp();
    evidence.onFailure(reader, failure('connection'));
    evidence.onFailure(primary, failure('connection'));
    assert.deepEqual(react.done, ['poke reader', 'poke primary']);
  });

  test("ignored: failures that are not the node's fault, and failures on an endpoint already swapped out", () => {
    const { react, evidence, primary } = setUp();
    for (const scenario of ['command', 'moved', 'circuit-open', 'closed'] as const) evidence.onFailure(primary, failure(scenario));
    const old = primary;
    react.endpoints.primary = new FakeEndpoint('10.0.0.3:6379').asEndpoint();
    for (const scenario of ['readonly', 'loading', 'timeout', 'timeout', 'connection'] as const) evidence.onFailure(old, failure(scenario));
    assert.deepEqual(react.done, []);
  });

  test('without a reader (readFrom primary), a failure on the primary still reacts', () => {
    const { react, evidence, primary } = setUp();
    react.endpoints.reader = undefined;
    evidence.onFailure(primary, failure('readonly'));
    assert.deepEqual(react.done, ['follow 10.0.0.1:6379', 'poke primary']);
  });
});
