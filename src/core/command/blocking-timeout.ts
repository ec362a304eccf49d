/**
 * Where each blocking command keeps its server-side timeout, and how to shorten it. Names are
 * lower-case (see command-profile.ts).
 *
 * Why shorten: a blocking call that waited for a reconnect has less of its budget left than
 * its server-side block. Sent unchanged, it would outlive its client deadline, be given up as
 * outcome-unknown, and still pop the next element pushed, which nobody then receives. Sent
 * with the block cut to what is left, the server answers nil in time, as it would have.
 */

/** Timeout in seconds as the last argument. */
const LAST_ARG_SECONDS: ReadonlySet<string> = new Set(['blpop', 'brpop', 'brpoplpush', 'blmove', 'bzpopmin', 'bzpopmax']);
/** Timeout in seconds as the first argument. */
const FIRST_ARG_SECONDS: ReadonlySet<string> = new Set(['blmpop', 'bzmpop']);
/** `BLOCK <ms>` option; without it the command does not block. */
const BLOCK_OPTION_MS: ReadonlySet<string> = new Set(['xread', 'xreadgroup']);

/** Whether `name` (lower-case) belongs to the blocking family. */
export function isBlockingName(name: string): boolean {
  return LAST_ARG_SECONDS.has(name) || FIRST_ARG_SECONDS.has(name) || BLOCK_OPTION_MS.has(name);
}

function toNumber(arg: unknown): number | undefined {
  if (typeof arg === 'number') return Number.isFinite(arg) ? arg : undefined;
  if (typeof arg === 'string' || arg instanceof Uint8Array) {
    const text = typeof arg === 'string' ? arg : Buffer.from(arg).toString('latin1');
    if (text.trim() === '') return undefined;
    const value = Number(text);
    return Number.isFinite(value) ? value : undefined;
  }
  return undefined;
}

function isWord(arg: unknown, word: string): boolean {
  if (typeof arg === 'string') return arg.length === word.length && arg.toLowerCase() === word;
  if (arg instanceof Uint8Array) return arg.length === word.length && Buffer.from(arg).toString('latin1').toLowerCase() === word;
  return false;
}

/** Index of the timeout argument of a blocking call, or -1 when it does not block this time. */
function timeoutIndex(name: string, args: readonly unknown[]): number {
  if (LAST_ARG_SECONDS.has(name)) return args.length - 1;
  if (FIRST_ARG_SECONDS.has(name)) return args.length > 0 ? 0 : -1;
  if (BLOCK_OPTION_MS.has(name)) {
    for (let i = 0; i < args.length - 1; i++) if (isWord(args[i], 'block')) return i + 1;
  }
  return -1;
}

/**
 * The server-side block of a blocking call in ms: 0 when it blocks forever by request,
 * `undefined` when it does not block this time (XREAD without BLOCK) or the timeout does not
 * parse (Redis will reject it at once, so a plain budget fits).
 */
export function blockingTimeoutMs(name: string, args: readonly unknown[]): number | undefined {
  const i = timeoutIndex(name, args);
  if (i < 0) return undefined;
  const value = toNumber(args[i]);
  if (value === undefined || value < 0) return undefined;
  return BLOCK_OPTION_MS.has(name) ? value : value * 1000;
}

/**
 * The arguments with the server-side block cut to `maxBlockMs`, or the same array when it
 * already fits. Forever (0) is never cut: such a call has no client deadline. Seconds are
 * sent with millisecond precision (Redis ≥ 6 takes decimal timeouts).
 */
export function fitBlockingTimeout(name: string, args: readonly unknown[], maxBlockMs: number): readonly unknown[] {
  const i = timeoutIndex(name, args);
  if (i < 0) return args;
  const current = blockingTimeoutMs(name, args);
  if (current === undefined || current === 0 || current <= maxBlockMs) return args;
  const ms = Math.max(1, Math.floor(maxBlockMs));
  const copy = [...args];
  copy[i] = BLOCK_OPTION_MS.has(name) ? String(ms) : (ms / 1000).toFixed(3);
  return copy;
}
