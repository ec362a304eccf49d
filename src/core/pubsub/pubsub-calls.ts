import type { Command } from 'ioredis';
import { ClientClosedError } from '../errors/client-closed.error.js';
import { CommandTimeoutError } from '../errors/command-timeout.error.js';
import { normalizeCommandName } from '../policy/command-name.js';

/**
 * The SUBSCRIBE family's calls in flight, each with the same total deadline as any command
 * (issue 12, defect 10): a node that never answers fails the call with `CommandTimeoutError`,
 * and `close()` fails it with `ClientClosedError`, instead of leaving it pending forever.
 * The ioredis `Command` itself is settled, so a Node-style callback and the promise agree.
 */
export class PubSubCalls {
  private readonly pending = new Map<Command, NodeJS.Timeout>();

  constructor(
    private readonly clientName: string,
    /** policy.totalTimeoutMs: connecting, (re)homing and the reply all come out of it. */
    private readonly totalMs: number,
  ) {}

  /**
   * Arms `command`'s deadline and returns its promise. `node` names where it was headed, for
   * the timeout error.
   */
  track(command: Command, node: () => string | undefined): Promise<unknown> {
    const timer = setTimeout(() => {
      this.pending.delete(command);
      command.reject(
        new CommandTimeoutError({ client: this.clientName, node: node(), command: normalizeCommandName(command.name) }, this.totalMs),
      );
    }, this.totalMs);
    timer.unref();
    this.pending.set(command, timer);
    const settled = (): void => {
      clearTimeout(timer);
      this.pending.delete(command);
    };
    command.promise.then(settled, settled);
    return command.promise;
  }

  /** When the call's deadline falls (ms since the epoch). */
  deadlineFrom(start: number): number {
    return start + this.totalMs;
  }

  /** Fails every call still in flight: the client is closing. */
  closeAll(): void {
    for (const [command, timer] of this.pending) {
      clearTimeout(timer);
      command.reject(new ClientClosedError(this.clientName, normalizeCommandName(command.name)));
    }
    this.pending.clear();
  }
}
