// @socket.io/redis-adapter 8 over ResilientRedis pub/sub clients, two socket.io servers in one
// process: broadcast across servers, fetchSockets and serverSideEmitWithAck, which counts the
// servers with PUBSUB NUMSUB summed over `nodes()` when `isCluster` is set. Standalone and cluster.
import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import { createAdapter } from '@socket.io/redis-adapter';
import { Server } from 'socket.io';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import type { ResilientRedis } from '../../src/index.js';
import { clusterClient, standaloneClient } from './compat-clients.js';
import { createLab, waitFor, withTimeout } from '../support/lab.js';

interface Instance {
  io: Server;
  http: HttpServer;
  sub: ResilientRedis;
  url: string;
}

async function startServer(pub: ResilientRedis): Promise<Instance> {
  const sub = pub.duplicate();
  const http = createServer();
  const io = new Server(http, { adapter: createAdapter(pub, sub, { requestsTimeout: 3000 }) });
  io.on('connection', (socket) => socket.join('room'));
  io.on('ping-all', (cb: (reply: string) => void) => cb(`pong from ${String((http.address() as AddressInfo).port)}`));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { io, http, sub, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` };
}

async function exercise(pub: ResilientRedis): Promise<void> {
  const servers: Instance[] = [];
  const sockets: ClientSocket[] = [];
  try {
    for (let i = 0; i < 2; i++) servers.push(await startServer(pub));
    for (const s of servers) {
      const socket = connectClient(s.url, { transports: ['websocket'], reconnection: false });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject));
    }
    // The subscriptions are in place once each server counts the other.
    const [a] = servers as [Instance, Instance];
    await waitFor(async () => (await a.io.fetchSockets()).length === 2, { timeoutMs: 5000, what: 'fetchSockets to see both servers\' sockets' });
    const got: string[] = [];
    sockets[1]!.on('news', (m: string) => got.push(m));
    a.io.to('room').emit('news', 'hello');
    await waitFor(() => got.includes('hello'), { timeoutMs: 5000, what: 'a broadcast reaching the other server\'s socket' });
    const replies = await withTimeout(a.io.serverSideEmitWithAck('ping-all'), 5000, 'serverSideEmitWithAck');
    assert.equal(replies.length, 1, `one other server answered: ${JSON.stringify(replies)}`);
  } finally {
    for (const s of sockets) s.disconnect();
    for (const s of servers) {
      await s.io.close();
      await s.sub.close();
    }
  }
}

describe('@socket.io/redis-adapter over ResilientRedis', { timeout: 60_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());

  test('standalone', async () => {
    await exercise((await standaloneClient(lab, 'sio-s')).redis);
  });

  test('cluster: serverSideEmitWithAck counts subscribers over nodes()', async () => {
    await exercise((await clusterClient(lab, 'sio-c')).redis);
  });
});
