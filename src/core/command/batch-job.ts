import type { Command, Redis } from 'ioredis';
import { AttemptFailure } from '../breaker/shard-breaker.js';
import { classifyFailure } from '../policy/classify-failure.js';
import type { FailureClass } from '../policy/failure-scenario.js';
import { copyCommand } from '../connection/ioredis-internals.js';
import type { AttemptJob } from './attempt-loop.js';
import type { CommandProfile } from './command-profile.js';
import type { CommandRouter } from './command-router.js';
import { ownRefusal, sentFailure, type Endpoint } from './endpoint.js';
import { MIN_ATTEMPT_MS } from './retry-decision.js';
import type { WatchCheck } from './watch-state.js';

export type PipelineResult = Array<[error: Error | null, result: unknown]>;

interface BatchCapable {
  sendCommand(command: Command): unknown;
  exec(): Promise<PipelineResult | null>;
}

/**
 * Sends one batch (pipeline or MULTI) to one connection within one attempt deadline. If every
 * reply is the same node failure (the node refused the whole batch), the attempt failed.
 */
function sendBatch(client: Redis, commands: readonly Command[], transaction: boolean, timeoutMs: number): Promise<PipelineResult | null> {
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
    return sendBatch(endpoint.client, this.current, this.transaction, Math.min(timeoutMs, remaining));
  }

  renew(): void {
    this.current = this.commands.map((c) => copyCommand(c));
  }
}
