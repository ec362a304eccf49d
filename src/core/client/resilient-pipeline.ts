import type { ChainableCommander, Command } from 'ioredis';
import { Commander, addedCommandNames } from '../connection/ioredis-internals.js';
import { attachCallback } from './node-callback.js';

/** Result shape of `exec()`, as ioredis returns it. */
export type PipelineResult = Array<[error: Error | null, result: unknown]>;

/** Runs a queued batch through the command path. */
export interface PipelineRunner {
  /** The client the batch belongs to: its key prefix, scripts and added builtins are the batch's too. */
  readonly source: { readonly options: { keyPrefix?: string | undefined } };
  runPipeline(commands: Command[], transaction: boolean): Promise<PipelineResult | null>;
}

/**
 * `redis.pipeline()` / `redis.multi()`: queues commands with ioredis's own typed methods,
 * then sends the batch through the same breaker, deadline and retry path as single commands
 * (a batch follows its least safe command).
 */
class ResilientPipelineImpl extends Commander {
  private readonly queue: Command[] = [];
  /** What ioredis's Script looks for to tell a pipeline from a client. */
  readonly isPipeline = true;
  readonly redis: object | undefined;

  constructor(
    private readonly runner: PipelineRunner,
    private readonly transaction: boolean,
  ) {
    super();
    this.options = { keyPrefix: runner.source.options.keyPrefix };
    this.redis = runner.source;
    // As ioredis's Pipeline does: scripts defined on the client (bullmq's addJob) and added
    // builtins are methods of its batches too. Without them `Queue.addBulk` drops jobs.
    const source = runner.source as unknown as Record<string, unknown>;
    const self = this as unknown as Record<string, unknown>;
    for (const name of addedCommandNames(source)) {
      self[name] = source[name];
      self[`${name}Buffer`] = source[`${name}Buffer`];
    }
  }

  get length(): number {
    return this.queue.length;
  }

  override sendCommand(command: Command): unknown {
    // Its promise is handled once it is sent, by the batch that collects its reply; unsent,
    // it never settles.
    this.queue.push(command);
    return this;
  }

  /** A non-function argument is ignored, as ioredis does (rate-limiter-flexible calls `exec(true)`). */
  override exec(callback?: unknown): Promise<PipelineResult | null> {
    const p = this.runner.runPipeline(this.queue.splice(0), this.transaction);
    return attachCallback(p, typeof callback === 'function' ? (callback as (err: Error | null, res?: unknown) => void) : undefined);
  }
}

export function createPipeline(runner: PipelineRunner, transaction: boolean): ChainableCommander {
  return new ResilientPipelineImpl(runner, transaction) as unknown as ChainableCommander;
}
