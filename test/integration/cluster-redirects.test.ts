// Redirects and topology changes on a real cluster: ASK during a slot migration, MOVED after
// it, a MOVED to a node the client has never seen, and that node's endpoint (connection and
// breaker) created when it appears and disposed of when it leaves.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ClusterRouter } from '../../src/core/client/cluster-router.js';
import { createResilientRedis, type ResilienceEvent, type ResilientRedis, silentLogger } from '../../src/index.js';
import { type ClusterLab, type RedisNode, createLab, parseClusterNodes, slotOfKey, waitFor } from '../support/lab.js';

/** Runs CLUSTER SETSLOT <slot> NODE <owner> everywhere: the migration's last step. */
async function assignSlot(slot: number, owner: RedisNode, nodes: readonly RedisNode[]): Promise<void> {
  await owner.command('CLUSTER', 'SETSLOT', slot, 'NODE', owner.nodeId!);
  for (const n of nodes) if (n !== owner) await n.command('CLUSTER', 'SETSLOT', slot, 'NODE', owner.nodeId!);
}

describe('cluster redirects and topology changes', { timeout: 90_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());
  let cluster: ClusterLab;
  let redis: ResilientRedis;
  const events: ResilienceEvent[] = [];

  before(async () => {
    cluster = await lab.cluster({ primaries: 3, replicasPerPrimary: 0 });
    // No periodic refresh during the test: every refresh below was triggered by a redirect.
    redis = createResilientRedis({
      name: 'redirects',
      mode: 'cluster',
      nodes: cluster.seeds(),
      topology: { refreshIntervalMs: 600_000 },
      logger: silentLogger,
      metrics: { enabled: false },
    });
    lab.defer(() => redis.close());
    redis.events$.subscribe((e) => events.push(e));
    await redis.connect();
  });

  const refreshedBy = (trigger: string): boolean => events.some((e) => e.type === 'topology.refreshed' && e.trigger === trigger);

  test(
    'ASK during a migration is followed with ASKING and costs no refresh; MOVED after it is followed and refreshes the map',
    { timeout: 20_000 },
    async () => {
      const [source, target, third] = (await cluster.primaries()) as [RedisNode, RedisNode, RedisNode];
      const key = await cluster.keyForNode(source, 'migrating');
      const slot = slotOfKey(key);
      await target.command('CLUSTER', 'SETSLOT', slot, 'IMPORTING', source.nodeId!);
      await source.command('CLUSTER', 'SETSLOT', slot, 'MIGRATING', target.nodeId!);
      // The key is not on the source, so the source answers ASK: the write lands on the target.
      assert.equal(await redis.set(key, 'moved-in'), 'OK');
      const admin = await target.admin();
      assert.deepEqual(await admin.pipeline().call('ASKING').call('GET', key).exec(), [
        [null, 'OK'],
        [null, 'moved-in'],
      ]);
      assert.equal(await redis.get(key), 'moved-in');
      // ASK leaves the map right until the migration ends (then MOVED says so): no full read.
      assert.equal(refreshedBy('ask'), false, 'ASK costs no topology read');

      await assignSlot(slot, target, [source, third]);
      // The client's map still says "source": it answers MOVED, the client follows at once.
      assert.equal(await redis.get(key), 'moved-in');
      await waitFor(() => refreshedBy('moved'), { timeoutMs: 2000, what: 'a refresh triggered by MOVED' });
      await waitFor(
        () =>
          (redis.router as ClusterRouter).snapshot()?.slotOwner[slot] ===
          (redis.router as ClusterRouter).snapshot()?.shards.findIndex((s) => s.primary.port === target.port),
        {
          timeoutMs: 5000,
          what: 'the slot map to show the new owner',
        },
      );
    },
  );

  test(
    'a MOVED to an unknown node creates its endpoint and breaker; when it leaves they are disposed of',
    { timeout: 40_000 },
    async () => {
      const primaries = await cluster.primaries();
      const newcomer = await lab.node({ cluster: { nodeTimeoutMs: 1500 }, label: 'cluster-new' });
      newcomer.nodeId = String(await newcomer.command('CLUSTER', 'MYID'));
      await primaries[0]!.command('CLUSTER', 'MEET', newcomer.host, newcomer.port, newcomer.busPort);
      const knowsNewcomer = async (n: RedisNode): Promise<boolean> =>
        parseClusterNodes(String(await n.command('CLUSTER', 'NODES'))).some(
          (x) => x.id === newcomer.nodeId && !x.flags.includes('handshake'),
        );
      await waitFor(async () => (await Promise.all([...primaries, newcomer].map(knowsNewcomer))).every(Boolean), {
        timeoutMs: 10_000,
        what: 'every node to know the new one',
      });
      const owner = primaries[1]!;
      const key = await cluster.keyForNode(owner, 'newcomer');
      const slot = slotOfKey(key);
      await assignSlot(slot, newcomer, primaries);
      // A node that just joined answers CLUSTERDOWN until it has seen the cluster settle
      // (about 2 s, Redis's own rejoin delay); the client would ride that out only until its
      // deadline, so wait for the node first: this test is about the redirect.
      await waitFor(async () => String(await newcomer.command('CLUSTER', 'INFO')).includes('cluster_state:ok'), {
        timeoutMs: 10_000,
        what: 'the new node to report cluster_state:ok',
      });
      const known = redis.router.endpoints().length;
      assert.equal(await redis.set(key, 'on-the-new-node'), 'OK');
      assert.equal(await newcomer.command('GET', key), 'on-the-new-node');
      assert.ok(
        redis.router.endpoints().some((e) => e.id === newcomer.address),
        'an endpoint for the new node',
      );
      // The change detector (CLUSTER INFO: a node joined, the epoch grew) may have found it
      // before the MOVED did; either way it is one endpoint more than the three primaries.
      assert.ok(known === 3 || known === 4, `${known} endpoints before the write`);
      assert.equal(redis.router.endpoints().length, 4);
      // The MOVED and the unknown node it names trigger one refresh between them (triggers that
      // arrive while one is queued join it), so either may be the recorded trigger, unless the
      // change detector's read came first.
      await waitFor(
        () =>
          events.some(
            (e) =>
              e.type === 'topology.refreshed' &&
              ['unknown-node', 'moved', 'epoch-changed'].includes(e.trigger) &&
              e.added.includes(newcomer.address),
          ),
        { timeoutMs: 2000, what: 'a refresh, triggered by the redirect or the change detector, that adds the new node' },
      );
      const endpoint = redis.router.endpoints().find((e) => e.id === newcomer.address)!;
      assert.equal(endpoint.breaker.state, 'closed');

      // It leaves: its slot goes back, it is stopped and forgotten.
      await newcomer.command('DEL', key);
      await assignSlot(slot, owner, [...primaries.filter((p) => p !== owner), newcomer]);
      await newcomer.kill();
      for (const p of primaries) await p.command('CLUSTER', 'FORGET', newcomer.nodeId);
      await waitFor(
        async () => {
          assert.equal(await redis.set(key, 'home'), 'OK');
          return !redis.router.endpoints().some((e) => e.id === newcomer.address);
        },
        { timeoutMs: 10_000, intervalMs: 200, what: 'the departed node to leave the client' },
      );
      assert.ok(events.some((e) => e.type === 'topology.refreshed' && e.removed.includes(newcomer.address)));
      // It is closed once in-flight calls had time to settle, and its breaker disposed of: a
      // disposed breaker refuses to run anything.
      const disposed = (): Promise<boolean> =>
        endpoint.breaker
          .run(async () => true)
          .then(
            () => false,
            () => true,
          );
      await waitFor(disposed, { timeoutMs: 5000, what: "the old endpoint's breaker to be disposed of" });
      assert.equal(await owner.command('GET', key), 'home');
    },
  );
});
