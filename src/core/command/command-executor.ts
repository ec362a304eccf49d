import { Command } from 'ioredis';
import { AttemptFailure, BreakerRejection } from '../breaker/shard-breaker.js';
import { CircuitOpenError } from '../errors/circuit-open.error.js';
import { ClientClosedError } from '../errors/client-closed.error.js';
import { CommandTimeoutError } from '../errors/command-timeout.error.js';
import { OutcomeUnknownError } from '../errors/outcome-unknown.error.js';
import { QueueFullError } from '../errors/queue-full.error.js';
import { RetriesExhaustedError } from '../errors/retries-exhausted.error.js';
import { isResilienceError } from '../errors/resilience.error.js';
import type { EventBus } from '../events/event-bus.js';
import type { PolicyOptions } from '../options/policy-options.js';
import { classifyFailure } from '../policy/classify-failure.js';
import { isReadCommand, isRetrySafe } from '../policy/command-safety.js';
import type { FailureClass } from '../policy/failure-scenario.js';
import { cloneCommand } from './clone-command.js';
import type { CommandRouter } from './command-router.js';
import { budgetFor } from './deadline-policy.js';
import { holdForFailover } from './failover-hold.js';
import { decideRetry, MIN_ATTEMPT_MS, sleep, untilDeadline } from './retry-decision.js';
import { WaitExpired, ownRefusal, sentFailure, type Endpoint } from './endpoint.js';

/** Once a node's breaker is open, calls still queued for its connection fail fast too. */
function shedIfOpen(endpoint: Endpoint): void {
  if (endpoint.queueDepth > 0 && endpoint.breaker.state === 'open') endpoint.shedWaiters();
}

/** Blocking commands (BLPOP, XREAD…) take the full path: they have their own budget. */
const BLOCKING: ReadonlySet<string> = new Set(Command.FLAGS.BLOCKING_COMMANDS);

/** A first attempt the fast lane made, and how it failed. */
interface FirstAttempt {
  readonly endpoint: Endpoint;
  readonly start: number;
  readonly thrown: AttemptFailure;
}

/**
 * The one path every command takes: route, breaker, attempt deadline, classification, and a
 * retry only where it is safe. Pipelines use `runAttempts` with their own send function.
 */
export class CommandExecutor {
  private inFlight = 0;
  private idle: Array<() => void> = [];

  constructor(
    private readonly clientName: string,
    private readonly policy: Readonly<PolicyOptions>,
    private readonly router: CommandRouter,
    private readonly bus: EventBus,
  ) {}

  get pending(): number {
    return this.inFlight;
  }

  /**
   * Runs one call. Nearly every call takes the fast lane: no recovery in progress, a ready
   * node with a closed breaker, a non-blocking command. It is one send and one `.then`, with
   * no async frames, closures over the retry loop or opossum promise; the outcome is counted
   * with field increments. Anything else, and any failure, continues in `run`.
   */
  execute(command: Command): Promise<unknown> {
    this.inFlight++;
    let endpoint: Endpoint;
    let isRead: boolean;
    try {
      isRead = isReadCommand(command.name, command.args);
      if (this.router.pending?.(undefined, isRead) || BLOCKING.has(command.name)) return this.track(command);
      endpoint = this.router.route(command, isRead, undefined);
    } catch {
      return this.track(command);
    }
    if (!endpoint.ready || !endpoint.breaker.isClosed) return this.track(command);
    const start = performance.now();
    return endpoint.sendRaw(command, this.policy.attemptTimeoutMs, start).then(
      (result) => {
        endpoint.breaker.recordSuccess();
        endpoint.stats.ok++;
        endpoint.stats.recordDuration(performance.now() - start);
        this.settled();
        return result;
      },
      (error: unknown) => this.track(command, { endpoint, start, thrown: sentFailure(error) }),
    );
  }

  private async track(command: Command, first?: FirstAttempt): Promise<unknown> {
    try {
      return await this.run(command, first);
    } finally {
      this.settled();
    }
  }

