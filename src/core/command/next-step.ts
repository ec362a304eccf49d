import { CircuitOpenError } from '../errors/circuit-open.error.js';
import { ClientClosedError } from '../errors/client-closed.error.js';
import { CommandTimeoutError } from '../errors/command-timeout.error.js';
import { OutcomeUnknownError } from '../errors/outcome-unknown.error.js';
import { RetriesExhaustedError } from '../errors/retries-exhausted.error.js';
import type { PolicyOptions } from '../options/policy-options.js';
import type { FailureClass, FailureScenario } from '../policy/failure-scenario.js';
import type { AttemptResult } from './attempt-result.js';
import type { CommandProfile } from './command-profile.js';
import type { Endpoint } from '../endpoint/endpoint.js';
import { decideRetry } from './retry-decision.js';

/** What the loop does after an attempt. */
export type Step<T> =
  | { readonly do: 'return'; readonly value: T }
  /** `scenario`: what the failure is counted as in the endpoint's stats, if anything. */
  | { readonly do: 'throw'; readonly error: unknown; readonly scenario?: FailureScenario }
  /** Route again without counting an attempt: nothing was sent. */
  | { readonly do: 'reroute' }
  /** Wait for the node's failover (policy.holdDuringFailoverMs), then route again. */
  | { readonly do: 'wait'; readonly until: Promise<void> }
  | { readonly do: 'retry'; readonly delayMs: number; readonly failure: FailureClass };

/** What one call has been through so far. The loop owns it; `decideNext` updates it. */
export interface CallState {
  /** Attempts that reached a node and failed. */
  attempt: number;
  /** Of those, the ones a node redirected (MOVED, ASK). */
  redirects: number;
  /** The failure of the last attempt, so the router can follow a MOVED or move a read. */
  previous: FailureClass | undefined;
  /** Endpoints whose half-open breaker refused this call; each may refuse it only once. */
  refused: Set<Endpoint> | undefined;
  /** Whether the call already waited once for a failover. */
  held: boolean;
  lastError: unknown;
}

export interface DecideContext {
  readonly clientName: string;
  readonly policy: Readonly<PolicyOptions>;
  readonly profile: CommandProfile;
  /** performance.now ms at which the call's budget ends. */
  readonly deadline: number;
  /** True once the client is closing: whatever failed, the caller hears that it closed. */
  readonly closing: boolean;
  /** A wait for the endpoint's failover, when the policy allows one; undefined: fail fast. */
  hold(endpoint: Endpoint): Promise<void> | undefined;
}

/**
 * The one place that decides what follows an attempt, for single commands and batches alike:
 * return, throw (and which error), route again, wait for a failover, or retry after a delay.
 * The rules:
 * - a refused call was never sent: a half-open breaker's refusal sends it elsewhere once,
 *   an open breaker's fails fast with CircuitOpenError unless the policy holds it for the
 *   failover (once); a swap or a shed routes it again;
 * - a failed attempt is retried only where `decideRetry` allows (never a user error, never
 *   an unknown outcome of an unsafe command);
 * - a closing client turns every failure into ClientClosedError.
 */
export function decideNext<T>(result: AttemptResult<T>, state: CallState, ctx: DecideContext): Step<T> {
  if (result.kind === 'ok') return { do: 'return', value: result.value };
  const { endpoint } = result;
  const target = { client: ctx.clientName, node: endpoint.id, command: ctx.profile.label };
  // A call failing after it was sent may have run: it is cut off, not refused.
  if (ctx.closing)
    return { do: 'throw', error: new ClientClosedError(ctx.clientName, ctx.profile.label, result.kind === 'failed'), scenario: 'closed' };
  if (result.kind === 'refused') {
    switch (result.reason) {
      case 'busy':
        if (!state.refused?.has(endpoint)) {
          (state.refused ??= new Set()).add(endpoint);
          return { do: 'reroute' };
        }
        return { do: 'throw', error: new CircuitOpenError(target, result.retryAfterMs ?? 0), scenario: 'circuit-open' };
      case 'open': {
        const until = state.held ? undefined : ctx.hold(endpoint);
        if (until) {
          state.held = true;
          return { do: 'wait', until };
        }
        return { do: 'throw', error: new CircuitOpenError(target, result.retryAfterMs ?? 0), scenario: 'circuit-open' };
      }
      case 'retired':
      case 'shed':
        return { do: 'reroute' };
      case 'closed':
        return { do: 'throw', error: new ClientClosedError(ctx.clientName, ctx.profile.label), scenario: 'closed' };
      case 'queue-full':
        return { do: 'throw', error: result.error, scenario: 'overloaded' };
      case 'deadline':
        return { do: 'throw', error: new CommandTimeoutError(target, ctx.profile.budget.totalMs, state.lastError), scenario: 'timeout' };
    }
  }
  const { failure, error } = result;
  state.lastError = error;
  const decision = decideRetry(failure, ctx.profile.safeWhenUnknown, state.attempt, ctx.deadline, ctx.policy, state.redirects);
  if (decision.retry) return { do: 'retry', delayMs: decision.delayMs, failure };
  const scenario = failure.scenario;
  switch (decision.why) {
    // User errors (WRONGTYPE, syntax, script) and auth/config errors reach the caller
    // unchanged: existing ioredis error handling keeps working.
    case 'not-retryable':
      return { do: 'throw', error, scenario };
    case 'unsafe':
      return { do: 'throw', error: new OutcomeUnknownError(target, scenario, error), scenario };
    case 'deadline':
      if (scenario === 'timeout')
        return { do: 'throw', error: new CommandTimeoutError(target, ctx.profile.budget.totalMs, error), scenario };
      return { do: 'throw', error: new RetriesExhaustedError(target, state.attempt, scenario, error), scenario };
    case 'attempts':
      return { do: 'throw', error: new RetriesExhaustedError(target, state.attempt, scenario, error), scenario };
  }
}
