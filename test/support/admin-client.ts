/**
 * The lab's own connections to its servers ("admin" clients). They must never hang a test: short
 * connect and command timeouts, no retries, no offline queue, no ready check (a SIGSTOPped server
 * accepts TCP connections from the kernel backlog but never answers INFO), no reconnects.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { withTimeout } from './wait.js';

/** Where and how to connect to a lab server. */
export interface ConnectionTarget {
  readonly host: string;
  readonly port: number;
  readonly password?: string | undefined;
  /** Present for TLS servers: trust the test CA and verify this name. */
  readonly tls?: { readonly ca: Buffer; readonly servername: string } | undefined;
}

/** ioredis options for a short-fused admin connection to `target`. */
export function adminClientOptions(target: ConnectionTarget, overrides: RedisOptions = {}): RedisOptions {
  return {
    host: target.host,
    port: target.port,
    ...(target.password === undefined ? {} : { password: target.password }),
    ...(target.tls ? { tls: { ca: target.tls.ca, servername: target.tls.servername } } : {}),
    // RESP2 and no CLIENT SETNAME/SETINFO: ioredis 6 otherwise sends HELLO 3 and two CLIENT
    // commands before "ready", and against a paused server that handshake hangs for seconds.
    protocol: 2,
    disableClientInfo: true,
    connectTimeout: 1000,
    commandTimeout: 1000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    lazyConnect: true,
    autoResubscribe: false,
    autoResendUnfulfilledCommands: false,
    // The lab replaces a broken admin connection with a fresh one instead of letting ioredis
    // reconnect behind its back to a server that may be paused, killed or on a new port.
    retryStrategy: () => null,
    ...overrides,
  };
}

/** Creates and connects an admin client. Rejects (and cleans up) if the connection fails. */
export async function connectAdminClient(target: ConnectionTarget, overrides: RedisOptions = {}): Promise<Redis> {
  const client = new Redis(adminClientOptions(target, overrides));
  // Errors surface through the rejected commands; an unhandled 'error' event would only add
  // "[ioredis] Unhandled error event" noise to the test output.
  client.on('error', () => {});
  try {
    // Bounded on top of connectTimeout, which only covers the TCP (and TLS) connect, not AUTH.
    await withTimeout(client.connect(), 2000, `admin connection to ${target.host}:${target.port}`);
    return client;
  } catch (error) {
    client.disconnect();
    throw error;
  }
}

/**
 * One lazily created admin connection, replaced after any connection-level failure (refused,
 * timed out, closed): after a pause, kill or restart the old socket is useless, and a fresh
 * connection is cheaper to reason about than ioredis's reconnect state machine.
 */
export class CachedAdminClient {
  #pending: Promise<Redis> | undefined;
  readonly #target: () => ConnectionTarget;

  /** `target` is read at each (re)connect, so a node that moved ports is followed. */
  constructor(target: () => ConnectionTarget) {
    this.#target = target;
  }

  /** The connected client, connecting first if needed. */
  client(): Promise<Redis> {
    if (!this.#pending) {
      const pending = connectAdminClient(this.#target());
      this.#pending = pending;
      pending.catch(() => {
        if (this.#pending === pending) this.#pending = undefined;
      });
    }
    return this.#pending;
  }

  /** Sends one command; a non-reply error drops the connection so the next call reconnects. */
  async command(name: string, ...args: (string | number | Buffer)[]): Promise<unknown> {
    const client = await this.client();
    try {
      return await client.call(name, ...args);
    } catch (error) {
      if (!isReplyError(error)) this.drop();
      throw error;
    }
  }

  /** Closes the connection (if any); the next call makes a new one. */
  drop(): void {
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.then(
      (client) => client.disconnect(),
      () => {},
    );
  }
}

/** True for an error the server sent (`-ERR ...`), as opposed to a connection or timeout error. */
export function isReplyError(error: unknown): boolean {
  return error instanceof Error && error.name === 'ReplyError';
}

/** Parses `INFO` text into a field map (`role` -> `master`, ...). Section headers are skipped. */
export function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    if (!line || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return fields;
}

/** The reply of `ROLE`, typed. */
export type RoleReply =
  | { role: 'master'; offset: number; replicas: { host: string; port: number; offset: number }[] }
  | { role: 'slave'; masterHost: string; masterPort: number; state: string; offset: number }
  | { role: 'sentinel' };

/** Turns the raw `ROLE` array into a {@link RoleReply}. */
export function parseRole(reply: unknown): RoleReply {
  if (!Array.isArray(reply) || typeof reply[0] !== 'string') throw new Error(`unexpected ROLE reply ${String(reply)}`);
  const [role] = reply as [string];
  if (role === 'master') {
    const replicas = (reply[2] as unknown[][] | undefined) ?? [];
    return {
      role,
      offset: Number(reply[1]),
      replicas: replicas.map((r) => ({ host: String(r[0]), port: Number(r[1]), offset: Number(r[2]) })),
    };
  }
  if (role === 'slave') {
    return {
      role,
      masterHost: String(reply[1]),
      masterPort: Number(reply[2]),
      state: String(reply[3]),
      offset: Number(reply[4]),
    };
  }
  return { role: 'sentinel' };
}
