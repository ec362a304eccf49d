import type { Command } from 'ioredis';

/**
 * Attempt deadlines for one connection without a timer per command. Redis answers a
 * connection's commands in the order they were sent, so the oldest unanswered command is
 * always the first to expire: one sweep every `tickMs` checks the head of a FIFO. ioredis's
 * own per-command timer (`Command#setTimeout`) costs about 1 µs of CPU per call; this costs
 * an array push.
 *
 * A command whose deadline is earlier than the last one queued (a retry close to its total
 * deadline, a blocking command's long timeout ahead of it) would break the ordering; it gets
 * ioredis's own timer instead.
 */
export class AttemptTimer {
  private commands: Command[] = [];
  private due: number[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly tickMs: number) {}

  /** Rejects `command` with ioredis's "Command timed out" if unanswered after `timeoutMs`. */
  arm(command: Command, timeoutMs: number, now: number): void {
    const due = now + timeoutMs;
    const n = this.due.length;
    if (n > this.head && due < this.due[n - 1]!) {
      command.setTimeout(timeoutMs);
      return;
    }
    this.commands.push(command);
    this.due.push(due);
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.sweep(), this.tickMs);
      this.timer.unref();
    }
  }

  /** Commands armed and not yet known to be settled. */
  get size(): number {
    return this.commands.length - this.head;
  }

  private sweep(): void {
    const now = performance.now();
    const commands = this.commands;
    let head = this.head;
    while (head < commands.length) {
      const command = commands[head]!;
      if (!command.isSettled) {
        if (this.due[head]! > now) break;
        command.reject(new Error('Command timed out'));
      }
      head++;
    }
    if (head === commands.length) {
      this.commands = [];
      this.due = [];
      this.head = 0;
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    if (head > 1024 && head * 2 > commands.length) {
      this.commands = commands.slice(head);
      this.due = this.due.slice(head);
      head = 0;
    }
    this.head = head;
  }

  /** Stops sweeping; commands still armed settle through the connection closing. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
