/**
 * The lab run: a local 3x2 cluster and a replication pair behind DNS names (all from the test
 * lab), two clients side by side on each, four faults in turn, then the report.
 */
import type { ResilientRedis } from '../../src/index.js';
import { createLab, errorText, waitFor } from '../../test/support/lab.js';
import { OPT_IN, OURS, PLAIN, createOurs, createPlainCluster, createPlainRedis, plainReady } from './demo-clients.js';
import type { DemoArgs } from './demo-args.js';
import type { ScenarioResult } from './demo-report.js';
import { DemoSession, ensureRedisServer, finishReport, installSignalTeardown } from './demo-session.js';
import {
  CLUSTER_DEADLINE_MS,
  DNS_FLIP_DELAY_MS,
  HUNG_AFTER_PROMOTION_MS,
  REPLICATION_DEADLINE_MS,
  crashedPrimary,
  hungPrimary,
  plannedClusterFailover,
  replicationFailover,
} from './lab-scenarios.js';
import { type DemoClient, type ScenarioSpec, runScenario } from './scenario-runner.js';

/** Hard stop for the whole run: far above the ~2 minutes it takes, below "forever". */
const RUN_LIMIT_MS = 6 * 60_000;

/** Runs the lab demo; resolves with the process exit code. */
export async function runLabDemo(args: DemoArgs): Promise<number> {
  const session = new DemoSession();
  const say = (line: string): void => session.log(line);
  ensureRedisServer();
  const lab = createLab();
  const closers: Array<() => Promise<unknown>> = [];
  const closeClients = async (): Promise<void> => {
    await Promise.allSettled(closers.splice(0).map((close) => close()));
  };
  const uninstall = installSignalTeardown(lab, closeClients);
  const limit = setTimeout(() => {
    console.error(`the demo ran past ${RUN_LIMIT_MS / 60_000} minutes: aborting`);
    process.kill(process.pid, 'SIGTERM');
  }, RUN_LIMIT_MS);
  limit.unref();
  const results: ScenarioResult[] = [];
  try {
    say('redis-resilience demo: failover ride-through, redis-resilience vs plain ioredis');
    say("The example app: an in-process load loop (the test lab's open-loop LoadProbe) that drives both clients side by side");
    say('with the same SET/GET traffic, 100 calls/s per key group, one key group per shard.');
    say('starting a 3x2 Redis cluster, a DNS server and a replication pair (127.0.0.2 / 127.0.0.3)...');
    const dns = await lab.dns();
    const [cluster, pair] = await Promise.all([lab.cluster(), lab.replicationPair({ dns, ttl: 15 })]);
    say(`  cluster:     ${cluster.nodes.map((n) => n.address).join(' ')} (${session.elapsedS()} s)`);
    say(
      `  replication: ${pair.primaryName} -> ${pair.primary.address} (primary), ${pair.readerName} -> ${pair.replica.address}; DNS ${dns.server}, TTL 15 s`,
    );

    const oursCluster = createOurs({ name: 'demo-cluster', mode: 'cluster', nodes: cluster.seeds() }, session);
    // The opt-ins beside the default: reads from the shard's replica while its primary is down,
    // and calls to that shard held for the promotion (bounded by their deadline).
    const optInCluster = createOurs(
      {
        name: 'demo-cluster-opt-in',
        mode: 'cluster',
        nodes: cluster.seeds(),
        readFrom: 'primary-preferred',
        policy: { holdDuringFailoverMs: CLUSTER_DEADLINE_MS },
      },
      session,
    );
    const plainCluster = createPlainCluster(cluster.seeds(), session);
    const oursRepl = createOurs(
      {
        name: 'demo-replication',
        mode: 'replication',
        primary: { host: pair.primaryName, port: pair.primary.port },
        reader: { host: pair.readerName, port: pair.replica.port },
        dns: { servers: [dns.server] },
      },
      session,
    );
    const plainRepl = createPlainRedis({ host: pair.primary.host, port: pair.primary.port }, session);
    closers.push(
      () => closeOurs(oursCluster),
      () => closeOurs(optInCluster),
      () => closeOurs(oursRepl),
      async () => plainCluster.disconnect(),
      async () => plainRepl.disconnect(),
    );
    await Promise.all([oursCluster.connect(), optInCluster.connect(), oursRepl.connect(), plainReady(plainCluster), plainReady(plainRepl)]);
    // A freshly formed Redis 7 cluster leaves replicas out of CLUSTER SLOTS until they have
    // replicated something; a long-running app would know them. One write per shard, then wait
    // (bounded) until redis-resilience's periodic refresh has seen every node.
    say(
      'waiting until redis-resilience knows every cluster node, replicas included (a new cluster lists replicas once they have replicated a write)...',
    );
    await Promise.all((await cluster.primaries()).map(async (p) => p.command('SET', await cluster.keyForNode(p, 'warm-up'), '1')));
    await waitFor(() => [oursCluster, optInCluster].every((c) => c.health().nodes.length >= cluster.nodes.length), {
      timeoutMs: 20_000,
      what: 'redis-resilience to see every cluster node',
    });
    say(
      `clients (both with default resilience settings; redis-resilience also has metrics on a prom-client Registry and events$ subscribed):`,
    );
    say(`  cluster:     ${OURS} createResilientRedis({ mode: 'cluster', nodes: seeds })  vs  ${PLAIN} new Cluster(seeds)`);
    say(
      `               and ${OPT_IN}: the same with readFrom: 'primary-preferred' and policy.holdDuringFailoverMs: ${CLUSTER_DEADLINE_MS}`,
    );
    say(
      `  replication: ${OURS} createResilientRedis({ mode: 'replication', primary: ${pair.primaryName}, reader: ${pair.readerName}, dns: lab DNS })`,
    );
    say(
      `               vs  ${PLAIN} new Redis({ host: '${pair.primary.host}', port: ${pair.primary.port} }): plain ioredis cannot use the lab's DNS server,`,
    );
    say(`               so it is connected to ${pair.primary.host}, the address ${pair.primaryName} pointed to before the fault`);
    say(
      `deadline: ${CLUSTER_DEADLINE_MS} ms (cluster), ${REPLICATION_DEADLINE_MS} ms (replication), redis-resilience's defaults; a slower call is "past deadline"`,
    );
    say('progress: one line per second per scenario: calls that succeeded / failed in that second, and calls in flight now');

    const clusterClients: DemoClient[] = [
      { label: OURS, client: oursCluster, keyPrefix: 'rr' },
      { label: OPT_IN, client: optInCluster, keyPrefix: 'ro' },
      { label: PLAIN, client: plainCluster, keyPrefix: 'io' },
    ];
    const replClients: DemoClient[] = [
      { label: OURS, client: oursRepl, keyPrefix: 'rr' },
      { label: PLAIN, client: plainRepl, keyPrefix: 'io' },
    ];
    const plan: Array<[() => Promise<ScenarioSpec> | ScenarioSpec, DemoClient[]]> = [
      [() => hungPrimary(cluster), clusterClients],
      [() => crashedPrimary(cluster), clusterClients],
      [() => plannedClusterFailover(cluster), clusterClients],
      [() => replicationFailover(pair), replClients],
    ];
    for (const [make, clients] of plan) {
      try {
        results.push(await runScenario(await make(), clients, session));
      } catch (error) {
        say(`scenario could not start: ${errorText(error)}`);
      }
    }
    await closeClients();
    finishReport(session, results, {
      run: 'lab',
      title: 'redis-resilience vs plain ioredis: failovers in a local lab',
      outDir: args.outDir,
      setup: {
        app: 'in-process load loop (test/support/load-probe.ts), open loop, 100 calls/s per key group',
        cluster: { nodes: cluster.nodes.map((n) => n.address), nodeTimeoutMs: 1500 },
        replication: {
          primaryName: pair.primaryName,
          readerName: pair.readerName,
          dnsTtlS: 15,
          plainIoredisConnectedTo: pair.primary.address,
        },
        clients: {
          [OURS]: 'createResilientRedis with default policy and breaker presets, metrics on a prom-client Registry, events$ subscribed',
          [OPT_IN]: `cluster only: the same with readFrom 'primary-preferred' and policy.holdDuringFailoverMs ${CLUSTER_DEADLINE_MS}`,
          [PLAIN]: 'new Cluster(seeds) / new Redis({ host, port }), default options',
        },
        deadlineMs: { cluster: CLUSTER_DEADLINE_MS, replication: REPLICATION_DEADLINE_MS },
        hungAfterPromotionMs: HUNG_AFTER_PROMOTION_MS,
        dnsFlipDelayMs: DNS_FLIP_DELAY_MS,
      },
    });
    return results.length === plan.length && results.every((r) => !r.error) ? 0 : 1;
  } catch (error) {
    console.error(`demo failed: ${errorText(error)}`);
    return 1;
  } finally {
    await closeClients();
    say('tearing the lab down...');
    try {
      await lab.teardown();
      say(`done in ${session.elapsedS()} s; every process the demo started is stopped`);
    } catch (error) {
      console.error(errorText(error));
    }
    uninstall();
    clearTimeout(limit);
  }
}

/** Closes a redis-resilience client; its drain is bounded by policy.closeDrainMs. */
function closeOurs(client: ResilientRedis): Promise<void> {
  return client.close();
}
