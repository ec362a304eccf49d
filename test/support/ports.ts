/**
 * Port allocation for lab servers. Two test files run in parallel, each with its own servers, so
 * ports must never clash, across processes and across concurrent runs.
 *
 * - Ports come from 10000-22767: the cluster bus uses port+10000, so both stay below 32768, the
 *   start of Linux's ephemeral range, where outgoing connections could grab them at any moment.
 * - A random starting point plus a lock file per port number (created with O_EXCL) keeps
 *   processes apart; a lock whose owner pid is dead is stale and taken over.
 * - A verification bind on each intended host proves the port (and the bus port) is free right now.
 * Between that bind and redis binding there is still a window, so redis-node.ts also retries on
 * "Address already in use" at server start.
 */
import { createServer } from 'node:net';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureLabDirs, portsDir } from './lab-paths.js';
import { isAlive } from './processes.js';

const minPort = 10_000;
const maxPort = 22_767;
/** Offset of the cluster bus port, as Redis computes it when `cluster-port` is not set. */
export const clusterBusOffset = 10_000;

const held = new Set<number>();
let exitHookInstalled = false;

/** Drops this process's port locks when it exits, however it exits (short of SIGKILL). */
function releaseAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const port of held) rmSync(join(portsDir, String(port)), { force: true });
    held.clear();
  });
}

/** Options for {@link allocatePort}. */
export interface AllocatePortOptions {
  /** Hosts the port must be free on (a replication pair uses one number on two hosts). */
  hosts?: readonly string[];
  /** Also reserve port+10000 for the cluster bus. */
  clusterBus?: boolean;
}

/** Reserves a free port for this process. Release it with {@link releasePort} when done. */
export async function allocatePort(options: AllocatePortOptions = {}): Promise<number> {
  const hosts = options.hosts ?? ['127.0.0.1'];
  const span = maxPort - minPort + 1;
  const start = Math.floor(Math.random() * span);
  for (let i = 0; i < 400; i += 1) {
    // Stride through the range from a random start: neighbours of a taken port are likely taken
    // by the same other process, so a prime stride escapes its block quickly.
    const port = minPort + ((start + i * 7919) % span);
    const numbers = options.clusterBus ? [port, port + clusterBusOffset] : [port];
    if (!numbers.every((n) => lockPort(n))) {
      numbers.forEach((n) => releasePort(n));
      continue;
    }
    if (await allFree(hosts, numbers)) return port;
    numbers.forEach((n) => releasePort(n));
  }
  throw new Error(`no free port pair found on ${hosts.join(', ')} after 400 tries`);
}

/** Releases a port (and must be called for the bus port too if it was reserved). */
export function releasePort(port: number): void {
  if (!held.delete(port)) return;
  rmSync(join(portsDir, String(port)), { force: true });
}

/** Releases a cluster node's port and its bus port. */
export function releaseClusterPort(port: number): void {
  releasePort(port);
  releasePort(port + clusterBusOffset);
}

/** True if a TCP listener can bind every port on every host right now. */
export async function allFree(hosts: readonly string[], ports: readonly number[]): Promise<boolean> {
  for (const host of hosts) {
    for (const port of ports) {
      if (!(await canBind(host, port))) return false;
    }
  }
  return true;
}

/** Binds and closes a listener on host:port; false on EADDRINUSE (or any bind error). */
export function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function lockPort(port: number): boolean {
  if (held.has(port)) return false;
  ensureLabDirs();
  const file = join(portsDir, String(port));
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      held.add(port);
      releaseAllOnExit();
      return true;
    } catch {
      // Taken: take it over only if the owner is dead, then retry the exclusive create once.
      const owner = lockOwner(file);
      // Unreadable or empty: another process is between create and write. Leave it.
      if (owner === undefined || isAlive(owner)) return false;
      rmSync(file, { force: true });
    }
  }
  return false;
}

/** Removes port locks whose owner process is gone. Returns how many were removed. */
export function pruneStalePortLocks(): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(portsDir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const file = join(portsDir, name);
    const owner = lockOwner(file);
    if (owner === undefined ? ageMs(file) < 60_000 : isAlive(owner)) continue;
    rmSync(file, { force: true });
    removed += 1;
  }
  return removed;
}

/** The pid in a lock file, or undefined if it cannot be read (yet). */
function lockOwner(file: string): number | undefined {
  try {
    const owner = Number(readFileSync(file, 'utf8'));
    return Number.isInteger(owner) && owner > 0 ? owner : undefined;
  } catch {
    return undefined;
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}
