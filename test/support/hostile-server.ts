/**
 * A scripted "Redis" on loopback, for the replies a real redis-server can't be made to send:
 * garbage or truncated RESP, replies that never end, ROLE with wrong types. It parses what the
 * client sends (RESP arrays of bulk strings), records every connection's bytes (to prove what a
 * client did or did not send: credentials, its connection name), and answers each command
 * through the test's script. Stopped by the lab's teardown (`lab.defer`) or by `close()`.
 */
import { type Server, type Socket, createServer } from 'node:net';

/** What to send for one command: RESP text or bytes, or nothing at all (the reply never comes). */
export type HostileReply = string | Buffer | undefined;

export type HostileScript = (command: readonly string[], connection: HostileConnection) => HostileReply;

export interface HostileConnection {
  readonly id: number;
  /** Every byte received on this connection, as latin1 text. */
  received: string;
  readonly socket: Socket;
}

export interface HostileServer {
  readonly host: string;
  readonly port: number;
  readonly connections: readonly HostileConnection[];
  /** Commands received, in order, upper-case name first. */
  readonly commands: readonly (readonly string[])[];
  close(): Promise<void>;
}

/** The replies a client needs to get through its handshake (AUTH, CLIENT, SELECT, INFO, PING). */
export function handshakeReply(command: readonly string[]): HostileReply {
  switch (command[0]) {
    case 'AUTH':
    case 'SELECT':
    case 'CLIENT':
    case 'READONLY':
      return '+OK\r\n';
    case 'PING':
      return '+PONG\r\n';
    case 'INFO': {
      const text = 'loading:0\r\nrole:master\r\n';
      return `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
    }
    default:
      return undefined;
  }
}

export async function startHostileServer(script: HostileScript, host = '127.0.0.1'): Promise<HostileServer> {
  const connections: HostileConnection[] = [];
  const commands: string[][] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const connection: HostileConnection = { id: connections.length, received: '', socket };
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
        const reply = script(command, connection);
        if (reply !== undefined && !socket.destroyed) socket.write(reply);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('hostile server has no port');
  return {
    host,
    port: address.port,
    connections,
    commands,
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
