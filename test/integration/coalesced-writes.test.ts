// Write coalescing (`coalesceWrites`, on by default): the commands a connection is given in one
// tick leave in one socket write, each still with its own reply (a call with nothing else in
// flight goes at once); turned off, each command is its own write. Counted where the socket hands data to the kernel (`_write` / `_writev`), not
// at `socket.write`, which a corked socket buffers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ResilientRedis } from '../../src/index.js';
import { type RedisNode, createLab } from '../support/lab.js';
import { standaloneClients } from '../support/standalone-clients.js';

interface KernelWrites {
  count: number;
  restore(): void;
}

/** The Writable methods through which a socket hands data to the kernel. */
const KERNEL_WRITES = ['_write', '_writev'] as const;

/** Counts the socket's writes to the kernel: one `_write` or one `_writev` each. */
function countKernelWrites(client: ResilientRedis): KernelWrites {
  const socket = client.router.endpoints()[0]!.client.stream as unknown as Record<string, (...args: unknown[]) => void>;
  const originals = KERNEL_WRITES.map((method) => socket[method]!);
  const counter: KernelWrites = {
    count: 0,
    restore: () => KERNEL_WRITES.forEach((method, i) => (socket[method] = originals[i]!)),
  };
  KERNEL_WRITES.forEach((method, i) => {
    socket[method] = function (this: unknown, ...args: unknown[]) {
      counter.count++;
      return originals[i]!.apply(this, args);
    };
  });
  return counter;
}

/** 20 SETs, a pipeline and 20 GETs issued in one tick; returns the kernel writes and the replies. */
async function oneTick(redis: ResilientRedis, prefix: string): Promise<{ writes: number; replies: unknown[] }> {
  const writes = countKernelWrites(redis);
  try {
    const calls: Array<Promise<unknown>> = [];
    for (let i = 0; i < 20; i++) calls.push(redis.set(`${prefix}:${i}`, `v${i}`));
    calls.push(redis.pipeline().incr(`${prefix}:n`).incr(`${prefix}:n`).exec());
    for (let i = 0; i < 20; i++) calls.push(redis.get(`${prefix}:${i}`));
    const replies = await Promise.all(calls);
    return { writes: writes.count, replies };
  } finally {
    writes.restore();
  }
}

describe('write coalescing', { timeout: 60_000 }, () => {
  const lab = createLab();
  let node: RedisNode;
  const clients = standaloneClients(lab, 'coalesce', () => node);

  const client = async (coalesceWrites?: boolean): Promise<ResilientRedis> => {
    const c = clients({}, coalesceWrites === undefined ? {} : { coalesceWrites });
    await c.connect();
    return c;
  };
  before(async () => {
    node = await lab.standalone();
  });
  after(() => lab.teardown());

  test('by default, 41 calls of one tick leave in two socket writes, each with its own reply', { timeout: 10_000 }, async () => {
    const { writes, replies } = await oneTick(await client(), 'cw:on');
    // The first call of a burst finds nothing else in flight and is written at once; the 40
    // after it share the write at the end of the tick.
    assert.equal(writes, 2, 'the first call, then one write for the other 40');
    assert.deepEqual(
      replies.slice(0, 20),
      Array.from({ length: 20 }, () => 'OK'),
    );
    assert.deepEqual(replies[20], [
      [null, 1],
      [null, 2],
    ]);
    assert.deepEqual(
      replies.slice(21),
      Array.from({ length: 20 }, (_, i) => `v${i}`),
    );
  });

  test('coalesceWrites: false writes each command, and the pipeline, as it is issued', { timeout: 10_000 }, async () => {
    const { writes, replies } = await oneTick(await client(false), 'cw:off');
    // 41 on an idle loopback socket; fewer only if the kernel took a write asynchronously and
    // Node queued the next ones behind it.
    assert.ok(writes >= 21, `one write per call (41), got ${writes}`);
    assert.deepEqual(
      replies.slice(21),
      Array.from({ length: 20 }, (_, i) => `v${i}`),
    );
  });
});
