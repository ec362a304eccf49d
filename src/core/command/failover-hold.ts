import type { PolicyOptions } from '../options/policy-options.js';
import type { CommandRouter } from './command-router.js';
import type { Endpoint } from '../endpoint/endpoint.js';
import { untilDeadline } from './retry-decision.js';

/**
 * With `policy.holdDuringFailoverMs`, a call to a node whose breaker is open waits (once,
 * bounded by that, its deadline and the node's queue limit) for the router to move the
 * node's traffic elsewhere, e.g. a cluster replica's promotion. Undefined: fail fast.
 */
export function holdForFailover(
  policy: Readonly<PolicyOptions>,
  router: CommandRouter,
  endpoint: Endpoint,
  deadline: number,
): Promise<void> | undefined {
  const holdMs = policy.holdDuringFailoverMs;
  if (holdMs <= 0 || endpoint.holding >= policy.maxQueueLength) return undefined;
  // Keep enough of the budget for the attempt after the hold: a call released with a few
  // milliseconds left would only time out, late, in the burst of released calls.
  const until = Math.min(deadline - Math.min(policy.attemptTimeoutMs, 250), performance.now() + holdMs);
  if (until <= performance.now()) return undefined;
  const moved = router.failoverInProgress?.(endpoint);
  if (!moved) return undefined;
  if (!endpoint.beginHold(policy.maxQueueLength)) return undefined;
  return untilDeadline(moved, until).finally(() => endpoint.endHold());
}
