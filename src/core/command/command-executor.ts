import type { Command } from 'ioredis';
import { CrossSlotError } from '../errors/cross-slot.error.js';
import type { EventBus } from '../events/event-bus.js';
import type { PolicyOptions } from '../options/policy-options.js';
import { runAttempts, type LoopContext } from './attempt-loop.js';
import { BatchJob, type PipelineResult } from './batch-job.js';
import { WATCH_COMMANDS, profileBatch, profileCommand, traitsOf, type CommandProfile } from './command-profile.js';
import { isReadCommand } from '../policy/command-safety.js';
import type { Endpoint } from '../endpoint/endpoint.js';
import type { CommandRouter } from './command-router.js';
import { sentFailure } from '../endpoint/endpoint.js';
import { untilDeadline } from './retry-decision.js';
import { SingleCommandJob } from './single-command-job.js';
import { WatchState } from './watch-state.js';

export type { PipelineResult } from './batch-job.js';

/**
 * Where every call enters the command path. It profiles the call once, then hands it to the
 * one attempt loop (attempt-loop.ts), with one exception made for speed: a plain command
 * to a node that is connected with a closed breaker is sent straight away (the fast lane),
 * and only if that attempt fails does the loop take over, deciding on it as its first.
 */
export class CommandExecutor {
  private inFlight = 0;
  private idle: Array<() => void> = [];
  private closing = false;
  private readonly watch = new WatchState();
  private readonly loop: LoopContext;

  constructor(
    private readonly clientName: string,
    private readonly policy: Readonly<PolicyOptions>,
    private readonly router: CommandRouter,
    bus: EventBus,
  ) {
    this.loop = { clientName, policy, router, bus, closing: () => this.closing };
  }

  get pending(): number {
    return this.inFlight;
  }

  /**
   * Runs one command. Nearly every call takes the fast lane: no recovery in progress, a
   * ready node with a closed breaker, a command that does not block. It is one send and one
   * `.then`, with no async frames or opossum promise; the outcome is counted with field
   * increments. Anything else, and any failure, continues in the attempt loop.
   */
  execute(
    command: Command,
    /**
     * Set for a part of a split cross-slot command: the slot its keys were grouped by (not
     * hashed again). A part's write waits for the end of the tick, whatever else is in flight,
     * so the parts for one node leave in one socket write.
     */
    partSlot?: number,
  ): Promise<unknown> {
    this.inFlight++;
    let isRead: boolean;
    let endpoint: Endpoint;
    try {
      const traits = traitsOf(command.name);
      if (traits.slowPath) return this.slow(command);
      isRead = !this.watch.active && isReadCommand(traits.lower, command.args);
      if (this.router.pending?.(undefined, isRead)) return this.slow(command, isRead);
      endpoint = this.router.route(command, isRead, undefined, partSlot);
    } catch {
      // Routing refused it (cross-slot, say): the loop turns that into the caller's error.
      return this.slow(command);
    }
    if (!endpoint.acceptsTraffic) return this.slow(command, isRead);
    const start = performance.now();
    // A call with none beside it is written at once: nothing could share its write, and at
    // concurrency 1 the cork and its end-of-tick release are pure cost. From the second call
    // in flight on, writes wait for the end of the tick and leave together.
    const hold = partSlot !== undefined || (this.inFlight > 1 && endpoint.coalescesWrites);
    return endpoint.sendRaw(command, this.policy.attemptTimeoutMs, start, hold).then(
      (result) => {
        endpoint.breaker.recordSuccess();
        endpoint.stats.recordSuccess(performance.now() - start);
        this.settled();
        return result;
      },
      (error: unknown) => {
        // Profiled only now, on the failure path: a successful call never needs its budget
        // or its retry safety.
        const profile = profileCommand(command, this.policy, this.watch.active, isRead);
        const job = new SingleCommandJob(profile, command, this.router, this.policy);
        return this.track(runAttempts(job, this.loop, start, { endpoint, start, thrown: sentFailure(error, command.name) }));
      },
    );
  }

