import { AttemptFailure } from '../breaker/shard-breaker.js';
import { classifyFailure } from '../policy/classify-failure.js';
import { SCENARIO_TRAITS, type FailureClass } from '../policy/failure-scenario.js';
import { WaitExpired } from './wait-queue.js';

// How an endpoint's attempt outcomes reach the breaker: a failure of the node, one of the
// caller's (never counted), or our own refusal.

/**
 * The node did not become ready within the call's deadline: as much evidence of an outage as
 * a refused connection, and nothing was sent.
 */
export const NODE_UNREACHABLE: FailureClass = Object.freeze({
  scenario: 'connection',
  execution: 'not-executed',
  ...SCENARIO_TRAITS.connection,
});

/**
 * Our own refusal (client closed, endpoint retired, budget used up): the node did nothing
 * wrong, so it must not count against its breaker. The executor looks at the wrapped
 * `WaitExpired` before the class, so the class never drives a retry.
 */
export const OWN_REFUSAL: FailureClass = Object.freeze({
  scenario: 'closed',
  execution: 'not-executed',
  ...SCENARIO_TRAITS.closed,
});

/** A `WaitExpired` wrapped for the breaker as something that is not the node's fault. */
export function ownRefusal(reason: WaitExpired['reason']): AttemptFailure {
  return new AttemptFailure(new WaitExpired(reason), OWN_REFUSAL);
}

/**
 * A failure of an attempt that was handed to ioredis, classified once, here. `command`: the
 * command's name, so that a script's own error reply is read as its answer.
 */
export function sentFailure(error: unknown, command?: string): AttemptFailure {
  return new AttemptFailure(error, classifyFailure(error, { sent: true, command }));
}
