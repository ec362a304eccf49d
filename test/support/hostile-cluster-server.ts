/**
 * A scripted fake Redis node for replies a real redis-server cannot be made to send: CLUSTER
 * SLOTS answers that are empty, of the wrong type or overlapping, MOVED to hosts that do not
 * exist, garbage. It speaks just enough RESP2 for ioredis to connect (CLIENT, INFO, READONLY,
 * PING, SELECT); every other command goes to the script. Loopback only, stopped by `close()`,
 * which also ends every connection it accepted.
 */
import { type Server, type Socket, createServer } from 'node:net';

/** A reply to encode: strings are bulk strings; `raw` bytes go out as they are. */
export type Reply =
  | string
  | number
  | null
  | readonly Reply[]
  | { readonly simple: string }
  | { readonly error: string }
  | { readonly raw: string };

/** Leaves the command unanswered, as a hung server would. */
export const NO_REPLY = Symbol('no reply');

/** Answers one command (upper-cased name first); undefined falls back to the defaults. */
export type Script = (command: readonly string[]) => Reply | typeof NO_REPLY | undefined;

export interface HostileServer {
  readonly host: string;
  readonly port: number;
  /** Commands received, in order, upper-cased name first. */
  readonly received: readonly (readonly string[])[];
  /** Connections open now. */
  openConnections(): number;
  /** Replaces the script. */
  setScript(script: Script): void;
  close(): Promise<void>;
}

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

/** Parses as many complete RESP2 command arrays as `buffer` holds; returns them and the rest. */
function parseCommands(buffer: string): { commands: string[][]; rest: string } {
  const commands: string[][] = [];
  let at = 0;
  for (;;) {
    if (buffer[at] !== '*') break;
    const lineEnd = buffer.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const count = Number(buffer.slice(at + 1, lineEnd));
    let p = lineEnd + 2;
    const args: string[] = [];
    let complete = true;
    for (let i = 0; i < count; i++) {
      const end = buffer.indexOf('\r\n', p);
      if (end < 0 || buffer[p] !== '$') {
        complete = false;
        break;
      }
      const len = Number(buffer.slice(p + 1, end));
      if (buffer.length < end + 2 + len + 2) {
        complete = false;
        break;
      }
      args.push(buffer.slice(end + 2, end + 2 + len));
      p = end + 2 + len + 2;
    }
    if (!complete) break;
    commands.push(args);
    at = p;
  }
  return { commands, rest: buffer.slice(at) };
}

function defaults(command: readonly string[]): Reply {
  switch (command[0]) {
    case 'CLIENT':
    case 'READONLY':
    case 'READWRITE':
    case 'SELECT':
    case 'ASKING':
      return { simple: 'OK' };
    case 'PING':
      return { simple: 'PONG' };
    case 'INFO':
      return 'loading:0\r\n';
    default:
      return { error: `ERR unknown command '${command[0]}'` };
  }
}

/** Starts a scripted server on `host` (127.0.0.x) and a free port. */
export async function startHostileServer(script: Script, host = '127.0.0.1'): Promise<HostileServer> {
  let current = script;
  const received: string[][] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      const { commands, rest } = parseCommands(buffer);
      buffer = rest;
      for (const args of commands) {
        const command = [args[0]!.toUpperCase(), ...args.slice(1)];
        received.push(command);
        const reply = current(command);
        if (reply === NO_REPLY) continue;
        socket.write(encode(reply ?? defaults(command)), 'latin1');
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
    received,
    openConnections: () => sockets.size,
    setScript(next) {
      current = next;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A CLUSTER INFO reply with the fields the change detector reads. */
export function clusterInfo(epoch: number, knownNodes: number, state = 'ok'): string {
  return `cluster_state:${state}\r\ncluster_slots_assigned:16384\r\ncluster_slots_ok:16384\r\ncluster_known_nodes:${knownNodes}\r\ncluster_size:1\r\ncluster_current_epoch:${epoch}\r\n`;
}

/** A CLUSTER SLOTS reply giving every slot to `host:port`. */
export function allSlotsTo(host: string, port: number, id = 'a'.repeat(40)): Reply {
  return [[0, 16_383, [host, port, id]]];
}
