/**
 * A scripted RESP2 server on loopback that counts what it executes, per key, and can be told
 * to misbehave on the first receipt of a key: execute and then hang (no reply, nothing more
 * read on that connection, which is dropped 300 ms later, as a hung node's is once it is
 * detected), execute and drop the connection (a reset after the write), or refuse without
 * executing (LOADING). Like Redis, it never skips a reply and answers later ones.
 * It is for replies and timings a real redis-server can't be made to produce on demand; it
 * answers the handshake ioredis sends (INFO for the ready check, CLIENT SETNAME) and treats
 * every other command as a write of its first argument (the key).
 */
import { createServer, type Server, type Socket } from 'node:net';

export type Fault = 'none' | 'hang' | 'reset' | 'refuse';

export interface CountingServer {
  readonly port: number;
  /** Times each key's command was executed (refusals are not executions). */
  readonly executed: Map<string, number>;
  /** Times each key's command was received, refused or not. */
  readonly received: Map<string, number>;
  /** What to do the first time `key` arrives. */
  plan(key: string, fault: Fault): void;
  close(): Promise<void>;
}

/** Minimal RESP2 array-of-bulk-strings parser; returns the commands complete in `buffer`. */
function parse(buffer: Buffer): { commands: string[][]; rest: Buffer } {
  const commands: string[][] = [];
  let offset = 0;
  for (;;) {
    const start = offset;
    const line = (): string | undefined => {
      const end = buffer.indexOf('\r\n', offset);
      if (end < 0) return undefined;
      const text = buffer.toString('latin1', offset, end);
      offset = end + 2;
      return text;
    };
    const header = line();
    if (header === undefined || !header.startsWith('*')) {
      offset = start;
      break;
    }
    const count = Number(header.slice(1));
    const args: string[] = [];
    let complete = true;
    for (let i = 0; i < count; i++) {
      const size = line();
      if (size === undefined || offset + Number(size.slice(1)) + 2 > buffer.length) {
        complete = false;
        break;
      }
      const n = Number(size.slice(1));
      args.push(buffer.toString('latin1', offset, offset + n));
      offset += n + 2;
    }
    if (!complete) {
      offset = start;
      break;
    }
    commands.push(args);
  }
  return { commands, rest: buffer.subarray(offset) };
}

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

export async function startCountingServer(host = '127.0.0.1'): Promise<CountingServer> {
  const executed = new Map<string, number>();
  const received = new Map<string, number>();
  const faults = new Map<string, Fault>();
  const sockets = new Set<Socket>();

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let pending: Buffer = Buffer.alloc(0);
    let hung = false;
    socket.on('data', (chunk: Buffer) => {
      if (hung) return;
      const { commands, rest } = parse(Buffer.concat([pending, chunk]));
      pending = rest;
      for (const [name = '', key = ''] of commands) {
        const lower = name.toLowerCase();
        if (lower === 'info') {
          const body = '# Server\r\nredis_version:7.0.0\r\nloading:0\r\n';
          socket.write(`$${body.length}\r\n${body}\r\n`);
          continue;
        }
        if (lower === 'client' || lower === 'select' || lower === 'ping') {
          socket.write(lower === 'ping' ? '+PONG\r\n' : '+OK\r\n');
          continue;
        }
        bump(received, key);
        const fault = faults.get(key) ?? 'none';
        faults.delete(key);
        if (fault === 'refuse') {
          socket.write('-LOADING Redis is loading the dataset in memory\r\n');
          continue;
        }
        bump(executed, key);
        if (fault === 'hang') {
          hung = true;
          setTimeout(() => socket.destroy(), 300).unref();
          return;
        }
        if (fault === 'reset') {
          socket.destroy();
          return;
        }
        socket.write(':1\r\n');
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    executed,
    received,
    plan: (key, fault) => void faults.set(key, fault),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
