import { Readable } from 'node:stream';
import type { Command } from 'ioredis';
import { normalizeCommandName } from '../policy/command-name.js';
import type { ResilientNode } from './node-client.js';

type Merge = (replies: unknown[]) => unknown;

const allOk: Merge = (replies) => replies[0] ?? 'OK';
const concat: Merge = (replies) => replies.flatMap((r) => (Array.isArray(r) ? r : []));
const sum: Merge = (replies) => replies.reduce<number>((a, r) => a + Number(r), 0);
const first: Merge = (replies) => replies[0];
/** SCRIPT EXISTS: a script counts as loaded only if every primary has it. */
const everywhere: Merge = (replies) => {
  const lists = replies as number[][];
  return (lists[0] ?? []).map((_, i) => (lists.every((l) => l[i] === 1) ? 1 : 0));
};

/**
 * Keyless commands that, in cluster mode, go to every primary instead of one node, and how
 * their replies merge. Without this, `flushdb()` on a cluster client would clear one shard
 * and `keys('*')` would list a third of the keys. Any error from any primary rejects the
 * call (a partial FLUSHDB must not look like a success).
 */
const FAN_OUT: Readonly<Record<string, Merge>> = {
  flushall: allOk,
  flushdb: allOk,
  keys: concat,
  dbsize: sum,
  'script load': first,
  'script flush': allOk,
  'script exists': everywhere,
  'function load': first,
  'function flush': allOk,
};

/** The commands whose fan-out depends on their subcommand (SCRIPT LOAD, FUNCTION FLUSH...). */
const WITH_SUBCOMMAND: ReadonlySet<string> = new Set(Object.keys(FAN_OUT).flatMap((k) => (k.includes(' ') ? [k.split(' ')[0]!] : [])));

/**
 * The fan-out rule for `command`, if it has one. Asked of every cluster command: an ordinary
 * one (GET, SET) costs a lookup, and its first argument (a key) is never looked at.
 */
export function fanOutRule(command: Command): Merge | undefined {
  const name = normalizeCommandName(command.name);
  if (Object.hasOwn(FAN_OUT, name)) return FAN_OUT[name];
  if (!WITH_SUBCOMMAND.has(name)) return undefined;
  const sub = command.args[0];
  return typeof sub === 'string' || Buffer.isBuffer(sub) ? FAN_OUT[`${name} ${String(sub).toLowerCase()}`] : undefined;
}

/** The commands that fan out, for documentation and tests. */
export const FAN_OUT_COMMANDS: readonly string[] = Object.keys(FAN_OUT);

/** Sends `command` to every node in `nodes` (each through its own breaker) and merges the replies. */
export async function fanOut(command: Command, nodes: readonly ResilientNode[], merge: Merge): Promise<unknown> {
  const args = command.args as Array<string | Buffer | number>;
  const replies = await Promise.all(nodes.map((n) => n.call(command.name, ...args)));
  return merge(replies);
}

/** SCAN over every primary in turn, as one stream of key batches (ioredis's `scanStream`). */
export function scanEveryNode(nodes: readonly ResilientNode[], options: { match?: string; type?: string; count?: number }): Readable {
  return Readable.from(
    (async function* () {
      for (const node of nodes) {
        for await (const batch of node.scanStream(options)) yield batch as string[];
      }
    })(),
    { objectMode: true },
  );
}
