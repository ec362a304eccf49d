// Issue 12 in cluster mode, through real primary failovers of a 3x1 cluster (one lab for the
// file): SUBSCRIBE re-homes to a live node when its node dies, SSUBSCRIBE follows its slot to
// the promoted replica, and EVAL of a counting script through CLUSTER FAILOVER is neither
// duplicated nor lost. Pub/sub is at-most-once during the switch; the gap is measured and
// bounded, and every message published after the subscriber is back must arrive.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ResilientRedis } from '../../src/index.js';
import { type ClusterLab, type RedisNode, createLab, faults, slotOfKey, waitFor } from '../support/lab.js';
import { recordedClient } from '../support/recorded-client.js';
import { waitForFullTopology, warmCluster } from './cluster-failover-harness.js';
import { COUNTING_SCRIPT, ReceivedLog, ScriptLoad, SteadyPublisher, reportAfterMove, resubscribed } from './pubsub-failover-support.js';

const PROMOTION_TIMEOUT_MS = 15_000;
/** Classic pub/sub needs no promotion: any live node takes over once the socket closes. */
const CLASSIC_GAP_BOUND_MS = 1000;
/** Sharded pub/sub waits for the promotion; after it, the client must follow within this. */
const SHARDED_FOLLOW_BOUND_MS = 1500;

