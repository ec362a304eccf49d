import type { Command, Redis } from 'ioredis';
import { AttemptFailure } from '../breaker/shard-breaker.js';
import { sendPipeline, wholeBatchFailure, type PipelineResult } from './pipeline-send.js';
import { classifyFailure } from '../policy/classify-failure.js';
import type { FailureClass } from '../policy/failure-scenario.js';
import { copyCommand } from '../connection/ioredis-internals.js';
import type { AttemptJob } from './attempt-loop.js';
import type { CommandProfile } from './command-profile.js';
import type { CommandRouter } from './command-router.js';
import { ownRefusal, sentFailure, type Endpoint } from '../endpoint/endpoint.js';
import { MIN_ATTEMPT_MS } from './retry-decision.js';
import type { WatchCheck } from './watch-state.js';

export type { PipelineResult } from './pipeline-send.js';

interface TransactionCapable {
  sendCommand(command: Command): unknown;
  exec(): Promise<PipelineResult | null>;
}

/**
 * Sends one MULTI/EXEC transaction to one connection within one attempt deadline, through
 * ioredis's own transaction (it queues the commands and maps EXEC's replies back to them).
 */
function sendTransaction(client: Redis, commands: readonly Command[], timeoutMs: number): Promise<PipelineResult | null> {
  const batch = client.multi() as unknown as TransactionCapable;
  for (const c of commands) batch.sendCommand(c);
  return new Promise<PipelineResult | null>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('Command timed out')), timeoutMs);
    function fail(error: unknown): void {
      clearTimeout(timer);
      reject(abortedByNode(error) ?? sentFailure(error));
    }
    batch.exec().then((results) => {
      clearTimeout(timer);
      const whole = wholeBatchFailure(results, commands);
      if (whole) reject(whole);
      else resolve(results);
    }, fail);
  });
}

/**
 * EXECABORT because the node refused a queued command (READONLY on a demoted primary, MOVED,
 * LOADING…): nothing ran, and it is the node's answer, not the caller's mistake. Classified
 * as that refusal, so the transaction follows the failover like a single command would.
 */
function abortedByNode(error: unknown): AttemptFailure | undefined {
  const previous = (error as { previousErrors?: unknown[] } | undefined)?.previousErrors?.[0];
  if (previous === undefined) return undefined;
  const failure = classifyFailure(previous, { sent: true });
  if (failure.execution !== 'not-executed' || !failure.retryable) return undefined;
  return new AttemptFailure(previous, failure);
}

/** A pipeline or transaction going to one node, as the attempt loop runs it. */
export class BatchJob implements AttemptJob<PipelineResult | null> {
  private current: readonly Command[];

  constructor(
    readonly profile: CommandProfile,
    private readonly commands: readonly Command[],
    private readonly transaction: boolean,
    private readonly router: CommandRouter,
    /** For a watched transaction: whether it may still run where it is about to be sent. */
    private readonly watch: WatchCheck | undefined,
  ) {
    this.current = commands;
  }

  route(previous: FailureClass | undefined): Endpoint {
    return this.router.route(this.current[0]!, this.profile.isRead, previous);
  }

  fallback(from: Endpoint): Endpoint | undefined {
    return this.router.fallback(from, this.current[0]!, this.profile.isRead);
  }

  send(endpoint: Endpoint, timeoutMs: number, deadline: number): Promise<PipelineResult | null> {
    const remaining = deadline - performance.now();
    if (remaining < MIN_ATTEMPT_MS) return Promise.reject(ownRefusal('deadline'));
    // EXEC aborts (null) when a watched key changed. A WATCH on another connection, or on
    // one that has since reconnected, watches nothing here: sending would commit without
    // the check the caller asked for, so the transaction aborts as EXEC would.
    if (this.watch && !this.watch(endpoint)) return Promise.resolve(null);
    const attemptMs = Math.min(timeoutMs, remaining);
    if (this.transaction) return sendTransaction(endpoint.client, this.current, attemptMs);
    return sendPipeline(endpoint, this.current, attemptMs, performance.now());
  }

  renew(): void {
    this.current = this.commands.map((c) => copyCommand(c));
  }
}
