import { Command, type Redis } from 'ioredis';
import type { Endpoint } from '../endpoint/endpoint.js';
import { createConnection } from '../connection/connection-factory.js';
import type { ResolvedOptions } from '../options/validate-options.js';

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
 * Whether the node is handing its primary role over (`FAILOVER`, Redis 6.2+): it then pauses
 * writes until its replica has caught up, so writes time out rather than fail, while reads and
 * INFO still answer. Resolves false when it cannot tell.
 */
export async function failoverInProgress(client: Redis, timeoutMs: number): Promise<boolean> {
  const command = new Command('info', ['replication'], { replyEncoding: 'utf8' });
  command.setTimeout(timeoutMs);
  try {
    const text = String(await client.sendCommand(command));
    const state = /^master_failover_state:(\S+)/m.exec(text)?.[1];
    return state !== undefined && state !== 'no-failover';
  } catch {
    return false;
  }
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

/**
 * Opens a short-lived second connection to `endpoint`'s node (same address, credentials and
 * TLS name), ready within `timeoutMs`. Needed while the node pauses writes for a `FAILOVER`:
 * Redis serves one connection's commands in order, so a ROLE or INFO queued behind paused
 * writes on the endpoint's own connection would wait for them. Rejects on failure (a hung
 * host accepts the TCP connection but never answers the handshake).
 */
export async function openSideConnection(options: ResolvedOptions, endpoint: Endpoint, timeoutMs: number): Promise<Redis> {
  const { host, port, tls } = endpoint.client.options;
  const client = createConnection(options, {
    address: { host: host!, port: port! },
    servername: (tls as { servername?: string } | undefined)?.servername,
    purpose: 'probe',
  });
  // Failures surface through connect(); an unhandled 'error' event would crash the process.
  client.on('error', () => {});
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${host}:${port} not ready within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return client;
  } catch (error) {
    client.disconnect();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
