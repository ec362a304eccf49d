// socket.io servers on @socket.io/redis-adapter over a ResilientRedis, as the compat and the
// libraries' failover tests start them: the adapter's subscriber is `pub.duplicate()`, every
// connected socket joins `room`, and `ping-all` answers with the server's id.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdapter } from '@socket.io/redis-adapter';
import { Server } from 'socket.io';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import type { ResilientRedis } from '../../src/index.js';

export interface SocketServer {
  readonly io: Server;
  readonly http: HttpServer;
  /** The adapter's subscriber client. */
  readonly sub: ResilientRedis;
  readonly url: string;
  /** Closes socket.io (and its HTTP server), then the subscriber client. */
  close(): Promise<void>;
}

/**
 * `subFrom`: the client whose duplicate subscribes (default `pub`), when its deadlines differ.
 * The subscriber is named `<subFrom's name>-sub-<id>` (its connections show it in CLIENT LIST).
 */
export async function startSocketServer(pub: ResilientRedis, id: string | number, subFrom: ResilientRedis = pub): Promise<SocketServer> {
  const sub = subFrom.duplicate({ name: subscriberName(subFrom, id) });
  const http = createServer();
  const io = new Server(http, { adapter: createAdapter(pub, sub, { requestsTimeout: 3000 }) });
  io.on('connection', (socket) => socket.join('room'));
  io.on('ping-all', (cb: (reply: string | number) => void) => cb(id));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    io,
    http,
    sub,
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    async close() {
      await io.close();
      await sub.close();
    },
  };
}

/** A websocket client of `url`, connected (no reconnection: a drop must show). */
export async function connectSocket(url: string): Promise<ClientSocket> {
  const socket = connectClient(url, { transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject));
  return socket;
}

/** The client name of server `id`'s subscriber. */
export function subscriberName(subFrom: ResilientRedis, id: string | number): string {
  return `${subFrom.name}-sub-${id}`;
}
