// Reading a failover run's scrape: the replica-served reads (commands_total's fallback label),
// and promtool's verdict on the exposition when promtool is installed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { findOnPath } from '../support/redis-binary.js';

/** `commands_total{fallback="primary-down"}` summed per node, from a text exposition. */
export function fallbackReads(scrape: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of scrape.matchAll(/^redis_resilience_commands_total\{([^}]*)\} (\d+)$/gm)) {
    const labels = m[1]!;
    if (!labels.includes('fallback="primary-down"')) continue;
    const node = /node="([^"]+)"/.exec(labels)![1]!;
    out[node] = (out[node] ?? 0) + Number(m[2]);
  }
  return out;
}

/** `promtool check metrics` passes on `scrape`; a line says so when promtool is missing. */
export function assertPromtoolAccepts(scrape: string): void {
  const promtool = findOnPath('promtool');
  if (!promtool) {
    console.log('promtool is not installed (apt-get install prometheus): the scrape was not checked with it');
    return;
  }
  const res = spawnSync(promtool, ['check', 'metrics'], { input: scrape, encoding: 'utf8', timeout: 30_000 });
  assert.equal(res.status, 0, `promtool check metrics: ${res.stdout}${res.stderr}`);
}