  private settled(): void {
    if (--this.inFlight === 0 && this.idle.length > 0) for (const done of this.idle.splice(0)) done();
  }

  /** Resolves when nothing is in flight, or after `ms`. */
  drain(ms: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.idle.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private async run(command: Command, first?: FirstAttempt): Promise<unknown> {
    const budget = budgetFor(command, this.policy);
    const start = first?.start ?? performance.now();
    const deadline = start + budget.totalMs;
    const isRead = isReadCommand(command.name, command.args);
    let current = command;
    let previous: FailureClass | undefined;
    let lastError: unknown;
    /** Endpoints whose half-open breaker refused this call (their probe is in flight). */
    let refused: Set<Endpoint> | undefined;
    /** Whether this call already waited once for a failover (policy.holdDuringFailoverMs). */
    let held = false;
    for (let attempt = 1; ; attempt++) {
      // The fast lane's failed first attempt is replayed here, as if this loop had made it.
      const replay = attempt === 1 ? first : undefined;
      const recovering = replay ? undefined : this.router.pending?.(previous, isRead);
      if (recovering) await untilDeadline(recovering, deadline);
      let endpoint = replay?.endpoint ?? this.router.route(current, isRead, previous);
      if (!replay && (endpoint.breaker.state === 'open' || refused?.has(endpoint))) {
        const candidate = this.router.fallback(endpoint, current, isRead);
        // Each endpoint refuses a call at most once, so this loop ends.
        const alternative = candidate && !refused?.has(candidate) ? candidate : undefined;
        if (!alternative) {
          const hold = held ? undefined : holdForFailover(this.policy, this.router, endpoint, deadline);
          if (hold) {
            held = true;
            await hold;
            attempt--;
            continue;
          }
          throw this.circuitOpen(endpoint, command, endpoint.breaker.retryAfterMs());
        }
        endpoint = alternative;
      }
      let failure: FailureClass;
      let error: unknown;
      // Fast lane, the path of nearly every call: connected and closed. The send goes straight
      // to ioredis and the outcome is counted with field increments, without an opossum fire
      // (a promise, two timestamps and events per call).
      const fast = replay !== undefined || (endpoint.ready && endpoint.breaker.isClosed);
      try {
        let result: unknown;
        if (replay) throw replay.thrown;
        if (fast) {
          result = await this.attempt(endpoint, current, budget.attemptMs, deadline, previous);
          endpoint.breaker.recordSuccess();
        } else {
          // Refused here, outside the breaker: inside, opossum would count our refusal as a
          // success and could close a half-open breaker on a node that is still hung.
          if (deadline - performance.now() < MIN_ATTEMPT_MS) throw new WaitExpired('deadline');
          const full = endpoint.queueFullError();
          if (full) throw full;
          const target = endpoint;
          const sent = current;
          const after = previous;
          // Waiting for readiness happens inside the breaker: a node that stays down opens it
          // (calls then fail in microseconds instead of queueing for their whole deadline),
          // and a half-open breaker lets exactly one call wait for the reconnect as its probe.
          result = await endpoint.breaker.run(() =>
            target.ready
              ? this.attempt(target, sent, budget.attemptMs, deadline, after)
              : target.readyForAttempt(deadline).then(() => this.attempt(target, sent, budget.attemptMs, deadline, after)),
          );
        }
        endpoint.stats.ok++;
        endpoint.stats.recordDuration(performance.now() - start);
        return result;
      } catch (thrown) {
        if (thrown instanceof BreakerRejection) {
          // A half-open breaker with its probe in flight refused us: handled like an open
          // breaker at the top of the loop (a read may go elsewhere, a call may wait for the
          // failover), once.
          if (!refused?.has(endpoint)) {
            (refused ??= new Set()).add(endpoint);
            attempt--;
            continue;
          }
          throw this.circuitOpen(endpoint, command, thrown.retryAfterMs);
        }
        const inner = thrown instanceof AttemptFailure ? thrown.error : thrown;
        // Counted only while still closed: once it opened, more failures change nothing, and
        // a late failure of a call sent before must not stand in for a half-open probe.
        if (fast && thrown instanceof AttemptFailure && !(inner instanceof WaitExpired) && endpoint.breaker.isClosed) {
          // opossum's errorFilter rule: a user error is the node answering, not failing.
          if (thrown.failure.countsAgainstBreaker) endpoint.breaker.recordFailure(thrown);
          else endpoint.breaker.recordSuccess();
        }
        if (inner instanceof WaitExpired) {
          if (inner.reason === 'closed') throw new ClientClosedError(this.clientName, command.name);
          if (inner.reason === 'deadline') {
            shedIfOpen(endpoint);
            endpoint.stats.recordError('timeout');
            throw new CommandTimeoutError(this.target(endpoint, command), budget.totalMs, lastError);
          }
          // Swapped out, or shed by its breaker, while we waited: never sent, so route again.
          attempt--;
          continue;
        }
        if (inner instanceof QueueFullError) {
          endpoint.stats.recordError('overloaded');
          if (!endpoint.overflowing) {
            endpoint.overflowing = true;
            this.bus.emit({ type: 'queue.overflowed', node: endpoint.id, limit: inner.limit, scenario: 'overloaded' });
          }
          throw inner;
        }
        if (thrown instanceof AttemptFailure) {
          failure = thrown.failure;
          error = thrown.error;
        } else if (isResilienceError(thrown)) {
          throw thrown;
        } else {
          failure = classifyFailure(thrown, { sent: false });
          error = thrown;
        }
      }
      this.router.onFailure(endpoint, failure);
      shedIfOpen(endpoint);
      lastError = error;
      const decision = decideRetry(failure, isRetrySafe(command.name, command.args, 'unknown'), attempt, deadline, this.policy);
      if (!decision.retry) {
        endpoint.stats.recordError(failure.scenario);
        // User errors (WRONGTYPE, syntax, script) and auth/config errors reach the caller
        // unchanged: existing ioredis error handling keeps working.
        if (decision.why === 'not-retryable') throw error;
        if (decision.why === 'unsafe') throw new OutcomeUnknownError(this.target(endpoint, command), failure.scenario, error);
        if (decision.why === 'deadline' && failure.scenario === 'timeout') {
          throw new CommandTimeoutError(this.target(endpoint, command), budget.totalMs, error);
        }
        throw new RetriesExhaustedError(this.target(endpoint, command), attempt, failure.scenario, error);
      }
      const delay = decision.delayMs;
      endpoint.stats.recordRetry(failure.scenario);
      this.bus.emit({
        type: 'command.retried',
        node: endpoint.id,
        scenario: failure.scenario,
        command: command.name,
        attempt,
        delayMs: Math.round(delay),
      });
      if (delay > 0) await sleep(delay);
      current = cloneCommand(command);
      previous = failure;
    }
  }

  /** One send on a ready endpoint, with what is left of the call's deadline as its cap. */
  private attempt(
    endpoint: Endpoint,
    command: Command,
    attemptMs: number,
    deadline: number,
    previous: FailureClass | undefined,
  ): Promise<unknown> {
    const remaining = deadline - performance.now();
    // Only reachable after a wait for readiness used up the budget: the node is back, so
    // this is no evidence against it.
    if (remaining < MIN_ATTEMPT_MS) return Promise.reject(ownRefusal('deadline'));
    this.router.prepare?.(endpoint, command, previous);
    // attemptMs 0 means no client timer (BLPOP 0), and then the deadline is Infinity too.
    return endpoint.send(command, attemptMs > 0 ? Math.min(attemptMs, remaining) : 0);
  }

  private target(endpoint: Endpoint, command: Command) {
    return { client: this.clientName, node: endpoint.id, command: command.name };
  }

  private circuitOpen(endpoint: Endpoint, command: Command, retryAfterMs: number): CircuitOpenError {
    endpoint.stats.recordError('circuit-open');
    return new CircuitOpenError(this.target(endpoint, command), retryAfterMs);
  }
}
