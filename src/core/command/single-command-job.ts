import type { Command } from 'ioredis';
import type { PolicyOptions } from '../options/policy-options.js';
import type { FailureClass } from '../policy/failure-scenario.js';
import { copyCommand } from '../connection/ioredis-internals.js';
import type { AttemptJob } from './attempt-loop.js';
import { fitBlockingTimeout } from './blocking-timeout.js';
import type { CommandProfile } from './command-profile.js';
import type { CommandRouter } from './command-router.js';
import { ownRefusal, type Endpoint } from './endpoint.js';
import { MIN_ATTEMPT_MS } from './retry-decision.js';

/** Below this much server-side block left, a blocking call is not sent at all. */
const MIN_BLOCK_MS = 10;

/** One command, as the attempt loop runs it. */
export class SingleCommandJob implements AttemptJob<unknown> {
  private current: Command;
  /** The endpoint of the last attempt that succeeded (WATCH needs to know where it holds). */
  sentOn: Endpoint | undefined;

  constructor(
    readonly profile: CommandProfile,
    private readonly command: Command,
    private readonly router: CommandRouter,
    private readonly policy: Readonly<PolicyOptions>,
    /** The caller's command: its promise is the one the caller holds, settled by the executor. */
    firstAttempt: Command = command,
  ) {
    this.current = firstAttempt;
  }

  route(previous: FailureClass | undefined): Endpoint {
    return this.router.route(this.current, this.profile.isRead, previous);
  }

  fallback(from: Endpoint): Endpoint | undefined {
    return this.router.fallback(from, this.current, this.profile.isRead);
  }

  async send(endpoint: Endpoint, attemptMs: number, deadline: number, previous: FailureClass | undefined): Promise<unknown> {
    const remaining = deadline - performance.now();
    // Only reachable after a wait for readiness used up the budget: the node is back, so
    // this is no evidence against it.
    if (remaining < MIN_ATTEMPT_MS) throw ownRefusal('deadline');
    this.router.prepare?.(endpoint, this.current, previous);
    // attemptMs 0 means no client timer (BLPOP 0), and then the deadline is Infinity too.
    const timeoutMs = attemptMs > 0 ? Math.min(attemptMs, remaining) : 0;
    const value = this.profile.blocking ? await this.sendBlocking(endpoint, timeoutMs, deadline) : await endpoint.send(this.current, timeoutMs);
    this.sentOn = endpoint;
    return value;
  }

  /**
   * A blocking call never goes out with a server-side block that outlives its client
   * deadline (it would pop an element after its caller gave up): the block is cut to what is
   * left after the grace period, and below `MIN_BLOCK_MS` it is not sent.
   */
  private sendBlocking(endpoint: Endpoint, timeoutMs: number, deadline: number): Promise<unknown> {
    let command = this.current;
    if (timeoutMs > 0) {
      const maxBlockMs = timeoutMs - this.policy.blockingGraceMs;
      if (maxBlockMs < MIN_BLOCK_MS) return Promise.reject(ownRefusal('deadline'));
      const args = fitBlockingTimeout(this.profile.label, command.args, maxBlockMs);
      if (args !== command.args) command = this.current = copyCommand(command, args);
    }
    return endpoint.sendBlocking(command, timeoutMs, deadline, this.policy.connectTimeoutMs);
  }

  renew(): void {
    this.current = copyCommand(this.command);
  }

  /** The command the last attempt sent. */
  get sent(): Command {
    return this.current;
  }
}
