// The one file that reaches into ioredis's internals. Checked against ioredis 6.0.0: when
// ioredis changes, this is the file to read again (test/architecture checks no other file
// touches these names).
import type { Redis } from 'ioredis';
import { Command } from 'ioredis';
import CommanderModule from 'ioredis/built/utils/Commander.js';
import ScanStreamModule from 'ioredis/built/ScanStream.js';

/**
 * ioredis's command-method mixin (every Redis command as a method, with ioredis's typings).
 * Not exported from the package root, so it is imported by path.
 */
export const Commander = CommanderModule.default;

/** ioredis's SCAN stream (what `redis.scanStream()` returns), for per-node scans. */
export const ScanStream = ScanStreamModule.default;

interface QueuedCommand {
  readonly command: Command;
}

/** The part of ioredis's internals `rejectUnanswered` needs (a denque of queued commands). */
interface UnansweredQueue {
  readonly length: number;
  shift(): QueuedCommand | undefined;
}

/**
 * ioredis keeps the commands written on a socket that closed (`prevCommandQueue`) so that it
 * can resend them after the reconnect. We turn that resend off, because it runs INCR twice
 * when the first one was applied but its reply was lost. With it off, ioredis drops that
 * queue on the next 'ready' without settling the commands in it: a BLPOP 0 in flight would
 * hang forever, and every other call would sit until its attempt timer fired and be reported
 * as a timeout. Called on the 'close' event, which ioredis emits after it saved the queue:
 * each such command is rejected at once as written-but-unanswered (outcome unknown).
 */
export function rejectUnanswered(client: Redis): void {
  const queue = (client as unknown as { prevCommandQueue?: UnansweredQueue | null }).prevCommandQueue;
  if (!queue) return;
  for (let item = queue.shift(); item; item = queue.shift()) item.command.reject(new Error('Connection is closed.'));
}

interface CommandInternals {
  replyEncoding?: BufferEncoding | null;
}

/** The reply encoding a Command was created with (a `getBuffer` call has none). */
export function replyEncodingOf(command: Command): BufferEncoding | null | undefined {
  return (command as unknown as CommandInternals).replyEncoding;
}

/**
 * A fresh copy of `command` for another attempt (an ioredis Command settles once and arms its
 * timeout timer once), optionally with other arguments. Arguments are already key-prefixed
 * and transformed, so the copy gets no key prefix again.
 */
export function copyCommand(command: Command, args: readonly unknown[] = command.args): Command {
  const encoding = (command as unknown as CommandInternals).replyEncoding;
  // The command's own class: a script's (defineCommand) sends EVAL on a connection that has not
  // run it yet, so a retry on another node (the promoted one, after a failover) meets no NOSCRIPT.
  const Kind = command.constructor as typeof Command;
  const copy = new Kind(command.name, args as never[], { replyEncoding: encoding ?? null });
  copy.isReadOnly = command.isReadOnly;
  return copy;
}

/**
 * Destroys a connection's socket now, and the one its connector holds before ioredis assigns
 * it to `stream` (mid-connect): `disconnect()` ends gracefully and waits for the server's
 * FIN, which a hung node never sends.
 */
export function destroySockets(client: Redis): void {
  const internals = client as unknown as { stream?: { destroy(): void }; connector?: { stream?: { destroy(): void } } };
  internals.stream?.destroy();
  internals.connector?.stream?.destroy();
}

/** A script `defineCommand` registered (ioredis keeps them in `scriptsSet`). */
export interface DefinedScript {
  execute(container: unknown, args: unknown[], options: { replyEncoding?: BufferEncoding | null }, callback?: unknown): unknown;
}

/** The script `defineCommand` registered under `name` on `host` (a client or pipeline). */
export function definedScript(host: object, name: string): DefinedScript {
  return (host as { scriptsSet: Record<string, DefinedScript> }).scriptsSet[name]!;
}

/**
 * The commands added to a Commander after construction: scripts from `defineCommand`
 * (`scriptsSet`) and builtins added with `addBuiltinCommand` (`addedBuiltinSet`). ioredis's
 * Pipeline copies them onto every batch; ours must too.
 */
export function addedCommandNames(source: object): string[] {
  const s = source as { scriptsSet?: Record<string, unknown>; addedBuiltinSet?: Set<string> };
  return [...Object.keys(s.scriptsSet ?? {}), ...(s.addedBuiltinSet ?? [])];
}
