import { hasFlag, list } from '@ioredis/commands';
import {
  IDEMPOTENT_WRITES,
  READS_UNLESS_STORING,
  SUBCOMMANDS,
  UNFLAGGED_COMMANDS,
  type CommandSafety,
  type UnsafeOptions,
} from './command-safety-table.js';
import type { Execution } from './failure-scenario.js';
import { hasCommand, lookupCommand, normalizeCommandName } from './command-name.js';
import { WordSet } from './option-words.js';

export type { CommandSafety } from './command-safety-table.js';
export { isBlockingCommand } from './command-blocking.js';

/**
 * Decides whether a command may be sent again (DESIGN §3, "Retry safety"). The executor asks on
 * every call (to route reads), so lookups are one `Map.get` on a table built once at load, and
 * option scanning compares characters in place without allocating.
 */

interface CompiledOptions {
  readonly from: number;
  readonly leading: WordSet | undefined;
  readonly words: WordSet;
}

function compileOptions(options: UnsafeOptions | undefined): CompiledOptions | undefined {
  if (options === undefined) return undefined;
  const leading = options.leadingOptions === undefined ? undefined : new WordSet(options.leadingOptions);
  return { from: options.from, leading, words: new WordSet(options.words) };
}

interface Entry {
  /** Safety with no arguments, or when no unsafe option is present. */
  readonly safety: CommandSafety;
  readonly unless: CompiledOptions | undefined;
  /** For container commands: lower-case subcommand names. */
  readonly subcommands: ReadonlyMap<string, CommandSafety> | undefined;
}

function deriveEntry(name: string): Entry {
  const subs = Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
  const subcommands = subs === undefined ? undefined : new Map(Object.entries(subs));
  if (hasFlag(name, 'readonly')) return { safety: 'read', unless: undefined, subcommands };
  if (hasFlag(name, 'write')) {
    if (Object.hasOwn(IDEMPOTENT_WRITES, name)) {
      return { safety: 'idempotent', unless: compileOptions(IDEMPOTENT_WRITES[name]?.unless), subcommands };
    }
    if (Object.hasOwn(READS_UNLESS_STORING, name)) {
      return { safety: 'read', unless: compileOptions(READS_UNLESS_STORING[name]), subcommands };
    }
    return { safety: 'unsafe', unless: undefined, subcommands };
  }
  const safety = Object.hasOwn(UNFLAGGED_COMMANDS, name) ? (UNFLAGGED_COMMANDS[name] ?? 'unsafe') : 'unsafe';
  return { safety, unless: undefined, subcommands };
}

// Keyed by the lower-case name (as @ioredis/commands lists them); lookupCommand takes any case.
const ENTRIES: ReadonlyMap<string, Entry> = new Map(list.map((name) => [name, deriveEntry(name)] as const));

const RANK: Readonly<Record<CommandSafety, number>> = { read: 0, idempotent: 1, unsafe: 2 };

/**
 * How safe `name` is to replay. Case-insensitive; `args` are the arguments after the command
 * name, as strings, Buffers or numbers. Unknown commands (including module commands that
 * `@ioredis/commands` does not list) are `unsafe`.
 *
 * @example
 * getCommandSafety('get', ['k']);                // 'read'
 * getCommandSafety('set', ['k', 'v', 'EX', 10]);  // 'idempotent'
 * getCommandSafety('SET', ['k', 'v', 'nx']);      // 'unsafe'
 * getCommandSafety('cluster', ['SLOTS']);         // 'read'
 */
export function getCommandSafety(name: string, args?: readonly unknown[]): CommandSafety {
  const entry = lookupCommand(ENTRIES, name);
  if (entry === undefined) return 'unsafe';
  if (entry.subcommands !== undefined && args !== undefined && args.length > 0) {
    return subcommandSafety(entry.subcommands, args[0]);
  }
  if (entry.unless !== undefined && args !== undefined && hasUnsafeOption(args, entry.unless)) return 'unsafe';
  return entry.safety;
}

