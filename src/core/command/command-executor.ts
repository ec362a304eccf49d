import type { Command } from 'ioredis';
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
import { computeBackoffMs } from '../policy/backoff.js';
import { classifyFailure } from '../policy/classify-failure.js';
import { isReadCommand, isRetrySafe } from '../policy/command-safety.js';
import type { FailureClass } from '../policy/failure-scenario.js';
import { cloneCommand } from './clone-command.js';
import type { CommandRouter } from './command-router.js';
import { budgetFor } from './deadline-policy.js';
import { WaitExpired, type Endpoint } from './endpoint.js';

/** Below this much time left, another attempt can't get a reply: give up instead. */
const MIN_ATTEMPT_MS = 5;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for `work` but no longer than `deadline` (performance.now ms); never rejects. */
function untilDeadline(work: Promise<unknown>, deadline: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, deadline - performance.now()));
    work.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
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

  async execute(command: Command): Promise<unknown> {
    this.inFlight++;
    try {
      return await this.run(command);
    } finally {
      if (--this.inFlight === 0 && this.idle.length > 0) for (const done of this.idle.splice(0)) done();
    }
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

  private async run(command: Command): Promise<unknown> {
    const budget = budgetFor(command, this.policy);
    const start = performance.now();
    const deadline = start + budget.totalMs;
    const isRead = isReadCommand(command.name, command.args);
    let current = command;
    let previous: FailureClass | undefined;
    let lastError: unknown;
    for (let attempt = 1; ; attempt++) {
      const recovering = this.router.pending?.(previous);
      if (recovering) await untilDeadline(recovering, deadline);
      let endpoint = this.router.route(current, isRead, previous);
      if (endpoint.breaker.state === 'open') {
        const alternative = this.router.fallback(endpoint, current, isRead);
        if (!alternative) throw this.circuitOpen(endpoint, command, endpoint.breaker.retryAfterMs());
        endpoint = alternative;
      }
      let failure: FailureClass;
      let error: unknown;
      try {
        if (!endpoint.ready) await endpoint.waitReady(deadline);
        const remaining = deadline - performance.now();
        if (remaining < MIN_ATTEMPT_MS) throw new WaitExpired('deadline');
        const attemptMs = budget.attemptMs > 0 ? Math.min(budget.attemptMs, remaining) : 0;
        this.router.prepare?.(endpoint, current, previous);
        const target = endpoint;
        const sent = current;
        const result = await endpoint.breaker.run(() => target.send(sent, attemptMs));
        endpoint.stats.ok++;
        endpoint.stats.recordDuration(performance.now() - start);
        return result;
      } catch (thrown) {
        if (thrown instanceof BreakerRejection) throw this.circuitOpen(endpoint, command, thrown.retryAfterMs);
        if (thrown instanceof WaitExpired) {
          if (thrown.reason === 'closed') throw new ClientClosedError(this.clientName, command.name);
          if (thrown.reason === 'deadline') {
            endpoint.stats.recordError('timeout');
            throw new CommandTimeoutError(this.target(endpoint, command), budget.totalMs, lastError);
          }
          // The endpoint was swapped out while we waited: never sent, so route it again.
          attempt--;
          continue;
        }
        if (thrown instanceof QueueFullError) {
          endpoint.stats.recordError('overloaded');
          if (!endpoint.overflowing) {
            endpoint.overflowing = true;
            this.bus.emit({ type: 'queue.overflowed', node: endpoint.id, limit: thrown.limit, scenario: 'overloaded' });
          }
          throw thrown;
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
      lastError = error;
      if (!failure.retryable) {
        endpoint.stats.recordError(failure.scenario);
        // User errors (WRONGTYPE, syntax, script) and auth/config errors reach the caller
        // unchanged: existing ioredis error handling keeps working.
        throw error;
      }
      if (!isRetrySafe(command.name, command.args, failure.execution)) {
        endpoint.stats.recordError(failure.scenario);
        throw new OutcomeUnknownError(this.target(endpoint, command), failure.scenario, error);
      }
      const delay = failure.scenario === 'moved' || failure.scenario === 'ask'
        ? 0
        : computeBackoffMs(attempt, { baseMs: this.policy.backoffBaseMs, maxMs: this.policy.backoffMaxMs });
      const left = deadline - performance.now() - delay;
      if (attempt >= this.policy.maxAttempts || left < MIN_ATTEMPT_MS) {
        endpoint.stats.recordError(failure.scenario);
        if (left < MIN_ATTEMPT_MS && failure.scenario === 'timeout') {
          throw new CommandTimeoutError(this.target(endpoint, command), budget.totalMs, error);
        }
        throw new RetriesExhaustedError(this.target(endpoint, command), attempt, failure.scenario, error);
      }
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

  private target(endpoint: Endpoint, command: Command) {
    return { client: this.clientName, node: endpoint.id, command: command.name };
  }

  private circuitOpen(endpoint: Endpoint, command: Command, retryAfterMs: number): CircuitOpenError {
    endpoint.stats.recordError('circuit-open');
    return new CircuitOpenError(this.target(endpoint, command), retryAfterMs);
  }
}
