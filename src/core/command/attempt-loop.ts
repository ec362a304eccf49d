import { AttemptFailure, BreakerRejection } from '../breaker/shard-breaker.js';
import { QueueFullError } from '../errors/queue-full.error.js';
import { isResilienceError } from '../errors/resilience.error.js';
import type { EventBus } from '../events/event-bus.js';
import type { PolicyOptions } from '../options/policy-options.js';
import { classifyFailure } from '../policy/classify-failure.js';
import type { FailureClass } from '../policy/failure-scenario.js';
import type { AttemptResult } from './attempt-result.js';
import type { CommandProfile } from './command-profile.js';
import type { CommandRouter } from './command-router.js';
import { WaitExpired, type Endpoint } from '../endpoint/endpoint.js';
import { holdForFailover } from './failover-hold.js';
import { decideNext, type CallState, type DecideContext } from './next-step.js';
import { MIN_ATTEMPT_MS, sleep, untilDeadline } from './retry-decision.js';

/**
 * One call as the loop sees it: a single command or a batch. The loop never looks inside;
 * everything it decides on is in `profile`.
 */
export interface AttemptJob<T> {
  readonly profile: CommandProfile;
  /** Where the next attempt goes. May throw a ResilienceError (cross-slot), given to the caller. */
  route(previous: FailureClass | undefined): Endpoint;
  /** Where a read goes when `from` refuses it, if anywhere. */
  fallback(from: Endpoint): Endpoint | undefined;
  /**
   * Sends one attempt on a ready endpoint, within `timeoutMs` (0: no client timer). Rejects
   * with `AttemptFailure`, so that user errors (never counted) are told from node failures.
   */
  send(endpoint: Endpoint, timeoutMs: number, deadline: number, previous: FailureClass | undefined): Promise<T>;
  /** Makes fresh copies for the next attempt: an ioredis Command settles once. */
  renew(): void;
}

export interface LoopContext {
  readonly clientName: string;
  readonly policy: Readonly<PolicyOptions>;
  readonly router: CommandRouter;
  readonly bus: EventBus;
  /** True once the client is closing. */
  closing(): boolean;
}

/** An attempt that was already made (the fast lane's), to be decided on as the first one. */
export interface FirstAttempt {
  readonly endpoint: Endpoint;
  readonly start: number;
  readonly thrown: unknown;
}

/** Once a node's breaker is open, calls still queued for its connection fail fast too. */
function shedIfOpen(endpoint: Endpoint): void {
  if (endpoint.queueDepth > 0 && endpoint.breaker.state === 'open') endpoint.shedWaiters();
}

/**
 * A thrown attempt outcome as data. Counted against the breaker here only for a fast-lane
 * attempt (made outside `breaker.run`) while the breaker is still closed: once it opened, more
 * failures change nothing, and a late failure of a call sent before must not stand in for a
 * half-open probe.
 */
export function toResult(endpoint: Endpoint, thrown: unknown, fast: boolean): AttemptResult<never> {
  if (thrown instanceof BreakerRejection) return { kind: 'refused', endpoint, reason: 'busy', retryAfterMs: thrown.retryAfterMs };
  const inner = thrown instanceof AttemptFailure ? thrown.error : thrown;
  if (inner instanceof WaitExpired) return { kind: 'refused', endpoint, reason: inner.reason };
  if (inner instanceof QueueFullError) return { kind: 'refused', endpoint, reason: 'queue-full', error: inner };
  if (!(thrown instanceof AttemptFailure)) {
    if (isResilienceError(thrown)) throw thrown;
    return { kind: 'failed', endpoint, failure: classifyFailure(thrown, { sent: false }), error: thrown };
  }
  if (fast && endpoint.breaker.isClosed) {
    // opossum's errorFilter rule: a user error is the node answering, not failing.
    if (thrown.failure.countsAgainstBreaker) endpoint.breaker.recordFailure(thrown);
    else endpoint.breaker.recordSuccess();
  }
  return { kind: 'failed', endpoint, failure: thrown.failure, error: thrown.error };
}

