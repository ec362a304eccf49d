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

export type { CommandSafety } from './command-safety-table.js';

/**
 * Decides whether a command may be sent again (DESIGN §3, "Retry safety"). The executor asks on
 * every call (to route reads), so lookups are one `Map.get` on a table built once at load, and
 * option scanning compares characters in place without allocating.
 */

/**
 * A set of upper-case option words, matched case-insensitively against string or byte
 * arguments without allocating. Grouped by length, so that most arguments (values, numbers,
 * keys) are rejected by one array index.
 */
class WordSet {
  private readonly byLength: (readonly string[] | undefined)[] = [];

  constructor(words: readonly string[]) {
    for (const word of words) {
      this.byLength[word.length] = [...(this.byLength[word.length] ?? []), word];
    }
  }

  has(arg: unknown): boolean {
    if (typeof arg === 'string') {
      const group = this.byLength[arg.length];
      if (group === undefined) return false;
      for (const word of group) {
        if (sameString(arg, word)) return true;
      }
      return false;
    }
    if (arg instanceof Uint8Array) {
      const group = this.byLength[arg.length];
      if (group === undefined) return false;
      for (const word of group) {
        if (sameBytes(arg, word)) return true;
      }
    }
    return false;
  }
}

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
  /** For container commands: lower- and upper-case subcommand names. */
  readonly subcommands: ReadonlyMap<string, CommandSafety> | undefined;
}

function deriveEntry(name: string): Entry {
  const subs = Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
  const subcommands = subs === undefined ? undefined : bothCases(Object.entries(subs));
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

function bothCases<V>(entries: readonly (readonly [string, V])[]): Map<string, V> {
  const map = new Map<string, V>();
  for (const [key, value] of entries) {
    map.set(key, value);
    map.set(key.toUpperCase(), value);
  }
  return map;
}

// ioredis sends lower-case names and most callers write either case, so both are keys and
// the common lookups never call toLowerCase().
const ENTRIES: ReadonlyMap<string, Entry> = bothCases(list.map((name) => [name, deriveEntry(name)] as const));

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
  const entry = ENTRIES.get(name) ?? ENTRIES.get(name.toLowerCase());
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
  const entry = ENTRIES.get(name) ?? ENTRIES.get(name.toLowerCase());
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

/**
 * Safety of a pipeline or MULTI/EXEC block: that of its least safe command. MULTI and EXEC
 * themselves are framing and are skipped, so a transaction of SETs is idempotent. An empty
 * pipeline is a `read`.
 */
export function getPipelineSafety(commands: readonly PipelineCommand[]): CommandSafety {
  let worst: CommandSafety = 'read';
  for (const command of commands) {
    if (isTransactionFraming(command.name)) continue;
    const safety = getCommandSafety(command.name, command.args);
    if (safety === 'unsafe') return safety;
    if (RANK[safety] > RANK[worst]) worst = safety;
  }
  return worst;
}

const FRAMING: ReadonlySet<string> = new Set(['multi', 'exec', 'MULTI', 'EXEC']);

function isTransactionFraming(name: string): boolean {
  return FRAMING.has(name) || (name.length <= 5 && FRAMING.has(name.toLowerCase()));
}

function subcommandSafety(subcommands: ReadonlyMap<string, CommandSafety>, arg: unknown): CommandSafety {
  if (typeof arg === 'string') return subcommands.get(arg) ?? subcommands.get(arg.toLowerCase()) ?? 'unsafe';
  if (arg instanceof Uint8Array) {
    const text = Buffer.from(arg.buffer, arg.byteOffset, arg.byteLength).toString('latin1');
    return subcommands.get(text.toLowerCase()) ?? 'unsafe';
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

/** Case-insensitive ASCII comparison with an upper-case word of the same length. */
function sameString(arg: string, word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    if (upper(arg.charCodeAt(i)) !== word.charCodeAt(i)) return false;
  }
  return true;
}

function sameBytes(arg: Uint8Array, word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    if (upper(arg[i] ?? 0) !== word.charCodeAt(i)) return false;
  }
  return true;
}

function upper(code: number): number {
  return code >= 97 && code <= 122 ? code - 32 : code;
}
