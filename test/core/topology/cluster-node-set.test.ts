// The cluster's endpoints following the topology snapshot, and which nodes a refresh asks first.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClusterNodeSet } from '../../../src/core/topology/cluster-node-set.js';
import type { EndpointFactory } from '../../../src/core/endpoint/endpoint-factory.js';
import type { Endpoint } from '../../../src/core/endpoint/endpoint.js';
import type { ConnectionSpec } from '../../../src/core/connection/connection-factory.js';
import { resolveOptions } from '../../../src/core/options/validate-options.js';
import { parseClusterSlots } from '../../../src/core/topology/cluster-topology.js';

/** Just enough of an Endpoint for the node set: state the test sets, calls it records. */
interface FakeEndpoint {
  id: string;
  role: 'primary' | 'replica';
  label: string;
  ready: boolean;
  failingSince: number;
  breaker: { state: 'closed' | 'open' | 'half-open' };
  spec: ConnectionSpec;
  retired: boolean;
  closed: boolean;
  /** markRecovered() calls: the end of the endpoint's failure episode. */
  recovered: number;
  fireReady(): void;
  client: {
    options: { host: string; port: number };
    status: string;
    on(event: string, fn: () => void): void;
    once(event: string, fn: () => void): void;
    connect(): Promise<void>;
    disconnect(): void;
  };
  retire(): void;
  close(): void;
  markRecovered(): void;
  markLost(): boolean;
}

function fakeFactory(created: FakeEndpoint[]): EndpointFactory {
  return {
    create(spec: ConnectionSpec, role: 'primary' | 'replica', label: string): Endpoint {
      const handlers: Array<() => void> = [];
      const e: FakeEndpoint = {
        id: `${spec.address.host}:${spec.address.port}`,
        role,
        label,
        ready: true,
        failingSince: 0,
        breaker: { state: 'closed' },
        spec,
        retired: false,
        closed: false,
        recovered: 0,
        fireReady: () => handlers.forEach((h) => h()),
        client: {
          options: { host: spec.address.host, port: spec.address.port },
          status: 'ready',
          on: (event, fn) => void (event === 'ready' && handlers.push(fn)),
          // Closing waits for 'end': the fake ends at once.
          once: (event, fn) => void (event === 'end' && setImmediate(fn)),
          connect: () => Promise.resolve(),
          disconnect: () => {},
        },
        retire() {
          this.retired = true;
        },
        close() {
          this.closed = true;
        },
        markRecovered() {
          this.recovered++;
        },
        markLost: () => true,
      };
      e.client.status = 'wait';
      created.push(e);
      return e as unknown as Endpoint;
    },
  } as unknown as EndpointFactory;
}

const options = resolveOptions({
  mode: 'cluster',
  nodes: [{ host: 'clustercfg.example.test', port: 7000 }],
  readFrom: 'replica-preferred',
  policy: { attemptTimeoutMs: 1, totalTimeoutMs: 100 },
});
type Node = [string, number, string, ...unknown[]];
const range = (start: number, end: number, ...nodes: Node[]): unknown[] => [start, end, ...nodes];
const layout = (): unknown[] => [
  range(0, 5460, ['10.0.0.1', 7000, 'a'], ['10.0.0.4', 7000, 'd']),
  range(5461, 10922, ['10.0.0.2', 7000, 'b', ['hostname', 'node-2.example.test']], ['10.0.0.5', 7000, 'e']),
  range(10923, 16383, ['10.0.0.3', 7000, 'c'], ['10.0.0.6', 7000, 'f']),
];

function setUp(): { set: ClusterNodeSet; created: FakeEndpoint[]; clock: { t: number }; byId: (id: string) => FakeEndpoint } {
  const created: FakeEndpoint[] = [];
  const clock = { t: 0 };
  const set = new ClusterNodeSet(fakeFactory(created), options as never, 'clustercfg.example.test', () => clock.t);
  set.sync(parseClusterSlots(layout(), { host: '10.0.0.1', port: 7000 }));
  for (const e of created) e.fireReady();
  clock.t = 60_000;
  return { set, created, clock, byId: (id) => created.find((e) => e.id === id)! };
}