/** One attempt: wait for a recovery in progress, route, then send through the breaker. */
async function attemptOnce<T>(job: AttemptJob<T>, ctx: LoopContext, state: CallState, deadline: number): Promise<AttemptResult<T>> {
  const { profile } = job;
  const recovering = ctx.router.pending?.(state.previous, profile.isRead);
  if (recovering) await untilDeadline(recovering, deadline);
  let endpoint = job.route(state.previous);
  if (endpoint.breaker.state === 'open' || state.refused?.has(endpoint)) {
    const candidate = job.fallback(endpoint);
    // Each endpoint refuses a call at most once, so the loop ends.
    if (!candidate || state.refused?.has(candidate)) {
      return { kind: 'refused', endpoint, reason: 'open', retryAfterMs: endpoint.breaker.retryAfterMs() };
    }
    endpoint = candidate;
  }
  const { attemptMs } = profile.budget;
  const previous = state.previous;
  // Connected and closed: straight to ioredis, the outcome counted with field increments.
  if (endpoint.acceptsTraffic && !profile.blocking) {
    try {
      const value = await job.send(endpoint, attemptMs, deadline, previous);
      endpoint.breaker.recordSuccess();
      return { kind: 'ok', endpoint, value };
    } catch (thrown) {
      return toResult(endpoint, thrown, true);
    }
  }
  // Refused here, outside the breaker: inside, opossum would count our refusal as a success
  // and could close a half-open breaker on a node that is still hung.
  if (deadline - performance.now() < MIN_ATTEMPT_MS) return { kind: 'refused', endpoint, reason: 'deadline' };
  const full = endpoint.queueFullError();
  if (full) return { kind: 'refused', endpoint, reason: 'queue-full', error: full };
  const target = endpoint;
  try {
    // Waiting for readiness happens inside the breaker: a node that stays down opens it
    // (calls then fail in microseconds instead of queueing for their whole deadline), and a
    // half-open breaker lets exactly one call wait for the reconnect as its probe.
    const value = await endpoint.breaker.run(() =>
      target.ready
        ? job.send(target, attemptMs, deadline, previous)
        : target.readyForAttempt(deadline).then(() => job.send(target, attemptMs, deadline, previous)),
    );
    return { kind: 'ok', endpoint, value };
  } catch (thrown) {
    return toResult(endpoint, thrown, false);
  }
}

/**
 * The one attempt loop, for single commands and batches: each attempt returns its result as
 * data and `decideNext` says what follows. Side effects of a step (stats, events, the
 * router's reaction to a failure) happen here, once.
 */
export async function runAttempts<T>(job: AttemptJob<T>, ctx: LoopContext, start: number, first?: FirstAttempt): Promise<T> {
  const deadline = start + job.profile.budget.totalMs;
  const state: CallState = { attempt: 1, redirects: 0, previous: undefined, refused: undefined, held: false, lastError: undefined };
  const decide: DecideContext = {
    clientName: ctx.clientName,
    policy: ctx.policy,
    profile: job.profile,
    deadline,
    closing: false,
    hold: (endpoint) => holdForFailover(ctx.policy, ctx.router, endpoint, deadline),
  };
  for (let replay = first; ; replay = undefined) {
    const result = replay ? toResult(replay.endpoint, replay.thrown, true) : await attemptOnce(job, ctx, state, deadline);
    const step = decideNext(result, state, { ...decide, closing: ctx.closing() });
    switch (step.do) {
      case 'return':
        result.endpoint.stats.recordSuccess(performance.now() - start);
        return step.value;
      case 'reroute':
        continue;
      case 'wait':
        await step.until;
        continue;
      case 'throw':
        if (result.kind === 'failed') {
          ctx.router.onFailure(result.endpoint, result.failure);
          shedIfOpen(result.endpoint);
        } else if (result.kind === 'refused' && result.reason === 'deadline') {
          shedIfOpen(result.endpoint);
        }
        if (step.scenario === 'overloaded' && result.endpoint.noteOverflow()) {
          ctx.bus.emit({ type: 'queue.overflowed', node: result.endpoint.id, limit: ctx.policy.maxQueueLength, scenario: 'overloaded' });
        }
        if (step.scenario && step.scenario !== 'closed') result.endpoint.stats.recordError(step.scenario);
        throw step.error;
      case 'retry': {
        const { endpoint } = result;
        ctx.router.onFailure(endpoint, step.failure);
        shedIfOpen(endpoint);
        endpoint.stats.recordRetry(step.failure.scenario);
        ctx.bus.emit({
          type: 'command.retried',
          node: endpoint.id,
          scenario: step.failure.scenario,
          command: job.profile.label,
          attempt: state.attempt,
          delayMs: Math.round(step.delayMs),
        });
        if (step.delayMs > 0) {
          const evidence = ctx.router.readySignal?.(endpoint, step.failure);
          await (evidence ? untilDeadline(evidence, performance.now() + step.delayMs) : sleep(step.delayMs));
        }
        job.renew();
        state.previous = step.failure;
        state.attempt++;
        if (step.failure.scenario === 'moved' || step.failure.scenario === 'ask') state.redirects++;
      }
    }
  }
}
