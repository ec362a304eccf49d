// A split cross-slot command (cluster `crossSlot.split`) writes the parts for one node in one
// socket write: every part is sent in the same tick, with the socket held until it ends.
/* oxlint-disable no-underscore-dangle -- net.Socket's _write and _writev are where a write goes to the kernel: the test counts them */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Socket } from 'node:net';
import { createResilientRedis, silentLogger, type ResilientRedis } from '../../src/index.js';
import { type ClusterLab, type RedisNode, createLab } from '../support/lab.js';

/** Counts the writes that reach each socket's kernel side (one `_write` or `_writev` each). */
function countWrites(sockets: readonly Socket[]): { counts: number[]; restore(): void } {
  const counts = sockets.map(() => 0);
  const saved = sockets.map((s) => ({ write: s._write, writev: s._writev }));
  sockets.forEach((s, i) => {
    const { write, writev } = saved[i]!;
    s._write = function (this: Socket, ...args: Parameters<Socket['_write']>) {
      counts[i]!++;
      return write.apply(this, args);
    };
    if (writev) {
      s._writev = function (this: Socket, ...args: Parameters<NonNullable<Socket['_writev']>>) {
        counts[i]!++;
        return writev.apply(this, args);
      };
    }
  });
  return {
    counts,
    restore: () =>
      sockets.forEach((s, i) => {
        s._write = saved[i]!.write;
        s._writev = saved[i]!.writev;
      }),
  };
}

describe('cross-slot parts share a write per node', { timeout: 60_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());
  let cluster: ClusterLab;
  let primaries: RedisNode[];
  let redis: ResilientRedis;

  before(async () => {
    cluster = await lab.cluster({ primaries: 3, replicasPerPrimary: 0 });
    primaries = await cluster.primaries();
    redis = createResilientRedis({
      name: 'xs-write',
      mode: 'cluster',
      nodes: cluster.seeds(),
      logger: silentLogger,
      metrics: { enabled: false },
      crossSlot: { split: true },
    });
    lab.defer(() => redis.close());
    await redis.connect();
  });

  test('an MGET over three slots of each shard: one socket write per node, replies in the caller order', { timeout: 10_000 }, async () => {
    const perShard = await Promise.all(primaries.map((p) => cluster.keysForShard(p, 3, 'xw')));
    const keys = [0, 1, 2].flatMap((j) => perShard.map((k) => k[j]!));
    await Promise.all(keys.map((k, i) => redis.set(k, `v${i}`)));
    const sockets = redis.router.endpoints().map((e) => e.client.stream as Socket);
    const spy = countWrites(sockets);
    let values: unknown;
    try {
      values = await redis.mget(...keys);
    } finally {
      spy.restore();
    }
    assert.deepEqual(
      values,
      keys.map((_, i) => `v${i}`),
    );
    assert.deepEqual(
      spy.counts.filter((n) => n > 0),
      [1, 1, 1],
      'three nodes, one write each',
    );
  });
});