describe('cluster: pub/sub and scripts through a primary failover', { timeout: 180_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());
  let cluster: ClusterLab;

  before(async () => {
    cluster = await lab.cluster({ primaries: 3, replicasPerPrimary: 1 });
    await warmCluster(cluster);
  });

  async function client(name: string) {
    const recorded = recordedClient(lab, { name, mode: 'cluster', nodes: cluster.seeds() });
    await recorded.client.connect();
    await waitForFullTopology(recorded.client, cluster);
    return recorded;
  }

  async function replicaOf(primary: RedisNode): Promise<RedisNode> {
    const shard = (await cluster.shards()).find((s) => s.primary.id === primary.nodeId)!;
    return cluster.nodeById(shard.replicas[0]!.id);
  }

  /** Kills `victim`, returns when its replica is primary; restarts it (as a replica) afterwards. */
  async function killPrimary(victim: RedisNode) {
    const replica = await replicaOf(victim);
    const killedAt = Date.now();
    await faults.kill(victim);
    lab.defer(() => (victim.status === 'killed' ? victim.restart() : undefined));
    return { killedAt, replica, promoted: cluster.waitForPromotion(replica, PROMOTION_TIMEOUT_MS) };
  }

  /**
   * Brings a faulted node back as a replica, so the next test starts from a whole cluster even
   * when this one failed half-way: after the promotion, so the old primary cannot win its slots
   * back.
   */
  async function rejoin(victim: RedisNode, promoted?: Promise<unknown>): Promise<void> {
    await promoted?.catch(() => undefined);
    if (victim.status === 'killed') await victim.restart();
    if (victim.status === 'paused') await faults.resume(victim);
    await cluster.waitForRole(victim, 'slave', PROMOTION_TIMEOUT_MS).catch(() => undefined);
    await cluster.waitForClusterOk(PROMOTION_TIMEOUT_MS);
  }

  /**
   * A client subscribed to `channel`, the primary it sits on, and a steady publisher on another
   * shard's primary (cluster pub/sub broadcasts to every node), delivering.
   */
  async function classicSubscription(name: string, channel: string) {
    const { client: sub, events } = await client(name);
    const log = new ReceivedLog();
    sub.on('message', (ch: string, message: string) => ch === channel && log.add(message));
    assert.equal(await sub.subscribe(channel), 1);
    const primaries = await cluster.primaries();
    const counts = await Promise.all(primaries.map(async (p) => ((await p.command('PUBSUB', 'NUMSUB', channel)) as unknown[])[1]));
    const home = primaries[counts.indexOf(1)];
    assert.ok(home, `the subscriber sits on a primary: ${JSON.stringify(counts)}`);
    const publisherNode = primaries.find((p) => p !== home)!;
    const publisher = new SteadyPublisher((m) => publisherNode.command('PUBLISH', channel, m));
    return { events, log, home, replica: await replicaOf(home), publisher };
  }

  test(
    'SUBSCRIBE: its node is SIGKILLed; it re-homes to a live node, 0 duplicates, nothing lost once back',
    { timeout: 45_000 },
    async () => {
      const { events, log, home, publisher } = await classicSubscription('ps-classic', 'ps:news');
      let promoted: Promise<unknown> | undefined;
      publisher.start();
      try {
        await waitFor(() => log.at.size >= 50 || undefined, { timeoutMs: 5000, what: 'steady delivery' });
        const fault = await killPrimary(home);
        promoted = fault.promoted;
        const { killedAt } = fault;
        const back = await waitFor(() => resubscribed(events, 'classic')[0], { timeoutMs: 10_000, what: 'pubsub.resubscribed' });
        const report = await reportAfterMove(publisher, log, back.timestamp);
        console.log(
          JSON.stringify({
            scenario: 'cluster SUBSCRIBE, node SIGKILL',
            gapMs: back.gapMs,
            sinceKillMs: back.timestamp - killedAt,
            ...report,
            lostAfterBack: report.lostAfterBack.length,
          }),
        );
        assert.equal(report.duplicates, 0, 'no message delivered twice');
        assert.deepEqual(report.lostAfterBack, [], 'every message published after the re-home arrived');
        assert.notEqual(back.node, home.address, 'moved off the dead node');
        assert.ok(back.gapMs <= CLASSIC_GAP_BOUND_MS, `re-homed ${back.gapMs} ms after losing its node`);
        assert.ok(report.longestSilenceMs <= CLASSIC_GAP_BOUND_MS + 200, `longest delivery silence ${report.longestSilenceMs} ms`);
        assert.equal(publisher.errors, 0);
      } finally {
        await publisher.stop();
        await rejoin(home, promoted);
      }
    },
  );

  test('SUBSCRIBE: its node hangs (SIGSTOP); the liveness probe notices and it re-homes to a live node', { timeout: 45_000 }, async () => {
    const { events, log, home, replica, publisher } = await classicSubscription('ps-classic-hung', 'ps:hung');
    publisher.start();
    try {
      await waitFor(() => log.at.size >= 50 || undefined, { timeoutMs: 5000, what: 'steady delivery' });
      const pausedAt = Date.now();
      await faults.pause(home);
      const back = await waitFor(() => resubscribed(events, 'classic')[0], { timeoutMs: 10_000, what: 'pubsub.resubscribed' });
      const report = await reportAfterMove(publisher, log, back.timestamp);
      const detectedMs = back.timestamp - pausedAt;
      console.log(
        JSON.stringify({
          scenario: 'cluster SUBSCRIBE, node SIGSTOP',
          gapMs: back.gapMs,
          sincePauseMs: detectedMs,
          ...report,
          lostAfterBack: report.lostAfterBack.length,
        }),
      );
      assert.equal(report.duplicates, 0, 'no message delivered twice');
      assert.deepEqual(report.lostAfterBack, [], 'every message published after the re-home arrived');
      assert.notEqual(back.node, home.address, 'moved off the hung node');
      // Probe interval (2 s, +25 % jitter) plus the PING's 500 ms attempt timeout, plus the move.
      assert.ok(detectedMs <= 2500 + 500 + 500, `re-homed ${detectedMs} ms after the node hung`);
      assert.ok(report.longestSilenceMs <= 2500 + 500 + 500, `longest delivery silence ${report.longestSilenceMs} ms`);
      // The reported gap starts at the node's last sign of life: it covers the real silence.
      assert.ok(back.gapMs >= report.longestSilenceMs - 100, `reported gap ${back.gapMs} ms, silence ${report.longestSilenceMs} ms`);
    } finally {
      await publisher.stop();
      // The cluster promotes the hung primary's replica meanwhile; it rejoins as a replica.
      await rejoin(home, home.status === 'paused' ? cluster.waitForPromotion(replica, PROMOTION_TIMEOUT_MS) : undefined);
    }
  });

  test(
    'SSUBSCRIBE: the shard primary is SIGKILLed; the channel follows its slot to the promoted replica',
    { timeout: 60_000 },
    async () => {
      const { client: sub, events } = await client('ps-sharded');
      const { client: pub } = await client('ps-sharded-pub');
      const victim = (await cluster.primaries())[1]!;
      const channel = await cluster.keyForNode(victim, 'ps:shard');
      const log = new ReceivedLog();
      sub.on('smessage', (ch: string, message: string) => ch === channel && log.add(message));
      assert.equal(await sub.ssubscribe(channel), 1);
      assert.deepEqual(await victim.command('PUBSUB', 'SHARDNUMSUB', channel), [channel, 1]);
      const publisher = new SteadyPublisher((m) => (pub as ResilientRedis).spublish(channel, m));
      let promoted: Promise<unknown> | undefined;
      publisher.start();
      try {
        await waitFor(() => log.at.size >= 50 || undefined, { timeoutMs: 5000, what: 'steady delivery' });
        const fault = await killPrimary(victim);
        promoted = fault.promoted;
        const { killedAt, replica } = fault;
        const promotedAt = (await fault.promoted).epochMs;
        const back = await waitFor(() => resubscribed(events, 'sharded')[0], { timeoutMs: 10_000, what: 'pubsub.resubscribed' });
        const report = await reportAfterMove(publisher, log, back.timestamp);
        const followMs = back.timestamp - promotedAt;
        console.log(
          JSON.stringify({
            scenario: 'cluster SSUBSCRIBE, shard primary SIGKILL',
            gapMs: back.gapMs,
            serverOutageMs: promotedAt - killedAt,
            followMs,
            ...report,
            lostAfterBack: report.lostAfterBack.length,
          }),
        );
        assert.equal(back.node, replica.address, 'resubscribed on the promoted replica');
        assert.deepEqual(await replica.command('PUBSUB', 'SHARDNUMSUB', channel), [channel, 1]);
        assert.equal(report.duplicates, 0, 'no message delivered twice');
        assert.deepEqual(report.lostAfterBack, [], 'every message published after the move arrived');
        assert.ok(followMs <= SHARDED_FOLLOW_BOUND_MS, `followed the slot ${followMs} ms after the promotion`);
        // The gap is the server's own outage (no primary for the slot) plus the client's follow.
        assert.ok(back.gapMs <= promotedAt - killedAt + SHARDED_FOLLOW_BOUND_MS, `gap ${back.gapMs} ms`);
        assert.ok(
          report.longestSilenceMs <= promotedAt - killedAt + SHARDED_FOLLOW_BOUND_MS,
          `longest delivery silence ${report.longestSilenceMs} ms`,
        );
      } finally {
        await publisher.stop();
        await rejoin(victim, promoted);
      }
    },
  );

  test(
    'EVAL of a counting script through CLUSTER FAILOVER: 0 duplicated effects, 0 lost acknowledged calls',
    { timeout: 45_000 },
    async () => {
      const { client: redis } = await client('ps-eval');
      const primary = (await cluster.primaries())[2]!;
      const tag = await cluster.keyForNode(primary, 'ps:eval');
      const counter = `{${tag}}:n`;
      const ids = `{${tag}}:ids`;
      const load = new ScriptLoad((id) => redis.eval(COUNTING_SCRIPT, 2, counter, ids, id));
      load.start();
      try {
        await waitFor(() => load.acked.size >= 100 || undefined, { timeoutMs: 5000, what: 'steady EVALs' });
        const promoted = await faults.clusterFailover(cluster, await replicaOf(primary));
        const ackedBefore = load.acked.size;
        await waitFor(() => load.acked.size >= ackedBefore + 100 || undefined, { timeoutMs: 10_000, what: 'EVALs after the promotion' });
        void promoted;
      } finally {
        await load.stop();
      }
      const owner = await cluster.slotOwner(slotOfKey(counter));
      await load.assertRanOnce(owner, { ids, counter }, 'cluster EVAL, CLUSTER FAILOVER');
    },
  );
});