  /** Everything off the fast lane: profiled, then the attempt loop (WATCH-aware). */
  private slow(command: Command, isRead?: boolean): Promise<unknown> {
    let profile: CommandProfile;
    try {
      profile = profileCommand(command, this.policy, this.watch.active, isRead);
    } catch (error) {
      this.settled();
      return Promise.reject(error);
    }
    if (WATCH_COMMANDS.has(profile.label)) return this.track(this.runWatchAware(profile, command));
    return this.track(this.run(profile, command));
  }

  /**
   * Runs a pipeline or a MULTI/EXEC transaction. A cluster pipeline is split by shard; each
   * part runs the same loop as a single command, on its own shard's breaker, and a failing
   * part fills only its own entries with the error.
   */
  executeBatch(commands: Command[], transaction: boolean): Promise<PipelineResult | null> {
    this.inFlight++;
    return this.track(this.batch(commands, transaction));
  }

  private async batch(commands: Command[], transaction: boolean): Promise<PipelineResult | null> {
    if (commands.length === 0) return [];
    const start = performance.now();
    // Partitioning needs the slot map: as the first call of a cluster client, wait for the
    // first topology within the call's deadline, as a single command does.
    const first = this.router.pending?.(undefined, false);
    if (first) await untilDeadline(first, start + this.policy.totalTimeoutMs);
    const parts = this.router.partition?.(commands);
    if (transaction && parts) throw new CrossSlotError(this.clientName, 'multi');
    const watched = transaction ? this.watch.take() : undefined;
    if (!parts) {
      const profile = profileBatch(commands, transaction, watched !== undefined, this.policy);
      return this.runBatch(new BatchJob(profile, commands, transaction, this.router, watched), start);
    }
    const merged: PipelineResult = Array.from({ length: commands.length }, () => [null, null] as [Error | null, unknown]);
    await Promise.all(
      parts.map(async (indexes) => {
        const part = indexes.map((i) => commands[i]!);
        try {
          const profile = profileBatch(part, false, false, this.policy);
          const result = await this.runBatch(new BatchJob(profile, part, false, this.router, undefined), start);
          indexes.forEach((i, j) => (merged[i] = result?.[j] ?? [null, null]));
        } catch (error) {
          for (const i of indexes) merged[i] = [error as Error, null];
        }
      }),
    );
    return merged;
  }

  /**
   * A batch's fast lane, as for a single command: to a node that is connected with a closed
   * breaker, and with no recovery in progress, it is sent at once, and only a failed attempt
   * goes on in the attempt loop, which decides on it as its first.
   */
  private runBatch(job: BatchJob, start: number): Promise<PipelineResult | null> {
    let endpoint: Endpoint | undefined;
    try {
      if (!this.router.pending?.(undefined, job.profile.isRead)) endpoint = job.route(undefined);
    } catch {
      // Routing refused it: the loop turns that into the caller's error.
    }
    if (!endpoint?.acceptsTraffic) return runAttempts(job, this.loop, start);
    const target = endpoint;
    const { attemptMs, totalMs } = job.profile.budget;
    return job.send(target, attemptMs, start + totalMs).then(
      (result) => {
        target.breaker.recordSuccess();
        target.stats.recordSuccess(performance.now() - start);
        return result;
      },
      (thrown: unknown) => runAttempts(job, this.loop, start, { endpoint: target, start, thrown }),
    );
  }

  /** WATCH, UNWATCH, EXEC and DISCARD sent as commands: keeps track of where a WATCH holds. */
  private async runWatchAware(profile: CommandProfile, command: Command): Promise<unknown> {
    if (profile.label !== 'watch') {
      this.watch.clear();
      return this.run(profile, command);
    }
    const job = new SingleCommandJob(profile, command, this.router, this.policy);
    const result = await runAttempts(job, this.loop, performance.now());
    if (job.sentOn) this.watch.watched(job.sentOn);
    return result;
  }

  private run(profile: CommandProfile, command: Command): Promise<unknown> {
    return runAttempts(new SingleCommandJob(profile, command, this.router, this.policy), this.loop, performance.now());
  }

  private async track<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } finally {
      this.settled();
    }
  }

  private settled(): void {
    if (--this.inFlight === 0 && this.idle.length > 0) for (const done of this.idle.splice(0)) done();
  }

  /**
   * Stops taking new work in the sense that matters for errors: from now on a call that
   * fails (a breaker disposed of, a connection closed under it) reports ClientClosedError.
   */
  close(): void {
    this.closing = true;
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
}
