import type { Command, Redis } from 'ioredis';
import { AttemptFailure, BreakerRejection } from '../breaker/shard-breaker.js';
import { CircuitOpenError } from '../errors/circuit-open.error.js';
import { ClientClosedError } from '../errors/client-closed.error.js';
import { CommandTimeoutError } from '../errors/command-timeout.error.js';
import { OutcomeUnknownError } from '../errors/outcome-unknown.error.js';
import { RetriesExhaustedError } from '../errors/retries-exhausted.error.js';
import { QueueFullError } from '../errors/queue-full.error.js';
import { CrossSlotError } from '../errors/cross-slot.error.js';
import { isResilienceError } from '../errors/resilience.error.js';
import type { EventBus } from '../events/event-bus.js';
import type { PolicyOptions } from '../options/policy-options.js';
import { classifyFailure } from '../policy/classify-failure.js';
import { isReadCommand, getPipelineSafety } from '../policy/command-safety.js';
import type { FailureClass } from '../policy/failure-scenario.js';
import { cloneCommand } from './clone-command.js';
import { decideRetry, MIN_ATTEMPT_MS, sleep, untilDeadline } from './retry-decision.js';
import type { CommandRouter } from './command-router.js';
import { WaitExpired, ownRefusal, sentFailure, type Endpoint } from './endpoint.js';

export type PipelineResult = Array<[error: Error | null, result: unknown]>;

interface BatchCapable {
  sendCommand(command: Command): unknown;
  exec(): Promise<PipelineResult | null>;
}

/**
 * Sends one batch (pipeline or MULTI) to one endpoint within one attempt deadline. The whole
 * batch is one breaker call: if every reply is a node failure, the attempt failed.
 */
function sendBatch(client: Redis, commands: Command[], transaction: boolean, timeoutMs: number): Promise<PipelineResult | null> {
  const batch = (transaction ? client.multi() : client.pipeline()) as unknown as BatchCapable;
  for (const c of commands) batch.sendCommand(c);
  return new Promise<PipelineResult | null>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('Command timed out')), timeoutMs);
    function fail(error: unknown): void {
      clearTimeout(timer);
      reject(sentFailure(error));
    }
    batch.exec().then((results) => {
      clearTimeout(timer);
      const first = results?.[0]?.[0];
      if (first && results!.every(([e]) => e !== null)) {
        const failure = classifyFailure(first, { sent: true });
        if (failure.countsAgainstBreaker || failure.retryable) {
          reject(new AttemptFailure(first, failure));
          return;
        }
      }
      resolve(results);
    }, fail);
  });
}


