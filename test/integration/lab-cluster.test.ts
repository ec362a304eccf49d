// Self-tests of the cluster lab: it starts a real 6-node cluster, and each fault does to the
// cluster what the failover tests rely on it doing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ClusterLab, type RedisNode, createLab, faults, now, parseInfo } from '../support/lab.js';

async function clusterState(node: RedisNode): Promise<string | undefined> {
  return parseInfo(String(await node.command('CLUSTER', 'INFO'))).cluster_state;
}

describe('lab: 3 primaries + 3 replicas', { timeout: 60_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());
  let cluster: ClusterLab;

  before(async () => {
    const started = now();
    cluster = await lab.cluster({ primaries: 3, replicasPerPrimary: 1 });
    console.log(`lab: 6-node cluster formed in ${Math.round(now().monoMs - started.monoMs)} ms`);
    for (const shard of await cluster.shards()) {
      const slots = shard.slots.map(([from, to]) => `${from}-${to}`).join(',');
      const replicas = shard.replicas.map((r) => `${r.host}:${r.port}`).join(',');
      console.log(`lab:   slots ${slots.padEnd(12)} primary ${shard.primary.host}:${shard.primary.port}  replica ${replicas}`);
    }
  });

  test('every shard serves SET/GET through its primary', { timeout: 10_000 }, async () => {
    const primaries = await cluster.primaries();
    assert.equal(primaries.length, 3);
    for (const primary of primaries) {
      const key = await cluster.keyForNode(primary);
      assert.equal(await primary.command('SET', key, primary.address), 'OK');
      assert.equal(await primary.command('GET', key), primary.address);
    }
    assert.equal(cluster.nodes.length, 6);
  });

  test('SIGSTOP of a primary: its replica is promoted; SIGCONT: it rejoins as a replica', { timeout: 20_000 }, async () => {
    const primary = await cluster.slotOwner(0);
    const replica = await cluster.replicaOf(primary);
    const stoppedAt = now();
    await faults.pause(primary);
    const promotedAt = await cluster.waitForPromotion(replica, 10_000);
    const promotionMs = Math.round(promotedAt.monoMs - stoppedAt.monoMs);
    console.log(`lab: replica ${replica.address} promoted ${promotionMs} ms after SIGSTOP of ${primary.address} (node timeout 1500 ms)`);
    assert.ok(promotionMs < 8000, `promotion took ${promotionMs} ms`);
    const okAt = await cluster.waitForClusterOk(10_000);
    console.log(`lab: all slots served again ${Math.round(okAt.monoMs - stoppedAt.monoMs)} ms after SIGSTOP`);
    assert.equal(await cluster.slotOwner(0), replica);

    await faults.resume(primary);
    const rejoinedAt = await cluster.waitForRole(primary, 'slave', 10_000);
    console.log(`lab: old primary rejoined as replica ${Math.round(rejoinedAt.monoMs - okAt.monoMs)} ms after the cluster was ok`);
    await cluster.waitForStable(15_000);
    assert.equal(await cluster.replicaOf(replica), primary);
  });

  test('CLUSTER FAILOVER on a replica swaps the roles', { timeout: 15_000 }, async () => {
    const primary = await cluster.slotOwner(6000);
    const replica = await cluster.replicaOf(primary);
    const key = await cluster.keyForNode(primary, 'failover');
    await primary.command('SET', key, 'before');
    const promotedAt = await faults.clusterFailover(cluster, replica);
    assert.ok(promotedAt.monoMs > 0);
    await cluster.waitForRole(primary, 'slave', 5000);
    await cluster.waitForStable(15_000);
    assert.equal(await cluster.slotOwner(6000), replica);
    // A coordinated failover loses nothing: the replica caught up before taking over.
    assert.equal(await replica.command('GET', key), 'before');
  });

  test('SIGKILL of a primary, then restart: the replica takes over, the node returns as replica', { timeout: 25_000 }, async () => {
    const primary = await cluster.slotOwner(16_000);
    const replica = await cluster.replicaOf(primary);
    const oldPid = primary.pid;
    await faults.kill(primary);
    assert.equal(primary.status, 'killed');
    await cluster.waitForPromotion(replica, 10_000);
    await faults.killAndRestart(primary);
    assert.notEqual(primary.pid, oldPid);
    await cluster.waitForRole(primary, 'slave', 10_000);
    await cluster.waitForStable(15_000);
    assert.equal(await cluster.slotOwner(16_000), replica);
  });

  test('DEBUG SLEEP stalls PING until the sleep ends', { timeout: 10_000 }, async () => {
    const primary = await cluster.slotOwner(100);
    const sleep = await faults.debugSleep(primary, 0.8);
    const probe = await primary.openClient({ commandTimeout: 200 });
    await assert.rejects(probe.call('PING'), /timed out/i);
    probe.disconnect();
    const doneAt = await sleep.done;
    assert.ok(doneAt.monoMs - sleep.blockedAt.monoMs < 1500);
    assert.equal(await primary.command('PING'), 'PONG');
  });

  test('restartAllOnNewPorts: every node moves, ids and layout survive, the cluster serves again', { timeout: 30_000 }, async () => {
    const portsBefore = new Map(cluster.nodes.map((n) => [n.nodeId, n.port]));
    const layoutBefore = (await cluster.shards()).map((s) => `${s.primary.id}>${s.replicas.map((r) => r.id).join(',')}`);
    const started = now();
    await cluster.restartAllOnNewPorts();
    console.log(`lab: all 6 nodes restarted on new ports and reformed in ${Math.round(now().monoMs - started.monoMs)} ms`);
    for (const node of cluster.nodes) assert.notEqual(node.port, portsBefore.get(node.nodeId), `${node.label} moved`);
    const shards = await cluster.shards();
    assert.deepEqual(
      shards.map((s) => `${s.primary.id}>${s.replicas.map((r) => r.id).join(',')}`),
      layoutBefore,
    );
    // The cluster announces the new ports.
    assert.deepEqual(
      shards.map((s) => s.primary.port),
      shards.map((s) => cluster.nodeById(s.primary.id).port),
    );
    for (const primary of await cluster.primaries()) {
      const key = await cluster.keyForNode(primary, 'moved');
      assert.equal(await primary.command('SET', key, 'v'), 'OK');
    }
  });
});

describe('lab: 2 primaries, no replicas', { timeout: 40_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());

  test('SIGSTOP of one primary takes the whole cluster down; SIGCONT brings it back', { timeout: 35_000 }, async () => {
    const cluster = await lab.cluster({ primaries: 2, replicasPerPrimary: 0 });
    const [stopped, survivor] = (await cluster.primaries()) as [RedisNode, RedisNode];
    assert.equal(await clusterState(survivor), 'ok');
    const stoppedAt = now();
    await faults.pause(stopped);
    // The survivor is one of two primaries: a minority. It stops serving even its own slots.
    const failAt = await cluster.waitForClusterState('fail', 10_000, [survivor]);
    console.log(`lab: 2-shard cluster went cluster_state:fail ${Math.round(failAt.monoMs - stoppedAt.monoMs)} ms after SIGSTOP`);
    const key = await cluster.keysForShard(survivor, 1).then(([k]) => k as string);
    await assert.rejects(survivor.command('GET', key), /CLUSTERDOWN/);

    const resumedAt = now();
    await faults.resume(stopped);
    const okAt = await cluster.waitForClusterOk(15_000);
    console.log(`lab: 2-shard cluster ok again ${Math.round(okAt.monoMs - resumedAt.monoMs)} ms after SIGCONT`);
    assert.equal(await survivor.command('SET', key, 'v'), 'OK');
  });
});
