// Issue 15, defect 2: after close() resolves, nothing of ours remains: no socket, no timer
// keeping the process up, no connection on any server, and nothing opened later by a timer
// that outlived close(). Checked in all three modes, closing at the awkward moments: during
// connect, during a topology refresh, during a DNS swap and during a ROLE follow.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  createResilientRedis,
  isClientClosedError,
  isResilienceError,
  silentLogger,
  type ResilientRedis,
  type ResilientRedisOptions,
} from '../../src/index.js';
import { type ClusterLab, type DnsServer, type RedisNode, type ReplicationLab, createLab, waitFor } from '../support/lab.js';
import { ResourceTracker, activeResources, grownResources, namedConnections } from '../support/resource-tracker.js';

const lab = createLab();
after(() => lab.teardown());

/** One scenario: warm the lab's admin connections, take the baseline, run, close, check. */
async function closeLeavesNothing(
  nodes: readonly RedisNode[],
  options: ResilientRedisOptions,
  during: (client: ResilientRedis) => Promise<void>,
  afterClose: () => Promise<void> = async () => {},
): Promise<void> {
  for (const node of nodes) if (node.status === 'running') await node.command('PING');
  const baseline = activeResources();
  const tracker = ResourceTracker.start();
  const client = createResilientRedis({ logger: silentLogger, metrics: { enabled: false }, ...options });
  try {
    await during(client);
    await client.close();
    tracker.freeze();
    // Sockets and ref'd timers: gone the moment close() has resolved.
    const grown = grownResources(baseline, activeResources());
    assert.deepEqual(grown, [], `close() left resources behind: ${grown.join(', ')}\n${tracker.describe()}`);
  } finally {
    await client.close();
    await afterClose();
  }
  // Unref'd timers too: each may only run out (never reconnect), within a bounded time.
  await waitFor(() => Object.keys(tracker.alive()).length === 0, {
    timeoutMs: 3000,
    what: 'every socket, timer and DNS request made by the client to be released',
    diagnose: () => `${JSON.stringify(tracker.alive())}\n${tracker.describe()}`,
  });
  tracker.stop();
  const prefix = `redis-resilience:${options.name}`;
  for (const node of nodes) {
    if (node.status !== 'running') continue;
    await waitFor(async () => (await namedConnections(node, prefix)) === 0, {
      timeoutMs: 2000,
      what: `${node.address} to hold no connection of ${prefix}`,
    });
  }
}

/** A connect() that was interrupted by close() must say so with a family error. */
async function settled(connecting: Promise<void>): Promise<unknown> {
  return connecting.then(
    () => assert.fail('connect() resolved on a closed client'),
    (error: unknown) => error,
  );
}

