/**
 * Where the lab keeps its state on disk: one folder under the OS temp dir shared by every test
 * process (and every concurrent run), so that a later run can find what a crashed run left behind.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from './processes.js';

/** Root of all lab state: `<tmpdir>/redis-resilience-lab`. */
export const labRoot = join(tmpdir(), 'redis-resilience-lab');
/** One JSON file per running redis-server (see pid-registry.ts). */
export const pidsDir = join(labRoot, 'pids');
/** One lock file per reserved port number (see ports.ts). */
export const portsDir = join(labRoot, 'ports');
/** Per-node data folders (config, nodes.conf, log). */
export const nodesDir = join(labRoot, 'nodes');

/** Creates the lab folders if needed. Cheap; called before every write. */
export function ensureLabDirs(): void {
  for (const dir of [pidsDir, portsDir, nodesDir]) mkdirSync(dir, { recursive: true });
}

/**
 * Makes a fresh data folder for one redis-server. The `owner` file lets global setup delete
 * folders whose test process is gone.
 */
export function makeNodeDir(label: string): string {
  ensureLabDirs();
  const safe = label.replaceAll(/[^\w.-]+/g, '_');
  const dir = mkdtempSync(join(nodesDir, `${safe}-`));
  writeFileSync(join(dir, 'owner'), String(process.pid));
  return dir;
}

/** Deletes a node folder unless REDIS_LAB_KEEP=1 asks to keep logs for a post-mortem. */
export function removeNodeDir(dir: string): void {
  if (process.env.REDIS_LAB_KEEP === '1') return;
  rmSync(dir, { recursive: true, force: true });
}

/** Removes node folders whose owner process is gone. Returns how many were removed. */
export function pruneStaleNodeDirs(): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(nodesDir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const dir = join(nodesDir, name);
    let owner = Number.NaN;
    try {
      owner = Number(readFileSync(join(dir, 'owner'), 'utf8'));
    } catch {
      // No owner file: either being created right now by another process (leave it), or
      // half-created by a process that crashed (stale once it is a minute old).
      if (ageMs(dir) < 60_000) continue;
    }
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) continue;
    rmSync(dir, { recursive: true, force: true });
    removed += 1;
  }
  return removed;
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}
