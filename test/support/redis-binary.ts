/**
 * Locating the `redis-server` binary. The lab needs Redis 7.0+ (CLUSTER SHARDS, ADDSLOTSRANGE,
 * `enable-debug-command`, `cluster-port`); Debian's `redis-server` package provides it.
 */
import { accessSync, constants } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { delimiter, join } from 'node:path';

/** Absolute path of an executable found on PATH, or undefined. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this folder.
    }
  }
  return undefined;
}

let cached: string | undefined;

/** The redis-server binary to run; throws with the install hint if it is missing. */
export function redisServerBinary(): string {
  cached ??= findOnPath('redis-server');
  if (!cached) throw new Error('redis-server not found on PATH; install it with: apt-get install redis-server');
  return cached;
}

/** `[major, minor, patch]` of a redis-server binary, parsed from `redis-server --version`. */
export function redisServerVersion(binary: string): [number, number, number] {
  const text = execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 5000 });
  const match = /v=(\d+)\.(\d+)\.(\d+)/.exec(text);
  if (!match) throw new Error(`cannot parse redis-server version from: ${text.trim()}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}
