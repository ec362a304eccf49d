import type { Command } from 'ioredis';
import { AttemptFailure } from '../breaker/shard-breaker.js';
import { classifyFailure } from '../policy/classify-failure.js';
import { sentFailure, type Endpoint } from '../endpoint/endpoint.js';

/** Result shape of `exec()`, as ioredis returns it: `[null, reply]`, or `[error]` for a failed command. */
export type PipelineResult = Array<[error: Error | null, result: unknown]>;

/** The message ioredis, and our attempt timer, reject an unanswered command with. */
const TIMED_OUT = 'Command timed out';

/**
 * The attempt failed as a whole when every reply is an error that is the node's (the node
 * refused the whole batch: MOVED, LOADING, a timeout...): the breaker and the retry rules then
 * treat it as one failed attempt. Otherwise the errors are per command, as ioredis reports them.
 */
export function wholeBatchFailure(results: PipelineResult | null, commands: readonly Command[]): AttemptFailure | undefined {
  const first = results?.[0]?.[0];
  if (!first || !results!.every(([e]) => e !== null)) return undefined;
  const failure = classifyFailure(first, { sent: true, command: commands[0]?.name });
  return failure.countsAgainstBreaker || failure.retryable ? new AttemptFailure(first, failure) : undefined;
}

/** Collects the replies of one pipeline attempt, in the caller's order, as they arrive. */
class PipelineReplies {
  readonly results: PipelineResult = [];
  private left: number;
  private done = false;

  constructor(
    private readonly commands: readonly Command[],
    private readonly resolve: (results: PipelineResult) => void,
    private readonly reject: (failure: AttemptFailure) => void,
  ) {
    this.left = commands.length;
  }

  ok(i: number, value: unknown): void {
    this.results[i] = [null, value];
    if (--this.left === 0) this.settled();
  }

  failed(i: number, error: unknown): void {
    if (this.done) return;
    // The attempt timer cut a command off: the attempt timed out as a whole, at once (the
    // commands before it may still be unanswered; their replies, if any, are dropped).
    if (error instanceof Error && error.name === 'Error' && error.message === TIMED_OUT) {
      this.done = true;
      this.reject(sentFailure(error, this.commands[0]?.name));
      return;
    }
    this.results[i] = [error] as unknown as [Error, unknown];
    if (--this.left === 0) this.settled();
  }

  private settled(): void {
    if (this.done) return;
    this.done = true;
    const whole = wholeBatchFailure(this.results, this.commands);
    if (whole) this.reject(whole);
    else this.resolve(this.results);
  }
}

/**
 * Sends a pipeline (not a transaction) to one endpoint: every command is written to the
 * connection in one socket write, as auto-pipelining does, and the replies are merged into
 * ioredis's `exec()` shape. Rejects with `AttemptFailure` when the attempt failed as a whole:
 * a command timed out (outcome unknown for the rest too), or every reply is the node's refusal.
 */
export function sendPipeline(endpoint: Endpoint, commands: readonly Command[], timeoutMs: number, now: number): Promise<PipelineResult> {
  return new Promise((resolve, reject) => {
    const replies = new PipelineReplies(commands, resolve, reject);
    const sent = endpoint.sendAllRaw(commands, timeoutMs, now);
    for (let i = 0; i < sent.length; i++) {
      sent[i]!.then(
        (value) => replies.ok(i, value),
        (error: unknown) => replies.failed(i, error),
      );
    }
  });
}
