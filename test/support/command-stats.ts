/**
 * Where calls went, told by the servers themselves: how many times a node has run a command
 * so far (`INFO commandstats`). Take it before and after the calls under test; the difference
 * is what that node served.
 */
import type { RedisNode } from './redis-node.js';

/** Calls of `command` (lower case, as INFO names it: `get`, `exec`) that `node` has served. */
export async function commandCalls(node: RedisNode, command: string): Promise<number> {
  const stats = await node.info('commandstats');
  return Number(/calls=(\d+)/.exec(stats[`cmdstat_${command}`] ?? '')?.[1] ?? 0);
}
