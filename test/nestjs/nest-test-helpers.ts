// Shared by the NestJS adapter tests: clients pointed at a port nothing listens on, and a
// bounded HTTP helper.
import { createServer, type Socket } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { silentLogger, type ResilientRedisOptions } from '../../src/index.js';

/** A loopback port that refuses connections (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A server that accepts connections and never answers: a client connects and waits for its
 * ready check, so its breaker stays closed (nothing fails) and any byte sent is counted.
 */
export async function silentServer(): Promise<{
  port: number;
  connections: () => number;
  bytes: () => number;
  close: () => Promise<void>;
}> {
  let connections = 0;
  let bytes = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('data', (d) => (bytes += d.length));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    connections: () => connections,
    bytes: () => bytes,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Standalone client options for a Redis that is down; connect gives up after 200 ms. */
export function downClient(port: number, overrides: Partial<ResilientRedisOptions> = {}): ResilientRedisOptions {
  return {
    mode: 'standalone',
    node: { host: '127.0.0.1', port },
    logger: silentLogger,
    metrics: { enabled: false },
    policy: { connectTimeoutMs: 200 },
    ...overrides,
  } as ResilientRedisOptions;
}

/** Starts listening on a free loopback port and returns the base URL. */
export async function listen(app: INestApplication): Promise<string> {
  await app.listen(0, '127.0.0.1');
  return (await app.getUrl()).replace('[::1]', '127.0.0.1');
}

export { request } from '../support/http-request.js';
