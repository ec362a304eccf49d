/**
 * The part every scripted fake Redis shares: a loopback TCP server that reads RESP commands
 * (arrays of bulk strings, or inline commands as redis-server accepts them), hands each to the
 * caller with its connection, and writes back whatever the caller answers; plus the RESP2
 * writer for building those answers. `close()` ends every connection it accepted.
 * hostile-server.ts and hostile-cluster-server.ts script it for what a real redis-server can't
 * be made to send.
 */
import { type Server, type Socket, createServer } from 'node:net';

/** A reply to encode: strings are bulk strings; `raw` text goes out as it is. */
export type Reply =
  string | number | null | readonly Reply[] | { readonly simple: string } | { readonly error: string } | { readonly raw: string };

/** RESP2 text of `reply`. */
export function encode(reply: Reply): string {
  if (reply === null) return '$-1\r\n';
  if (typeof reply === 'string') return `$${Buffer.byteLength(reply)}\r\n${reply}\r\n`;
  if (typeof reply === 'number') return `:${reply}\r\n`;
  if (Array.isArray(reply)) return `*${reply.length}\r\n${reply.map((r: Reply) => encode(r)).join('')}`;
  const r = reply as { simple?: string; error?: string; raw?: string };
  if (r.simple !== undefined) return `+${r.simple}\r\n`;
  if (r.error !== undefined) return `-${r.error}\r\n`;
  return r.raw ?? '';
}

export interface RespConnection {
  readonly id: number;
  /** Every byte received on this connection, as latin1 text. */
  received: string;
  readonly socket: Socket;
}

/**
 * Answers one command (upper-case name first): bytes or text to write (text as UTF-8), or
 * undefined to leave it unanswered.
 */
export type RespHandler = (command: readonly string[], connection: RespConnection) => string | Buffer | undefined;

export interface RespServer {
  readonly host: string;
  readonly port: number;
  /** Every connection accepted, in order. */
  readonly connections: readonly RespConnection[];
  /** Commands received, in order, upper-case name first. */
  readonly commands: readonly (readonly string[])[];
  /** Connections open now. */
  openConnections(): number;
  close(): Promise<void>;
}

/** Starts a server on `host` (127.0.0.x) and a free port that answers through `handle`. */
export async function startRespServer(handle: RespHandler, host = '127.0.0.1'): Promise<RespServer> {
  const connections: RespConnection[] = [];
  const commands: string[][] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const connection: RespConnection = { id: connections.length, received: '', socket };
    connections.push(connection);
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      connection.received += chunk.toString('latin1');
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const parsed = parseCommand(buffer);
        if (!parsed) break;
        buffer = buffer.subarray(parsed.length);
        const command = [parsed.args[0]?.toUpperCase() ?? '', ...parsed.args.slice(1)];
        commands.push(command);
        const reply = handle(command, connection);
        if (reply !== undefined && !socket.destroyed) socket.write(reply);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('scripted RESP server has no port');
  return {
    host,
    port: address.port,
    connections,
    commands,
    openConnections: () => sockets.size,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One `*N\r\n$len\r\narg\r\n…` command from the start of `buffer`, or undefined if incomplete. */
function parseCommand(buffer: Buffer): { args: string[]; length: number } | undefined {
  let pos = 0;
  const line = (): string | undefined => {
    const end = buffer.indexOf('\r\n', pos);
    if (end < 0) return undefined;
    const text = buffer.toString('latin1', pos, end);
    pos = end + 2;
    return text;
  };
  const head = line();
  if (head === undefined) return undefined;
  // Inline commands (a bare "PING\r\n"), as redis-server accepts them.
  if (!head.startsWith('*')) return { args: head.split(' ').filter(Boolean), length: pos };
  const count = Number(head.slice(1));
  const args: string[] = [];
  for (let i = 0; i < count; i++) {
    const size = line();
    if (size === undefined) return undefined;
    const n = Number(size.slice(1));
    if (buffer.length < pos + n + 2) return undefined;
    args.push(buffer.toString('latin1', pos, pos + n));
    pos += n + 2;
  }
  return { args, length: pos };
}
