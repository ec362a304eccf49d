// ClusterRouter.route without a server: fake endpoints answer CLUSTER SLOTS with a canned map, and
// each test sets breaker and connection states to see where a command goes (readFrom, breaker
// open, half-open, a slot nobody owns, a keyless command).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command } from 'ioredis';
import { ClusterRouter } from '../../../src/core/client/cluster-router.js';
import { keySlot } from '../../../src/core/client/key-slot.js';
import type { ConnectionSpec } from '../../../src/core/connection/connection-factory.js';
import type { EndpointFactory } from '../../../src/core/endpoint/endpoint-factory.js';
import type { Endpoint } from '../../../src/core/endpoint/endpoint.js';
import { EndpointStats } from '../../../src/core/endpoint/endpoint-stats.js';
import { EventBus } from '../../../src/core/events/event-bus.js';
import type { ReadFrom } from '../../../src/core/options/resilient-redis-options.js';
import { resolveOptions } from '../../../src/core/options/validate-options.js';
import type { FailureClass } from '../../../src/core/policy/failure-scenario.js';
import { silentLogger } from '../../../src/index.js';

type BreakerState = 'closed' | 'open' | 'half-open';

/** Just enough of an Endpoint for the router, its node set and the topology keeper. */
interface FakeEndpoint {
  readonly id: string;
  role: 'primary' | 'replica';
  label: string;
  readonly spec: ConnectionSpec;
  readonly stats: EndpointStats;
  readonly breaker: { state: BreakerState; readonly isClosed: boolean };
  readonly client: { options: { host: string; port: number }; status: string; sendCommand(c: Command): Promise<unknown> };
}

type Node = [string, number, string];
const SHARDS: Array<[number, number, Node, Node]> = [
  [0, 5460, ['10.0.0.1', 7000, 'a'], ['10.0.0.4', 7000, 'd']],
  [5461, 10922, ['10.0.0.2', 7000, 'b'], ['10.0.0.5', 7000, 'e']],
  [10923, 16383, ['10.0.0.3', 7000, 'c'], ['10.0.0.6', 7000, 'f']],
];

function fakeFactory(created: Map<string, FakeEndpoint>, slots: () => unknown[]): EndpointFactory {
  const factory = {
    create(spec: ConnectionSpec, role: 'primary' | 'replica', label: string): Endpoint {
      const breaker = {
        state: 'closed' as BreakerState,
        get isClosed() {
          return this.state === 'closed';
        },
      };
      const client = {
        options: { host: spec.address.host, port: spec.address.port },
        status: 'ready',
        sendCommand(command: Command): Promise<unknown> {
          const [sub] = command.args.map(String);
          if (command.name === 'cluster' && sub === 'SLOTS') command.resolve(slots());
          else command.reject(new Error(`ERR the fake answers CLUSTER SLOTS only (${command.name})`));
          return command.promise;
        },
        on: () => client,
        once: (event: string, fn: () => void) => void (event === 'end' && setImmediate(fn)),
        off: () => client,
        connect: () => Promise.resolve(),
        quit: () => Promise.resolve('OK'),
        disconnect: () => void (client.status = 'end'),
      };
      const e = {
        id: `${spec.address.host}:${spec.address.port}`,
        role,
        label,
        spec,
        stats: new EndpointStats(),
        breaker,
        client,
        failingSince: 0,
        get ready() {
          return client.status === 'ready';
        },
        get usable() {
          return client.status === 'ready' && breaker.state !== 'open';
        },
        get acceptsTraffic() {
          return client.status === 'ready' && breaker.isClosed;
        },
        retire: () => {},
        close: () => {},
        markRecovered: () => {},
        markLost: () => true,
      };
      created.set(e.id, e);
      return e as unknown as Endpoint;
    },
  };
  return factory as unknown as EndpointFactory;
}

/** A key whose slot is in shard `shard` of SHARDS. */
function keyIn(shard: number): string {
  const [start, end] = SHARDS[shard]!;
  for (let i = 0; ; i++) {
    const slot = keySlot(`k${i}`);
    if (slot >= start && slot <= end) return `k${i}`;
  }
}

const get = (shard: number): Command => new Command('get', [keyIn(shard)]);
const set = (shard: number): Command => new Command('set', [keyIn(shard), 'v']);
const failure = (scenario: FailureClass['scenario'], countsAgainstBreaker: boolean): FailureClass =>
  ({ scenario, countsAgainstBreaker, retryable: true, execution: 'not-executed' }) as unknown as FailureClass;

async function setUp(readFrom?: ReadFrom, slots: () => unknown[] = () => SHARDS) {
  const nodes = new Map<string, FakeEndpoint>();
  const options = resolveOptions({ mode: 'cluster', nodes: [{ host: '10.0.0.1', port: 7000 }], ...(readFrom ? { readFrom } : {}) });
  const bus = new EventBus('route-test', silentLogger);
  const router = new ClusterRouter(options as never, fakeFactory(nodes, slots), bus);
  assert.equal(await router.refreshNow(), true, 'the fake answered CLUSTER SLOTS');
  const at = (id: string): FakeEndpoint => nodes.get(`${id}:7000`)!;
  return { router, bus, at, close: () => router.close() };
}

