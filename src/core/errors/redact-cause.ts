/**
 * ioredis attaches the failed command to its errors (`error.command = { name, args }`). For the
 * handshake that is `AUTH <user> <password>` or `HELLO 3 AUTH <user> <password>`: kept as
 * `cause`, the password would show in `util.inspect(err, { depth: 4 })`, in loggers that
 * serialise causes, and in error trackers. Every error of the family passes its cause here.
 */
const SECRET_COMMANDS = new Set(['auth', 'hello']);
const REDACTED = '[redacted]';
/** Bounds the walk: a cause chain is short, but a cyclic one must not hang us. */
const MAX_DEPTH = 8;

/**
 * Replaces the arguments of AUTH and HELLO commands found on `cause` and its own causes
 * (`cause`, AggregateError `errors`, ioredis `previousErrors`) in place, and returns it.
 * In place, because the same object is what ioredis also handed to our error listeners.
 */
export function redactCause<T>(cause: T): T {
  redact(cause, 0, new Set());
  return cause;
}

function redact(value: unknown, depth: number, seen: Set<object>): void {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH || seen.has(value)) return;
  seen.add(value);
  const record = value as Record<string, unknown>;
  const command = record.command as { name?: unknown; args?: unknown } | undefined;
  if (command && typeof command === 'object' && typeof command.name === 'string' && SECRET_COMMANDS.has(command.name.toLowerCase())) {
    const args = Array.isArray(command.args) ? command.args.map(() => REDACTED) : [];
    try {
      record.command = { name: command.name, args };
    } catch {
      // A frozen error: leave it rather than fail the caller; nothing we create holds it.
    }
  }
  redact(record.cause, depth + 1, seen);
  for (const key of ['errors', 'previousErrors'] as const) {
    const list = record[key];
    if (Array.isArray(list)) for (const item of list) redact(item, depth + 1, seen);
  }
}
