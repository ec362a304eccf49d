/**
 * The clients the bench compares, behind one small interface: plain ioredis (`Redis` or
 * `Cluster`), redis-resilience, and Valkey GLIDE (`GlideClient` or `GlideClusterClient`) with
 * its defaults. Each is created on the same servers; the bench only ever calls these methods.
 */
import { ClusterBatch, Batch, GlideClient, GlideClusterClient, Logger } from '@valkey/valkey-glide';
import { Cluster, Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { type ResilientRedis, createResilientRedis, silentLogger } from '../src/index.js';
import type { Lab } from '../test/support/lab.js';

/** One command of a pipeline: `['get', key]` or `['set', key, value]`. */
export type PipelineCommand = readonly ['get', string] | readonly ['set', string, string];

/** What a bench workload may call. Replies are not checked here (the tests do that). */
export interface BenchClient {
  readonly label: string;
  get(key: string): Promise<unknown>;
  set(key: string, value: string): Promise<unknown>;
  mget(keys: readonly string[]): Promise<unknown>;
  mset(pairs: Readonly<Record<string, string>>): Promise<unknown>;
  pipeline(commands: readonly PipelineCommand[]): Promise<unknown>;
  /** Work to do between timed rounds (ours: a metrics scrape, as Prometheus would). */
  betweenRounds(): Promise<unknown>;
}

/** Where the servers are: one standalone node, or the cluster's seeds. */
export type TargetAddress =
  { kind: 'standalone'; node: { host: string; port: number } } | { kind: 'cluster'; seeds: { host: string; port: number }[] };

const nothing = (): Promise<void> => Promise.resolve();

/** ioredis's API, which redis-resilience shares. */
function ioredisShaped(label: string, c: Redis | Cluster | ResilientRedis, betweenRounds: () => Promise<unknown> = nothing): BenchClient {
  return {
    label,
    get: (k) => c.get(k),
    set: (k, v) => c.set(k, v),
    mget: (keys) => c.mget(keys as string[]),
    mset: (pairs) => c.mset(pairs),
    pipeline: (commands) => {
      const p = c.pipeline();
      for (const cmd of commands) {
        if (cmd[0] === 'get') p.get(cmd[1]);
        else p.set(cmd[1], cmd[2]);
      }
      return p.exec();
    },
    betweenRounds,
  };
}

/** Plain ioredis with one auto-pipelining setting. */
export async function createIoredis(
  lab: Lab,
  target: TargetAddress,
  autoPipelining: boolean,
): Promise<{ bench: BenchClient; client: Redis | Cluster }> {
  const client =
    target.kind === 'standalone'
      ? new Redis({ ...target.node, enableAutoPipelining: autoPipelining })
      : new Cluster(target.seeds, { enableAutoPipelining: autoPipelining });
  client.on('error', () => {});
  lab.defer(() => client.disconnect());
  await client.ping();
  return { bench: ioredisShaped('ioredis', client), client };
}

/**
 * redis-resilience as an app runs it: breakers on, metrics on a prom-client Registry (scraped
 * between rounds), a live events$ subscriber. `crossSlot` turns on the cluster split.
 */
export async function createOurs(
  lab: Lab,
  target: TargetAddress,
  autoPipelining: boolean,
  extra: { crossSlot?: { split: boolean }; label?: string } = {},
): Promise<{ bench: BenchClient; client: ResilientRedis }> {
  const registry = new Registry();
  const common = {
    logger: silentLogger,
    metrics: { registry },
    enableAutoPipelining: autoPipelining,
    name: `bench-${autoPipelining ? 'ap' : 'plain'}`,
  };
  const client =
    target.kind === 'standalone'
      ? createResilientRedis({ ...common, mode: 'standalone', node: target.node })
      : createResilientRedis({
          ...common,
          mode: 'cluster',
          nodes: target.seeds,
          ...(extra.crossSlot ? { crossSlot: extra.crossSlot } : {}),
        });
  client.events$.subscribe(() => {});
  lab.defer(() => client.close());
  await client.connect();
  return { bench: ioredisShaped(extra.label ?? 'ours', client, () => registry.metrics()), client };
}

let glideLoggerQuiet = false;

/** Valkey GLIDE with its defaults (it pipelines every connection internally, always). */
export async function createGlide(lab: Lab, target: TargetAddress): Promise<BenchClient> {
  if (!glideLoggerQuiet) {
    // Its default logger writes connection chatter to the console; the bench output is ours.
    Logger.init('error');
    glideLoggerQuiet = true;
  }
  if (target.kind === 'standalone') {
    const c = await GlideClient.createClient({ addresses: [target.node] });
    lab.defer(() => c.close());
    return glideShaped(c, (commands) => c.exec(fill(new Batch(false), commands), true));
  }
  const c = await GlideClusterClient.createClient({ addresses: target.seeds });
  lab.defer(() => c.close());
  return glideShaped(c, (commands) => c.exec(fill(new ClusterBatch(false), commands), true));
}

/** GLIDE's API; only `exec` differs between its standalone and cluster clients. */
function glideShaped(c: GlideClient | GlideClusterClient, pipeline: BenchClient['pipeline']): BenchClient {
  return {
    label: 'glide',
    get: (k) => c.get(k),
    set: (k, v) => c.set(k, v),
    mget: (keys) => c.mget(keys as string[]),
    mset: (pairs) => c.mset(pairs as Record<string, string>),
    pipeline,
    betweenRounds: nothing,
  };
}

function fill<B extends Batch | ClusterBatch>(batch: B, commands: readonly PipelineCommand[]): B {
  for (const cmd of commands) {
    if (cmd[0] === 'get') batch.get(cmd[1]);
    else batch.set(cmd[1], cmd[2]);
  }
  return batch;
}
