/**
 * Registry of every redis-server the lab starts: one JSON file per server under
 * `<tmpdir>/redis-resilience-lab/pids/`, naming the owning test process, the server pid and port.
 *
 * Three layers make leaks impossible:
 *  1. lab teardown (`after` hooks) stops servers by pid;
 *  2. a synchronous `process.on('exit')` handler (and SIGINT/SIGTERM/SIGHUP) kills whatever this
 *     process still owns, for tests that forgot teardown or threw out of it;
 *  3. each server runs under a watchdog (watchdog.ts) that kills it when the owner dies, even by
 *     SIGKILL, where no handler of ours can run.
 * Global setup reaps entries whose owner is dead (a crashed earlier run); global teardown fails the
 * run if a server registered by this run is still alive.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureLabDirs, pidsDir, removeNodeDir } from './lab-paths.js';
import { commandLine, commandName, forceKill, isAlive } from './processes.js';

/** One registered redis-server. */
export interface RegistryEntry {
  /** Pid of the redis-server itself: the target of SIGSTOP/SIGKILL fault injection. */
  readonly redisPid: number;
  /** Pid of the watchdog shell that is the server's parent. */
  readonly watchdogPid: number;
  /** Pid of the test process that started it. */
  readonly ownerPid: number;
  /** The test run (pid of scripts/run-tests.mjs, or `adhoc` outside it). */
  readonly runId: string;
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  readonly startedAt: string;
}

/** The id of the current test run, shared by every test process of one `run-tests.mjs` call. */
export function currentRunId(): string {
  return process.env.REDIS_RESILIENCE_LAB_RUN ?? 'adhoc';
}

const owned = new Map<number, RegistryEntry>();
let hooksInstalled = false;

function entryPath(redisPid: number): string {
  return join(pidsDir, `${redisPid}.json`);
}

/** Records a server this process started, and arms the exit-time safety net. */
export function registerServer(entry: Omit<RegistryEntry, 'ownerPid' | 'runId' | 'startedAt'>): RegistryEntry {
  ensureLabDirs();
  const full: RegistryEntry = {
    ...entry,
    ownerPid: process.pid,
    runId: currentRunId(),
    startedAt: new Date().toISOString(),
  };
  writeFileSync(entryPath(entry.redisPid), `${JSON.stringify(full)}\n`);
  owned.set(entry.redisPid, full);
  installExitHooks();
  return full;
}

/** Forgets a server that has been stopped. */
export function unregisterServer(redisPid: number): void {
  owned.delete(redisPid);
  rmSync(entryPath(redisPid), { force: true });
}

/** Every entry on disk, from every process and run. Unreadable files are skipped. */
export function listEntries(): RegistryEntry[] {
  let names: string[];
  try {
    names = readdirSync(pidsDir);
  } catch {
    return [];
  }
  const entries: RegistryEntry[] = [];
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    try {
      entries.push(JSON.parse(readFileSync(join(pidsDir, name), 'utf8')) as RegistryEntry);
    } catch {
      // A file being written right now, or garbage: not ours to judge.
    }
  }
  return entries;
}

/**
 * True if the entry's pid is a live redis-server serving the recorded port. Checking the title
 * guards against killing an unrelated process that reused the pid.
 */
export function isRecordedServerAlive(entry: RegistryEntry): boolean {
  if (!isAlive(entry.redisPid)) return false;
  if (commandName(entry.redisPid) !== 'redis-server') return false;
  return (commandLine(entry.redisPid) ?? '').includes(`:${entry.port}`);
}

/** Kills the entry's server if it is still the recorded one, then deletes the entry. */
export function reapEntry(entry: RegistryEntry): boolean {
  const killed = isRecordedServerAlive(entry) && forceKill(entry.redisPid);
  rmSync(entryPath(entry.redisPid), { force: true });
  owned.delete(entry.redisPid);
  return killed;
}

/** Reaps entries whose owning test process is dead (left behind by a crashed run). */
export function reapOrphans(): { entries: number; killed: number[] } {
  let entries = 0;
  const killed: number[] = [];
  for (const entry of listEntries()) {
    if (isAlive(entry.ownerPid)) continue;
    entries += 1;
    if (reapEntry(entry)) killed.push(entry.redisPid);
  }
  return { entries, killed };
}

/** Pids of servers this process registered and has not stopped yet. */
export function ownedPids(): number[] {
  return [...owned.keys()];
}

/**
 * Synchronous last resort: kills every server this process still owns. Runs in `exit` handlers,
 * where nothing asynchronous can happen. Returns the pids it had to kill.
 */
export function killOwnedSync(): number[] {
  const killed: number[] = [];
  // Deleting from a Map while iterating it is well defined in JS.
  for (const entry of owned.values()) {
    if (forceKill(entry.redisPid)) killed.push(entry.redisPid);
    rmSync(entryPath(entry.redisPid), { force: true });
    owned.delete(entry.redisPid);
    // The server may still be flushing its log into the folder; the watchdog reaps it anyway.
    removeNodeDir(entry.dir);
  }
  return killed;
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    const killed = killOwnedSync();
    if (killed.length > 0) {
      // Teardown should have stopped these; say so, so the missing after() hook gets fixed.
      process.stderr.write(`[redis-lab] exit handler killed redis-server pids ${killed.join(', ')}\n`);
    }
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    // Only take over when nobody else handles the signal, so the default "terminate" behaviour
    // (and the test runner's own handling, if any) stays as it was.
    if (process.listenerCount(signal) > 0) continue;
    const onSignal = (): void => {
      killOwnedSync();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}
