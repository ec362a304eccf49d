import type { ChainableCommander, Command } from 'ioredis';
import { Commander } from '../connection/ioredis-internals.js';


/** Result shape of `exec()`, as ioredis returns it. */
export type PipelineResult = Array<[error: Error | null, result: unknown]>;

/** Runs a queued batch through the command path. */
export interface PipelineRunner {
  readonly options: { keyPrefix?: string | undefined };
  runPipeline(commands: Command[], transaction: boolean): Promise<PipelineResult | null>;
}

/**
 * `redis.pipeline()` / `redis.multi()`: queues commands with ioredis's own typed methods,
 * then sends the batch through the same breaker, deadline and retry path as single commands
 * (a batch follows its least safe command).
 */
class ResilientPipelineImpl extends Commander {
  private readonly queue: Command[] = [];

  constructor(
    private readonly runner: PipelineRunner,
    private readonly transaction: boolean,
  ) {
    super();
    this.options = { keyPrefix: runner.options.keyPrefix };
  }

  get length(): number {
    return this.queue.length;
  }

  override sendCommand(command: Command): unknown {
    this.queue.push(command);
    // Per-command promises of a pipeline settle through exec(); keep them from surfacing
    // as unhandled rejections.
    command.promise.catch(() => {});
    return this;
  }

  override exec(callback?: (err: Error | null, res?: PipelineResult | null) => void): Promise<PipelineResult | null> {
    const p = this.runner.runPipeline(this.queue.splice(0), this.transaction);
    if (callback) p.then((r) => callback(null, r), (e: Error) => callback(e));
    return p;
  }
}

export function createPipeline(runner: PipelineRunner, transaction: boolean): ChainableCommander {
  return new ResilientPipelineImpl(runner, transaction) as unknown as ChainableCommander;
}
