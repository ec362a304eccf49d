/**
 * `npm run demo -- --endpoint host:port [--mode ...] [--duration s]`: the same two clients,
 * load and report pointed at a real deployment, with no fault injected. Useful during a
 * maintenance window or a managed failover test: run it, trigger the failover from the
 * console, and read the table.
 */
import type { Cluster, Redis } from 'ioredis';
import { type ResilientRedis, type ResilientRedisOptions, policyPresets } from '../../src/index.js';
import { errorText, keysInRanges, withTimeout } from '../../test/support/lab.js';
import { OURS, PLAIN, createOurs, createPlainCluster, createPlainRedis, plainReady } from './demo-clients.js';
import type { DemoArgs } from './demo-args.js';
import { DemoSession, finishReport } from './demo-session.js';
import { type DemoClient, type ScenarioPlan, runScenario } from './scenario-runner.js';

const KEYS_PER_GROUP = 16;
const PREFIX = 'redis-resilience-demo';

/** One key group per shard, from the cluster's own CLUSTER SLOTS. */
async function shardGroups(plain: Cluster, prefix: string): Promise<ScenarioPlan['loads'][number]['groups']> {
  const reply = await plain.cluster('SLOTS');
  const byPrimary = new Map<string, Array<[number, number]>>();
  for (const [start, end, primary] of reply) {
    if (!primary) continue;
    const key = `${primary[0]}:${primary[1]}`;
    byPrimary.set(key, [...(byPrimary.get(key) ?? []), [start, end]]);
  }
  return [...byPrimary.entries()]
    .map(([primary, ranges]) => ({ ranges: ranges.sort((a, b) => a[0] - b[0]), primary }))
    .sort((a, b) => a.ranges[0]![0] - b.ranges[0]![0])
    .map(({ ranges }) => ({
      name: `slots ${ranges.map(([a, b]) => `${a}-${b}`).join(',')}`,
      keys: keysInRanges(ranges, KEYS_PER_GROUP, prefix),
    }));
}

/** Runs the observe-only demo; resolves with the exit code. */
export async function runObserveDemo(args: DemoArgs): Promise<number> {
  const endpoint = args.endpoint!;
  const session = new DemoSession();
  const password = process.env.REDIS_PASSWORD || undefined;
  const secrets = { ...(password === undefined ? {} : { password }), ...(args.tls ? { tls: true as const } : {}) };
  const base = { name: 'demo-observe', ...secrets };
  const oursOptions: ResilientRedisOptions =
    args.mode === 'cluster'
      ? { ...base, mode: 'cluster', nodes: [endpoint] }
      : args.mode === 'replication'
        ? { ...base, mode: 'replication', primary: endpoint }
        : { ...base, mode: 'standalone', node: endpoint };
  const ours: ResilientRedis = createOurs(oursOptions, session);
  const plain: Cluster | Redis =
    args.mode === 'cluster'
      ? createPlainCluster([endpoint], session, { ...(password === undefined ? {} : { password }), tls: args.tls })
      : createPlainRedis(
          { host: endpoint.host, port: endpoint.port, ...(password === undefined ? {} : { password }), ...(args.tls ? { tls: {} } : {}) },
          session,
        );
  const stop = async (): Promise<void> => {
    plain.disconnect();
    await ours.close();
  };
  const onSignal = (): void => {
    console.error('\nstopping the clients...');
    void withTimeout(stop(), 5000, 'closing the clients').finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const deadlineMs = policyPresets[args.mode].totalTimeoutMs;
  const allKeys: string[] = [];
  try {
    session.log(`observing ${endpoint.host}:${endpoint.port} (${args.mode}) for ${args.durationS} s; no fault is injected`);
    session.log(
      `The example app: an in-process load loop (the test lab's LoadProbe), 100 calls/s per key group, SET/GET on keys prefixed ${PREFIX}`,
    );
    session.log(`clients: ${OURS} createResilientRedis defaults vs ${PLAIN} with default options; deadline ${deadlineMs} ms`);
    await Promise.all([ours.connect(), plainReady(plain)]);
    const clients: DemoClient[] = [
      { label: OURS, client: ours, keyPrefix: `${PREFIX}-rr` },
      { label: PLAIN, client: plain, keyPrefix: `${PREFIX}-io` },
    ];
    const result = await runScenario(
      {
        name: 'observe',
        title: `observe ${endpoint.host}:${endpoint.port} (${args.mode}) for ${args.durationS} s, no fault injected`,
        deployment: args.mode,
        deadlineMs,
        ratePerGroup: 100,
        warmupMs: 0,
        reference: 'none: nothing is injected, so there is no promotion to measure against',
        notes: ['Every key group counts as healthy: any error is an error on a shard we did not touch.'],
        async plan(prefix) {
          const groups =
            args.mode === 'cluster'
              ? await shardGroups(plain as Cluster, prefix)
              : [{ name: 'all', keys: Array.from({ length: KEYS_PER_GROUP }, (_, i) => `${prefix}:${i}`) }];
          allKeys.push(...groups.flatMap((g) => g.keys));
          return { loads: [{ groups, mix: 'mixed' }], victims: [] };
        },
        inject: (ctx) => ctx.hold(args.durationS * 1000),
        verify: (key) => ours.get(key),
      },
      clients,
      session,
    );
    // Leave nothing behind on someone else's deployment.
    await withTimeout(Promise.allSettled(allKeys.map((k) => ours.del(k))), 10_000, 'deleting the demo keys').catch(() => {});
    finishReport(session, [result], {
      run: 'observe',
      title: `redis-resilience vs plain ioredis observing ${endpoint.host}:${endpoint.port}`,
      outDir: args.outDir,
      setup: { endpoint: `${endpoint.host}:${endpoint.port}`, mode: args.mode, durationS: args.durationS, tls: args.tls, deadlineMs },
    });
    return result.error ? 1 : 0;
  } catch (error) {
    console.error(`observe run failed: ${errorText(error)}`);
    return 1;
  } finally {
    await withTimeout(stop(), 5000, 'closing the clients').catch(() => {});
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
