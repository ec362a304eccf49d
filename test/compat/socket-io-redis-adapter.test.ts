// @socket.io/redis-adapter 8 over ResilientRedis pub/sub clients, two socket.io servers in one
// process: broadcast across servers, fetchSockets and serverSideEmitWithAck, which counts the
// servers with PUBSUB NUMSUB summed over `nodes()` when `isCluster` is set. Standalone,
// replication and cluster.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Socket as ClientSocket } from 'socket.io-client';
import type { ResilientRedis } from '../../src/index.js';
import { clusterClient, replicationClient, standaloneClient } from './compat-clients.js';
import { type SocketServer as Instance, connectSocket, startSocketServer } from './socket-io-servers.js';
import { createLab, waitFor, withTimeout } from '../support/lab.js';

/** Two socket.io servers on `pub` (and its duplicate), one websocket client on each. */
async function twoServers(
  pub: ResilientRedis,
  body: (servers: [Instance, Instance], sockets: ClientSocket[]) => Promise<void>,
): Promise<void> {
  const servers: Instance[] = [];
  const sockets: ClientSocket[] = [];
  try {
    for (let i = 0; i < 2; i++) servers.push(await startSocketServer(pub, i));
    for (const s of servers) sockets.push(await connectSocket(s.url));
    await body(servers as [Instance, Instance], sockets);
  } finally {
    for (const s of sockets) s.disconnect();
    for (const s of servers) await s.close();
  }
}

/** A broadcast from server A reaches the socket on server B. */
async function broadcastReaches(a: Instance, socket: ClientSocket, message: string): Promise<void> {
  const got: string[] = [];
  socket.on('news', (m: string) => got.push(m));
  // Retried until the other server's subscription is in place (it subscribes asynchronously).
  await waitFor(
    () => {
      a.io.to('room').emit('news', message);
      return got.includes(message);
    },
    { timeoutMs: 5000, intervalMs: 100, what: "a broadcast reaching the other server's socket" },
  );
}

/** fetchSockets and serverSideEmitWithAck: both count the servers with PUBSUB NUMSUB. */
async function countsServers(a: Instance): Promise<void> {
  await waitFor(async () => (await a.io.fetchSockets()).length === 2, {
    timeoutMs: 5000,
    what: "fetchSockets to see both servers' sockets",
  });
  const replies = await withTimeout(a.io.serverSideEmitWithAck('ping-all'), 5000, 'serverSideEmitWithAck');
  assert.equal(replies.length, 1, `one other server answered: ${JSON.stringify(replies)}`);
}

async function exercise(pub: ResilientRedis): Promise<void> {
  await twoServers(pub, async ([a], sockets) => {
    // The subscriptions are in place once each server counts the other.
    await countsServers(a);
    await broadcastReaches(a, sockets[1]!, 'hello');
  });
}

describe('@socket.io/redis-adapter over ResilientRedis', { timeout: 60_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());
  let replicated: ResilientRedis | undefined;

  test('standalone', async () => {
    await exercise((await standaloneClient(lab, 'sio-s')).redis);
  });

  test('replication: broadcast across servers (subscriptions and PUBLISH on the primary)', async () => {
    const { redis } = await replicationClient(lab, 'sio-r');
    replicated = redis;
    await twoServers(redis, async ([a], sockets) => broadcastReaches(a, sockets[1]!, 'hello'));
  });

  // PUBSUB NUMSUB counts the subscribers of the node it runs on: it must reach the primary the
  // client subscribes on. Classed a read, it went to the reader, which answered 0.
  test('replication: fetchSockets and serverSideEmitWithAck count the other server', async () => {
    const redis = replicated ?? (await replicationClient(lab, 'sio-r2')).redis;
    await twoServers(redis, async ([a], sockets) => {
      // Both subscribed (a broadcast got across): the counts must see the other server now.
      await broadcastReaches(a, sockets[1]!, 'counted');
      assert.equal(
        (await withTimeout(a.io.serverSideEmitWithAck('ping-all'), 5000, 'serverSideEmitWithAck')).length,
        1,
        'one other server answered',
      );
      assert.equal((await a.io.fetchSockets()).length, 2, "fetchSockets sees both servers' sockets");
    });
  });

  test('cluster: serverSideEmitWithAck counts subscribers over nodes()', async () => {
    await exercise((await clusterClient(lab, 'sio-c')).redis);
  });
});
