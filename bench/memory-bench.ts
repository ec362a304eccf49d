/**
 * Heap cost of a client, ours against plain ioredis, measured after a full GC:
 *  - per idle, connected client (20 of each, standalone and cluster, after a warm-up pass);
 *  - per 1,000 calls in flight (issued in one synchronous burst, measured before any reply can
 *    arrive, so every call's state is still held);
 *  - of one cluster client across 100 topology refreshes, sampled every 10: it must be flat.
 */
import { Cluster, Redis } from 'ioredis';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type ResilientRedis, createResilientRedis, silentLogger } from '../src/index.js';
import type { TargetAddress } from './peer-clients.js';
import { KEYS } from './peer-cases.js';

/** Heap figures, bytes. */
export interface MemoryResult {
  idlePerClient: { standalone: { ioredis: number; ours: number }; cluster: { ioredis: number; ours: number } };
  perThousandInFlight: { standalone: { ioredis: number; ours: number }; cluster: { ioredis: number; ours: number } };
  refreshes: {
    count: number;
    /** Heap after every 10th refresh (after GC), bytes. */
    samples: number[];
    /** Least-squares slope of the samples, per refresh: one late collection cannot fake a trend. */
    bytesPerRefresh: number;
    /** Under 1 KiB per refresh over 90 refreshes: flat within GC noise. */
    flat: boolean;
  };
}

/** A full, synchronous GC (the flag is set at runtime: `npm run bench` needs no node flags). */
export function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

type AnyClient = Redis | Cluster | ResilientRedis;

const settle = async (gc: () => void): Promise<number> => {
  // Two passes with a pause: closed sockets release their handles, finalizers and weak
  // references are processed, and only what is really held remains.
  gc();
  await new Promise((r) => setTimeout(r, 20));
  gc();
  return process.memoryUsage().heapUsed;
};

function makeClient(kind: 'ioredis' | 'ours', target: TargetAddress, name: string): AnyClient {
  if (kind === 'ioredis') {
    const c = target.kind === 'standalone' ? new Redis(target.node) : new Cluster(target.seeds);
    c.on('error', () => {});
    return c;
  }
  return target.kind === 'standalone'
    ? createResilientRedis({ name, mode: 'standalone', node: target.node, logger: silentLogger, metrics: { enabled: false } })
    : createResilientRedis({ name, mode: 'cluster', nodes: target.seeds, logger: silentLogger, metrics: { enabled: false } });
}

const closeAll = async (clients: readonly AnyClient[]): Promise<void> => {
  await Promise.all(clients.map((c) => ('close' in c ? c.close() : Promise.resolve(c.disconnect()))));
};

async function idlePerClient(gc: () => void, kind: 'ioredis' | 'ours', target: TargetAddress): Promise<number> {
  // A first, discarded pass loads and compiles every code path the clients use.
  await idleOnce(gc, kind, target, 2);
  return idleOnce(gc, kind, target, 20);
}

async function idleOnce(gc: () => void, kind: 'ioredis' | 'ours', target: TargetAddress, n: number): Promise<number> {
  const before = await settle(gc);
  const clients = Array.from({ length: n }, (_, i) => makeClient(kind, target, `mem-idle-${i}`));
  try {
    // One call each: connected, slot map loaded, every lazy structure built.
    await Promise.all(clients.map((c) => c.get(KEYS[0]!)));
    return Math.round(((await settle(gc)) - before) / n);
  } finally {
    await closeAll(clients);
  }
}

async function perThousandInFlight(gc: () => void, kind: 'ioredis' | 'ours', target: TargetAddress): Promise<number> {
  const client = makeClient(kind, target, 'mem-inflight');
  try {
    const burst = (into: Array<Promise<unknown>>): Array<Promise<unknown>> => {
      for (let i = 0; i < into.length; i++) into[i] = client.get(KEYS[i % KEYS.length]!);
      return into;
    };
    await Promise.all(burst(Array.from({ length: 1000 })));
    // The array the caller holds the calls in exists before the first measurement: only the
    // calls' own state is counted.
    const calls: Array<Promise<unknown>> = Array.from({ length: 1000 }, () => undefined as unknown as Promise<unknown>);
    gc();
    const before = process.memoryUsage().heapUsed;
    burst(calls);
    gc();
    const after = process.memoryUsage().heapUsed;
    await Promise.all(calls);
    return Math.max(0, after - before);
  } finally {
    await closeAll([client]);
  }
}

async function refreshes(gc: () => void, target: TargetAddress & { kind: 'cluster' }): Promise<MemoryResult['refreshes']> {
  const client = createResilientRedis({
    name: 'mem-refresh',
    mode: 'cluster',
    nodes: target.seeds,
    logger: silentLogger,
    metrics: { enabled: false },
    // The smallest gap the options allow (the refresh-storm bound): the 100 refreshes run
    // nearly back to back; no periodic refresh in between.
    topology: { minRefreshGapMs: 50, refreshIntervalMs: 600_000 },
  });
  let refreshed = 0;
  const sub = client.events$.subscribe((e) => {
    if (e.type === 'topology.refreshed') refreshed++;
  });
  try {
    await client.connect();
    const router = client.router as unknown as { refreshNow(): Promise<boolean> };
    // Warm-up: the first refreshes build the lazily created parts.
    for (let i = 0; i < 10; i++) await router.refreshNow();
    const samples: number[] = [];
    refreshed = 0;
    for (let i = 1; i <= 100; i++) {
      await router.refreshNow();
      if (i % 10 === 0) samples.push(await settle(gc));
    }
    const bytesPerRefresh = Math.round(slope(samples) / 10);
    return { count: refreshed, samples, bytesPerRefresh, flat: bytesPerRefresh < 1024 };
  } finally {
    sub.unsubscribe();
    await client.close();
  }
}

/** Least-squares slope of `ys` per step. */
export function slope(ys: readonly number[]): number {
  const n = ys.length;
  if (n < 2) return 0;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

/** One figure for ioredis, then for ours, on target `t`. */
async function both(
  f: (kind: 'ioredis' | 'ours', t: TargetAddress) => Promise<number>,
  t: TargetAddress,
): Promise<{ ioredis: number; ours: number }> {
  return { ioredis: await f('ioredis', t), ours: await f('ours', t) };
}

/** Every memory figure; the servers must be running and seeded. */
export async function measureMemory(standalone: TargetAddress, cluster: TargetAddress & { kind: 'cluster' }): Promise<MemoryResult> {
  const gc = gcFunction();
  // Refreshes first: the other measurements close clients whose memory is released late.
  const refreshed = await refreshes(gc, cluster);
  return {
    idlePerClient: {
      standalone: await both((k, t) => idlePerClient(gc, k, t), standalone),
      cluster: await both((k, t) => idlePerClient(gc, k, t), cluster),
    },
    perThousandInFlight: {
      standalone: await both((k, t) => perThousandInFlight(gc, k, t), standalone),
      cluster: await both((k, t) => perThousandInFlight(gc, k, t), cluster),
    },
    refreshes: refreshed,
  };
}
