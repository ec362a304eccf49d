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