/**
 * `getCommandSafety(name, args) === 'read'`, without scanning the arguments of writes: for
 * routing reads to replicas on every call, where SET's options do not matter.
 */
export function isReadCommand(name: string, args?: readonly unknown[]): boolean {
  const entry = lookupCommand(ENTRIES, name);
  if (entry === undefined) return false;
  if (entry.subcommands !== undefined && args !== undefined && args.length > 0) {
    return subcommandSafety(entry.subcommands, args[0]) === 'read';
  }
  if (entry.safety !== 'read') return false;
  return entry.unless === undefined || args === undefined || !hasUnsafeOption(args, entry.unless);
}

/**
 * Whether a failed attempt may be sent again: always when it was not executed, never when it
 * was, and only for reads and idempotent writes when the outcome is unknown.
 */
export function isRetrySafe(name: string, args: readonly unknown[] | undefined, execution: Execution): boolean {
  if (execution === 'not-executed') return true;
  if (execution === 'executed') return false;
  return getCommandSafety(name, args) !== 'unsafe';
}

/** One command of a pipeline or transaction. */
export interface PipelineCommand {
  readonly name: string;
  readonly args?: readonly unknown[];
}

/** What the batch itself cannot show. */
export interface PipelineSafetyOptions {
  /**
   * The batch is a MULTI/EXEC transaction sent after a WATCH on the same connection (ioredis:
   * `watch(k)` then `multi()...exec()`). Its EXEC is then conditional. @default false
   */
  readonly watched?: boolean;
}

/**
 * Safety of a pipeline or MULTI/EXEC block: that of its least safe command. MULTI and EXEC
 * themselves are framing and are skipped, so a transaction of SETs is idempotent. An empty
 * pipeline is a `read`.
 *
 * The framing counts in one case: EXEC of a watched transaction (a WATCH earlier in the batch
 * and not undone by UNWATCH, or `options.watched`) is unsafe, whatever it wraps. Like SET NX,
 * it answers whether the watched keys stayed untouched; a replay after it ran applies the
 * writes over someone else's change and reports success (issue 12, defect 1).
 */
export function getPipelineSafety(commands: readonly PipelineCommand[], options?: PipelineSafetyOptions): CommandSafety {
  if (options?.watched === true) return 'unsafe';
  let watched = false;
  let worst: CommandSafety = 'read';
  for (const command of commands) {
    const name = command.name;
    if (isTransactionFraming(name)) {
      if (watched && hasCommand(EXEC, name)) return 'unsafe';
      continue;
    }
    if (name.length <= 7) {
      if (hasCommand(WATCH, name)) watched = true;
      else if (hasCommand(UNWATCH, name)) watched = false;
    }
    const safety = getCommandSafety(name, command.args);
    if (safety === 'unsafe') return safety;
    if (RANK[safety] > RANK[worst]) worst = safety;
  }
  return worst;
}

const FRAMING: ReadonlySet<string> = new Set(['multi', 'exec']);
const EXEC: ReadonlySet<string> = new Set(['exec']);
const WATCH: ReadonlySet<string> = new Set(['watch']);
const UNWATCH: ReadonlySet<string> = new Set(['unwatch']);

function isTransactionFraming(name: string): boolean {
  return name.length <= 5 && hasCommand(FRAMING, name);
}

function subcommandSafety(subcommands: ReadonlyMap<string, CommandSafety>, arg: unknown): CommandSafety {
  if (typeof arg === 'string') return lookupCommand(subcommands, arg) ?? 'unsafe';
  if (arg instanceof Uint8Array) {
    const text = Buffer.from(arg.buffer, arg.byteOffset, arg.byteLength).toString('latin1');
    return subcommands.get(normalizeCommandName(text)) ?? 'unsafe';
  }
  return 'unsafe';
}

function hasUnsafeOption(args: readonly unknown[], options: CompiledOptions): boolean {
  for (let i = options.from; i < args.length; i++) {
    const arg = args[i];
    if (options.leading !== undefined && !options.leading.has(arg)) return false;
    if (options.words.has(arg)) return true;
  }
  return false;
}
