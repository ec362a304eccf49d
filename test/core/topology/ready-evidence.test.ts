// Waiters released on evidence: a success on the node (at the reply, no poll between), its
// connection back, its breaker closed by a half-open probe; never left behind.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { Endpoint } from '../../../src/core/endpoint/endpoint.js';
import { EndpointStats } from '../../../src/core/endpoint/endpoint-stats.js';
import { ReadyEvidence } from '../../../src/core/topology/ready-evidence.js';

interface FakeEndpoint {
  readonly stats: EndpointStats;
  ready: boolean;
  readonly breaker: { isClosed: boolean };
  readonly client: { stream: { corked: number; writes: number; cork(): void; uncork(): void } };
  holdWritesForTick(): void;
}
const endpoint = (ready = true, closed = true): FakeEndpoint => ({
  stats: new EndpointStats(),
  ready,
  breaker: { isClosed: closed },
  client: {
    stream: {
      corked: 0,
      writes: 0,
      cork() {
        this.corked++;
      },
      uncork() {
        if (this.corked > 0 && --this.corked === 0) this.writes++;
      },
    },
  },
  // As the endpoint does: corked until the end of the tick.
  holdWritesForTick() {
    this.client.stream.cork();
    process.nextTick(() => this.client.stream.uncork());
  },
});
const asEndpoint = (e: FakeEndpoint): Endpoint => e as unknown as Endpoint;
const settledWithin = async (p: Promise<void>, ms: number): Promise<boolean> =>
  Promise.race([p.then(() => true), sleep(ms).then(() => false)]);

describe('ReadyEvidence', () => {
  it('releases every waiter of a node at its first success, in the same turn of the event loop, and not before', async () => {
    // A poll far longer than the test: only the success itself can release them in time.
    const evidence = new ReadyEvidence(2000, 60_000);
    const node = endpoint();
    const other = endpoint();
    const waiters = Array.from({ length: 50 }, () => evidence.next([asEndpoint(node)]));
    const elsewhere = evidence.next([asEndpoint(other)]);
    assert.equal(await settledWithin(Promise.race(waiters), 30), false, 'no evidence yet');
    let released = 0;
    for (const w of waiters) void w.then(() => released++);
    node.stats.recordSuccess(1);
    // Before any timer or I/O callback could run: microtasks only.
    await Promise.resolve();
    await Promise.resolve();
    assert.equal(released, 50, 'released by the reply itself');
    assert.equal(node.client.stream.corked, 1, 'their retries are held for one write while the tick runs');
    await new Promise<void>((resolve) => process.nextTick(resolve));
    assert.deepEqual([node.client.stream.corked, node.client.stream.writes], [0, 1], 'and leave in one write');
    assert.equal(node.stats.onSuccess, undefined, 'the node is no longer listened to');
    assert.equal(await settledWithin(elsewhere, 10), false, 'a success elsewhere is no evidence');
    assert.equal(evidence.waiting, 1);
    evidence.stop();
  });

  it('releases on a reconnect of a node that was down', async () => {
    const evidence = new ReadyEvidence(2000);
    const node = endpoint(false);
    const waiter = evidence.next([asEndpoint(node)]);
    assert.equal(await settledWithin(waiter, 20), false);
    node.ready = true;
    assert.equal(await settledWithin(waiter, 50), true);
  });

  it('releases when a half-open probe closes the breaker, with no user call getting through', async () => {
    const evidence = new ReadyEvidence(2000);
    const node = endpoint(true, false);
    const waiter = evidence.next([asEndpoint(node)]);
    assert.equal(await settledWithin(waiter, 20), false, 'still half-open');
    // The endpoint's own probe (a PING outside the command path) succeeded: no stats.ok bump.
    node.breaker.isClosed = true;
    assert.equal(await settledWithin(waiter, 50), true);
    assert.equal(node.stats.ok, 0);
  });

  it('drops a waiter after its own limit, and releases all on stop', async () => {
    const evidence = new ReadyEvidence(60_000);
    const short = evidence.next([asEndpoint(endpoint())], 30);
    const long = evidence.next([asEndpoint(endpoint())]);
    assert.equal(await settledWithin(short, 200), true, 'the short waiter expired');
    assert.equal(await settledWithin(long, 10), false, 'the default limit is the constructor one');
    evidence.stop();
    assert.equal(await settledWithin(long, 20), true);
    assert.equal(evidence.waiting, 0);
    await nextTurn();
  });
});
