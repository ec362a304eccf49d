import { Command, type Redis } from 'ioredis';
import type { Endpoint } from '../endpoint/endpoint.js';
import type { EndpointFactory } from '../endpoint/endpoint-factory.js';

export type NodeRoleReply = { role: 'master' } | { role: 'replica'; masterHost: string; masterPort: number } | { role: 'unknown' };

/**
 * Asks a node for its ROLE within `timeoutMs`. A demoted primary names its new master here,
 * which lets the client reach the promoted node before DNS catches up.
 */
export async function queryRole(client: Redis, timeoutMs: number): Promise<NodeRoleReply> {
  const command = new Command('role', [], { replyEncoding: 'utf8' });
  command.setTimeout(timeoutMs);
  return parseRoleReply(await client.sendCommand(command));
}

/**
 * Reads a ROLE reply defensively: a proxy, a hostile or a broken server may answer anything.
 * Only a well-formed replica reply (an IP or host name and a port from 1 to 65535) names a
 * master; everything else is `unknown`, which no caller follows.
 */
export function parseRoleReply(reply: unknown): NodeRoleReply {
  if (!Array.isArray(reply) || reply.length === 0) return { role: 'unknown' };
  const kind = typeof reply[0] === 'string' || Buffer.isBuffer(reply[0]) ? String(reply[0]) : '';
  if (kind === 'master') return { role: 'master' };
  if (kind !== 'slave' && kind !== 'replica') return { role: 'unknown' };
  const host = typeof reply[1] === 'string' || Buffer.isBuffer(reply[1]) ? String(reply[1]) : '';
  const port = typeof reply[2] === 'number' || typeof reply[2] === 'string' ? Number(reply[2]) : Number.NaN;
  if (!/^[A-Za-z0-9.:_-]{1,253}$/.test(host) || !Number.isInteger(port) || port < 1 || port > 65535) return { role: 'unknown' };
  return { role: 'replica', masterHost: host, masterPort: port };
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
    if (performance.now() + intervalMs > until || client.status === 'end') return false;
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
export async function openSideConnection(factory: EndpointFactory, endpoint: Endpoint, timeoutMs: number): Promise<Redis> {
  const { host, port, tls } = endpoint.client.options;
  // Through the factory, so that a close() while we wait here closes this connection too.
  const client = factory.openSide({
    address: { host: host!, port: port! },
    servername: (tls as { servername?: string } | undefined)?.servername,
    purpose: 'probe',
  });
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