const ids = (list: readonly Endpoint[]): string[] => list.map((e) => e.id);
/** No node timed out lately. */
const nobody = (): boolean => false;

describe('ClusterNodeSet', () => {
  it('creates one endpoint per node, READONLY when replicas serve reads, TLS-named after the node or the configuration endpoint', () => {
    const { set, created, byId } = setUp();
    assert.equal(created.length, 6);
    assert.deepEqual(ids(set.primaries()), ['10.0.0.1:7000', '10.0.0.2:7000', '10.0.0.3:7000']);
    assert.deepEqual(ids(set.replicasOf(1)), ['10.0.0.5:7000']);
    assert.equal(byId('10.0.0.5:7000').role, 'replica');
    assert.ok(created.every((e) => e.spec.readOnly === true));
    assert.equal(byId('10.0.0.2:7000').spec.servername, 'node-2.example.test');
    assert.equal(byId('10.0.0.1:7000').spec.servername, 'clustercfg.example.test');
    assert.equal(set.find('node-2.example.test', 7000)?.id, '10.0.0.2:7000');
    assert.equal(set.shardOf(set.find('10.0.0.6', 7000)!), 2);
  });

  it('keeps endpoints across a promotion and retires (then closes) the ones that left', async () => {
    const { set, created, byId } = setUp();
    const after = layout();
    after[0] = range(0, 5460, ['10.0.0.4', 7000, 'd']);
    set.sync(parseClusterSlots(after, { host: '10.0.0.2', port: 7000 }));
    assert.deepEqual(
      created.filter((e) => e.recovered > 0).map((e) => e.id),
      ['10.0.0.1:7000'],
      'the replaced primary, and only it, ends its failure episode',
    );
    assert.equal(created.length, 6, 'no new connection for the promoted replica');
    assert.equal(set.primaryOf(0)?.id, '10.0.0.4:7000');
    assert.equal(byId('10.0.0.4:7000').role, 'primary');
    assert.ok(byId('10.0.0.1:7000').retired);
    assert.ok(!set.all().some((e) => e.id === '10.0.0.1:7000'));
    // Closed (and its breaker disposed) once in-flight attempts had their attempt timeout.
    await sleep(300);
    assert.ok(byId('10.0.0.1:7000').closed);
    assert.ok(!byId('10.0.0.2:7000').retired);
  });

  describe('refreshCandidates', () => {
    const none = new Set<number>();

    it('asks every connected node, healthy ones first', () => {
      const { set, byId } = setUp();
      byId('10.0.0.3:7000').breaker.state = 'open';
      byId('10.0.0.6:7000').ready = false;
      const order = ids(set.refreshCandidates(none, nobody));
      assert.equal(order.length, 5, 'a node without a connection is not asked');
      assert.equal(order.at(-1), '10.0.0.3:7000', 'a node behind an open breaker is asked last');
    });

    it("asks a degraded shard's replica first: it knows of its own promotion before anyone", () => {
      const { set, byId } = setUp();
      byId('10.0.0.2:7000').breaker.state = 'open';
      const order = ids(set.refreshCandidates(new Set([1]), nobody));
      assert.equal(order[0], '10.0.0.5:7000');
      assert.equal(order.at(-1), '10.0.0.2:7000');
    });

    it('asks nodes that timed out lately, and nodes that just reconnected, after the healthy ones', () => {
      const { set, byId, clock } = setUp();
      const hung = byId('10.0.0.1:7000');
      const restarted = byId('10.0.0.6:7000');
      clock.t = 100_000;
      restarted.fireReady();
      clock.t = 100_500;
      const order = ids(set.refreshCandidates(none, (e) => e.id === hung.id));
      assert.equal(order.at(-1), hung.id);
      assert.equal(order.at(-2), restarted.id);
      // Fresh is a matter of seconds: later it is an ordinary healthy node again.
      clock.t = 110_000;
      const later = set.refreshCandidates(none, nobody);
      assert.equal(later.length, 6);
      for (let i = 0; i < 20; i++) {
        if (ids(set.refreshCandidates(none, nobody)).at(-1) !== restarted.id) return;
      }
      assert.fail('a reconnected node stayed at the back of the queue');
    });
  });
});