describe('close() releases everything', { timeout: 120_000 }, () => {
  describe('standalone', () => {
    let node: RedisNode;
    before(async () => {
      node = await lab.standalone();
    });

    test('after traffic', { timeout: 20_000 }, async () => {
      await closeLeavesNothing(
        [node],
        { name: 'close-sa', mode: 'standalone', node: { host: node.host, port: node.port } },
        async (client) => {
          await client.connect();
          await client.set('close:k', 'v');
        },
      );
    });

    test('during connect to a hung node', { timeout: 20_000 }, async () => {
      await node.pause();
      await closeLeavesNothing(
        [node],
        { name: 'close-sa-connecting', mode: 'standalone', node: { host: node.host, port: node.port }, policy: { connectTimeoutMs: 5000 } },
        async (client) => {
          const connecting = settled(client.connect());
          await waitFor(() => client.status === 'connecting', { timeoutMs: 1000, what: 'connecting' });
          const started = performance.now();
          const closing = client.close();
          const error = await connecting;
          assert.ok(isClientClosedError(error), `connect() rejects with ClientClosedError, got ${String(error)}`);
          assert.ok(performance.now() - started < 1000, 'connect() settles at close, not at its timeout');
          await closing;
        },
        () => node.resume(),
      );
    });
  });

  describe('replication', () => {
    let pair: ReplicationLab;
    let dns: DnsServer;
    const names = { primaryName: 'close-primary.repl.test', readerName: 'close-reader.repl.test' };
    const options = (name: string): ResilientRedisOptions => ({
      name,
      mode: 'replication',
      primary: { host: names.primaryName, port: pair.primary.port },
      reader: { host: names.readerName, port: pair.replica.port },
      dns: { servers: [dns.server], minIntervalMs: 100, maxIntervalMs: 200 },
      policy: { connectTimeoutMs: 2000 },
    });
    before(async () => {
      dns = await lab.dns();
      pair = await lab.replicationPair({ dns, ttl: 0, ...names });
    });

    test('during connect while DNS never answers', { timeout: 20_000 }, async () => {
      dns.setFailure(names.primaryName, 'drop');
      try {
        await closeLeavesNothing(pair.nodes, options('close-repl-dns'), async (client) => {
          const connecting = settled(client.connect());
          await waitFor(() => dns.queryCount(names.primaryName) > 0, { timeoutMs: 2000, what: 'a query for the primary name' });
          await client.close();
          assert.ok(isResilienceError(await connecting));
        });
      } finally {
        dns.setFailure(names.primaryName, undefined);
      }
    });

    test('during a DNS swap to a hung node', { timeout: 20_000 }, async () => {
      const { primary, replica } = pair;
      // Paused before the baseline: the lab drops its own admin connection to a paused node.
      await replica.pause();
      await closeLeavesNothing(
        pair.nodes,
        options('close-repl-swap'),
        async (client) => {
          await client.connect();
          const queries = dns.queryCount(names.primaryName);
          dns.setRecord(names.primaryName, [replica.host], 0);
          // The next resolution sees the new address and starts connecting to the hung node.
          await waitFor(() => dns.queryCount(names.primaryName) >= queries + 2, { timeoutMs: 3000, what: 'the swap to start' });
        },
        async () => {
          dns.setRecord(names.primaryName, [primary.host], 0);
          await replica.resume();
        },
      );
    });

    test('during a ROLE follow to a hung node', { timeout: 30_000 }, async () => {
      const { primary, replica } = pair;
      await replica.pause();
      await closeLeavesNothing(
        pair.nodes,
        { ...options('close-repl-follow'), policy: { connectTimeoutMs: 2000, totalTimeoutMs: 5000, attemptTimeoutMs: 1000 } },
        async (client) => {
          await client.connect();
          // The primary now names the hung node as its master: the write gets READONLY, and the
          // client follows to the hung node, where the candidate connection stalls.
          await primary.command('REPLICAOF', replica.host, String(replica.port));
          const write = client.set('close:follow', 'v').catch((e: unknown) => e);
          await waitFor(() => client.recentEvents().some((e) => e.type === 'failover.detected'), {
            timeoutMs: 3000,
            what: 'the follow to start',
          });
          await client.close();
          assert.ok(isResilienceError(await write), 'the write in flight settles with a family error');
        },
        async () => {
          await replica.resume();
          await primary.command('REPLICAOF', 'NO', 'ONE');
          await replica.command('REPLICAOF', primary.host, String(primary.port));
        },
      );
    });
  });

  describe('cluster', () => {
    let cluster: ClusterLab;
    before(async () => {
      cluster = await lab.cluster();
    });
    const options = (name: string): ResilientRedisOptions => ({ name, mode: 'cluster', nodes: [cluster.seeds()[0]!] });

    test('during connect (first topology read in flight)', { timeout: 20_000 }, async () => {
      await closeLeavesNothing(cluster.nodes, options('close-cl-connect'), async (client) => {
        const connecting = settled(client.connect());
        await new Promise((r) => setImmediate(r));
        await client.close();
        assert.ok(isResilienceError(await connecting));
      });
    });

    test('during a topology refresh', { timeout: 20_000 }, async () => {
      await closeLeavesNothing(cluster.nodes, options('close-cl-refresh'), async (client) => {
        await client.connect();
        await client.set('close:{a}', 'v');
        // A refresh in flight when close() starts: its answer lands on a closing client.
        void (client.router as unknown as { keeper: { trigger(t: string): Promise<boolean> } }).keeper.trigger('unknown-node');
        await client.close();
      });
    });
  });
});