/** Runs pipelines and transactions through the breaker, deadline and retry policy. */
export async function runPipeline(
  ctx: { clientName: string; policy: Readonly<PolicyOptions>; router: CommandRouter; bus: EventBus },
  commands: Command[],
  transaction: boolean,
): Promise<PipelineResult | null> {
  if (commands.length === 0) return [];
  if (transaction && ctx.router.partition?.(commands)) throw new CrossSlotError(ctx.clientName, 'multi');
  const parts = transaction ? undefined : ctx.router.partition?.(commands);
  if (parts) {
    // A cluster pipeline is split by shard; each part follows its own shard's breaker and
    // policy, and a failing part fills only its own entries with the error.
    const merged: PipelineResult = Array.from({ length: commands.length }, () => [null, null] as [Error | null, unknown]);
    await Promise.all(
      parts.map(async (indexes) => {
        try {
          const result = await runPipeline(ctx, indexes.map((i) => commands[i]!), false);
          indexes.forEach((i, j) => (merged[i] = result?.[j] ?? [null, null]));
        } catch (error) {
          for (const i of indexes) merged[i] = [error as Error, null];
        }
      }),
    );
    return merged;
  }
  const { policy, router } = ctx;
  const start = performance.now();
  const deadline = start + policy.totalTimeoutMs;
  const isRead = commands.every((c) => isReadCommand(c.name, c.args));
  const label = transaction ? 'multi' : 'pipeline';
  let current = commands;
  let previous: FailureClass | undefined;
  let lastError: unknown;
  for (let attempt = 1; ; attempt++) {
    // Like single commands, a batch waits (within its deadline) for a recovery in progress:
    // a primary swap after READONLY, the first topology, a refresh after CLUSTERDOWN.
    const recovering = router.pending?.(previous, isRead);
    if (recovering) await untilDeadline(recovering, deadline);
    let endpoint: Endpoint = router.route(current[0]!, isRead, previous);
    const target = () => ({ client: ctx.clientName, node: endpoint.id, command: label });
    if (endpoint.breaker.state === 'open') {
      const alternative = router.fallback(endpoint, current[0]!, isRead);
      if (!alternative) throw new CircuitOpenError(target(), endpoint.breaker.retryAfterMs());
      endpoint = alternative;
    }
    let failure: FailureClass;
    try {
      // Outside the breaker: opossum would count our own refusal as a success.
      if (deadline - performance.now() < MIN_ATTEMPT_MS) throw new WaitExpired('deadline');
      const full = endpoint.queueFullError();
      if (full) throw full;
      const chosen = endpoint;
      const batch = current;
      const send = (): Promise<PipelineResult | null> => {
        const remaining = deadline - performance.now();
        if (remaining < MIN_ATTEMPT_MS) return Promise.reject(ownRefusal('deadline'));
        // A big batch takes longer to write and answer: one attempt timeout per 1000 commands.
        return sendBatch(chosen.client, batch, transaction, Math.min(policy.attemptTimeoutMs * Math.max(1, Math.ceil(batch.length / 1000)), remaining));
      };
      // As for single commands, the readiness wait is inside the breaker (see command-executor).
      const result = await endpoint.breaker.run(() => (chosen.ready ? send() : chosen.readyForAttempt(deadline).then(send)));
      endpoint.stats.ok++;
      endpoint.stats.recordDuration(performance.now() - start);
      return result;
    } catch (thrown) {
      if (thrown instanceof BreakerRejection) throw new CircuitOpenError(target(), thrown.retryAfterMs);
      const inner = thrown instanceof AttemptFailure ? thrown.error : thrown;
      if (inner instanceof WaitExpired) {
        if (inner.reason === 'closed') throw new ClientClosedError(ctx.clientName, label);
        if (inner.reason === 'retired' || inner.reason === 'shed') {
          attempt--;
          continue;
        }
        if (endpoint.breaker.state === 'open') endpoint.shedWaiters();
        throw new CommandTimeoutError(target(), policy.totalTimeoutMs, lastError);
      }
      if (inner instanceof QueueFullError) {
        endpoint.stats.recordError('overloaded');
        throw inner;
      }
      if (isResilienceError(thrown)) throw thrown;
      failure = thrown instanceof AttemptFailure ? thrown.failure : classifyFailure(thrown);
      lastError = thrown instanceof AttemptFailure ? thrown.error : thrown;
    }
    router.onFailure(endpoint, failure);
    if (endpoint.breaker.state === 'open') endpoint.shedWaiters();
    const safety = getPipelineSafety(commands.map((c) => ({ name: c.name, args: c.args })));
    const decision = decideRetry(failure, safety !== 'unsafe', attempt, deadline, policy);
    if (!decision.retry) {
      if (decision.why === 'not-retryable') throw lastError;
      if (decision.why === 'unsafe') throw new OutcomeUnknownError(target(), failure.scenario, lastError);
      throw new RetriesExhaustedError(target(), attempt, failure.scenario, lastError);
    }
    const delay = decision.delayMs;
    endpoint.stats.recordRetry(failure.scenario);
    ctx.bus.emit({ type: 'command.retried', node: endpoint.id, scenario: failure.scenario, command: label, attempt, delayMs: Math.round(delay) });
    await sleep(delay);
    current = commands.map(cloneCommand);
    previous = failure;
  }
}