const idOf = (e: Endpoint): string => e.id.replace(':7000', '');

describe('ClusterRouter.route', () => {
  it("readFrom 'primary' (the default): reads and writes go to the slot's primary, whatever its breaker", async () => {
    const { router, at, close } = await setUp();
    try {
      assert.deepEqual(
        [0, 1, 2].map((s) => idOf(router.route(get(s), true, undefined))),
        ['10.0.0.1', '10.0.0.2', '10.0.0.3'],
      );
      assert.equal(idOf(router.route(set(1), false, undefined)), '10.0.0.2');
      // An open breaker is the attempt loop's to handle (fail fast, or hold): no replica for reads.
      at('10.0.0.2').breaker.state = 'open';
      assert.equal(idOf(router.route(get(1), true, undefined)), '10.0.0.2');
      assert.equal(router.fallback(at('10.0.0.2') as unknown as Endpoint, get(1), true), undefined);
    } finally {
      await close();
    }
  });

  it("readFrom 'replica-preferred': a first read goes to a usable replica, its retry and every write to the primary", async () => {
    const { router, at, close } = await setUp('replica-preferred');
    try {
      assert.equal(idOf(router.route(get(0), true, undefined)), '10.0.0.4');
      assert.equal(idOf(router.route(get(0), true, failure('timeout', true))), '10.0.0.1', 'the replica may be what just failed it');
      assert.equal(idOf(router.route(set(0), false, undefined)), '10.0.0.1');
      at('10.0.0.4').breaker.state = 'open';
      assert.equal(idOf(router.route(get(0), true, undefined)), '10.0.0.1', 'no replica behind an open breaker');
      at('10.0.0.4').breaker.state = 'half-open';
      assert.equal(idOf(router.route(get(0), true, undefined)), '10.0.0.4', 'a half-open replica may take its probe');
    } finally {
      await close();
    }
  });

  it("readFrom 'primary-preferred': reads leave the primary only while it is down or just failed them; writes never do", async () => {
    const { router, bus, at, close } = await setUp('primary-preferred');
    try {
      assert.equal(idOf(router.route(get(2), true, undefined)), '10.0.0.3');
      at('10.0.0.3').breaker.state = 'half-open';
      assert.equal(idOf(router.route(get(2), true, undefined)), '10.0.0.3', 'half-open: the primary takes the probe');
      at('10.0.0.3').breaker.state = 'open';
      assert.equal(idOf(router.route(get(2), true, undefined)), '10.0.0.6', 'breaker open: the replica serves the read');
      assert.equal(idOf(router.route(set(2), false, undefined)), '10.0.0.3', 'a write stays with the primary');
      at('10.0.0.3').breaker.state = 'closed';
      at('10.0.0.3').client.status = 'reconnecting';
      assert.equal(idOf(router.route(get(2), true, undefined)), '10.0.0.6', 'connection down: the replica');
      at('10.0.0.3').client.status = 'ready';
      assert.equal(idOf(router.route(get(2), true, failure('timeout', true))), '10.0.0.6', 'it just timed out on the primary');
      assert.equal(idOf(router.route(get(2), true, failure('clusterdown', false))), '10.0.0.3', 'CLUSTERDOWN: the replica refuses too');
      at('10.0.0.3').breaker.state = 'open';
      at('10.0.0.6').breaker.state = 'open';
      assert.equal(idOf(router.route(get(2), true, undefined)), '10.0.0.3', 'no usable replica: the primary (the loop fails fast)');
      assert.deepEqual(
        bus
          .recent()
          .filter((e) => e.type.startsWith('replica_reads'))
          .map((e) => e.type),
        ['replica_reads.started'],
        'one event for the episode, not one per read',
      );
    } finally {
      await close();
    }
  });

  it('a slot no shard owns, or a keyless command, goes to a primary whose breaker is not open, in turn', async () => {
    // Shard 1's range left out of the map: nobody owns its slots.
    const { router, at, close } = await setUp(undefined, () => [SHARDS[0], SHARDS[2]]);
    try {
      const uncovered = new Set([0, 1, 2, 3].map(() => idOf(router.route(get(1), true, undefined))));
      assert.deepEqual([...uncovered].toSorted(), ['10.0.0.1', '10.0.0.3']);
      at('10.0.0.1').breaker.state = 'open';
      const keyless = new Set([0, 1, 2, 3].map(() => idOf(router.route(new Command('dbsize', []), true, undefined))));
      assert.deepEqual([...keyless], ['10.0.0.3'], 'an open breaker is skipped');
      at('10.0.0.3').breaker.state = 'open';
      assert.ok(
        ['10.0.0.1', '10.0.0.3'].includes(idOf(router.route(new Command('dbsize', []), true, undefined))),
        'all open: any primary still',
      );
    } finally {
      await close();
    }
  });
});
