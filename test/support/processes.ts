/**
 * Process inspection by pid, through /proc. `kill -0` alone is not enough in this environment:
 * PID 1 does not reap orphans, so a killed orphan stays a zombie forever, and `kill -0` on a zombie
 * succeeds. A zombie holds no port and no memory, so the lab treats it as gone.
 */
import { readFileSync } from 'node:fs';
import { waitFor } from './wait.js';

/** What /proc says about a pid. `stopped` means SIGSTOPped (state T). */
export type ProcessState = 'running' | 'stopped' | 'zombie' | 'gone';

/** Reads the state letter from /proc/<pid>/stat (the field after the parenthesised command name). */
export function processState(pid: number): ProcessState {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 'gone';
  }
  // The command name may contain spaces and parentheses, so split at the last ')'.
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  if (state === 'Z' || state === 'X') return 'zombie';
  if (state === 'T' || state === 't') return 'stopped';
  return 'running';
}

/** True while the process exists and is not a zombie (a stopped process is alive). */
export function isAlive(pid: number): boolean {
  const state = processState(pid);
  return state === 'running' || state === 'stopped';
}

/** The process's short command name (`/proc/<pid>/comm`), or undefined if it is gone. */
export function commandName(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * The process's command line as one string. redis-server rewrites its title to
 * `redis-server 127.0.0.1:7000 [cluster]`, which lets the reaper confirm that a recorded pid still
 * belongs to the server it recorded, not to a process that reused the pid.
 */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return undefined;
  }
}

/** Sends a signal, ignoring "no such process". Returns whether the signal was delivered. */
export function signalPid(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/**
 * SIGCONT then SIGKILL. The SIGCONT matters: a SIGSTOPped process does get killed by SIGKILL, but
 * sending SIGCONT first keeps the sequence correct for any signal a caller might swap in.
 */
export function forceKill(pid: number): boolean {
  if (!isAlive(pid)) return false;
  signalPid(pid, 'SIGCONT');
  return signalPid(pid, 'SIGKILL');
}

/** Waits until the pid is gone or a zombie. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  await waitFor(() => !isAlive(pid), { timeoutMs, intervalMs: 10, what: `pid ${pid} to exit` });
}
