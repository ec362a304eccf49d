import { Command, type Redis } from 'ioredis';

export type NodeRoleReply =
  | { role: 'master' }
  | { role: 'replica'; masterHost: string; masterPort: number }
  | { role: 'unknown' };

/**
 * Asks a node for its ROLE within `timeoutMs`. A demoted primary names its new master here,
 * which lets the client reach the promoted node before DNS catches up.
 */
export async function queryRole(client: Redis, timeoutMs: number): Promise<NodeRoleReply> {
  const command = new Command('role', [], { replyEncoding: 'utf8' });
  command.setTimeout(timeoutMs);
  const reply = (await client.sendCommand(command)) as unknown[];
  const kind = String(reply[0]);
  if (kind === 'master') return { role: 'master' };
  if (kind === 'slave' || kind === 'replica') {
    return { role: 'replica', masterHost: String(reply[1]), masterPort: Number(reply[2]) };
  }
  return { role: 'unknown' };
}

/**
 * Resolves true once `client`'s node reports role master, asking every `intervalMs` for up to
 * `waitMs` (0: ask once). False when it never did or could not answer.
 *
 * Waiting a little matters when following a demotion: during `FAILOVER` the old primary turns
 * into a replica of its target a moment before the target promotes itself, so the node it
 * names may still say "replica" for a few milliseconds.
 */
export async function waitForMasterRole(client: Redis, timeoutMs: number, waitMs = 0, intervalMs = 25): Promise<boolean> {
  const until = performance.now() + waitMs;
  for (;;) {
    try {
      if ((await queryRole(client, timeoutMs)).role === 'master') return true;
    } catch {
      // A node that cannot answer ROLE is not a primary we can swap to.
      return false;
    }
    if (performance.now() + intervalMs > until) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
