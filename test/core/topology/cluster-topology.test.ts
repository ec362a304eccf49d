import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SLOT_COUNT, diffTopology, parseClusterSlots, withPromotedReplica } from '../../../src/core/topology/cluster-topology.js';
import { unresolvedHosts, withResolvedHosts } from '../../../src/core/topology/resolve-node-hosts.js';

const SOURCE = { host: '10.0.0.9', port: 7000 };

/** A CLUSTER SLOTS range entry: [start, end, primary, ...replicas], each node [host, port, id, meta?]. */
type Node = [string, number, string, ...unknown[]];
const range = (start: number, end: number, primary: Node, ...replicas: Node[]): unknown[] => [start, end, primary, ...replicas];

/** The usual 3x2 reply, by IP. */
function threeShards(): unknown[] {
  return [
    range(0, 5460, ['10.0.0.1', 7000, 'a'], ['10.0.0.4', 7000, 'd']),
    range(5461, 10922, ['10.0.0.2', 7000, 'b'], ['10.0.0.5', 7000, 'e']),
    range(10923, 16383, ['10.0.0.3', 7000, 'c'], ['10.0.0.6', 7000, 'f']),
  ];
}

describe('parseClusterSlots', () => {
  it('builds one shard per primary with its replicas and a slot owner per slot', () => {
    const t = parseClusterSlots(threeShards(), SOURCE);
    assert.equal(t.shards.length, 3);
    assert.deepEqual(
      t.shards.map((s) => s.label),
      ['0-5460', '5461-10922', '10923-16383'],
    );
    assert.deepEqual(
      t.shards.map((s) => s.primary.key),
      ['10.0.0.1:7000', '10.0.0.2:7000', '10.0.0.3:7000'],
    );
    assert.deepEqual(
      t.shards[1]!.replicas.map((r) => r.key),
      ['10.0.0.5:7000'],
    );
    assert.equal(t.shards[2]!.primary.id, 'c');
    assert.equal(t.slotOwner[0], 0);
    assert.equal(t.slotOwner[5460], 0);
    assert.equal(t.slotOwner[5461], 1);
    assert.equal(t.slotOwner[16383], 2);
    assert.equal(t.uncovered, 0);
    assert.equal(t.source, '10.0.0.9:7000');
  });

  it('groups several ranges of one primary into one shard labelled by its first range', () => {
    const p: Node = ['10.0.0.1', 7000, 'a'];
    const t = parseClusterSlots([range(100, 199, p), range(0, 49, ['10.0.0.2', 7000, 'b']), range(60, 60, p)], SOURCE);
    assert.equal(t.shards.length, 2);
    assert.deepEqual(t.shards[0]!.ranges, [
      [60, 60],
      [100, 199],
    ]);
    assert.equal(t.shards[0]!.label, '60-60');
    assert.equal(t.slotOwner[150], 0);
    assert.equal(t.slotOwner[60], 0);
    assert.equal(t.slotOwner[11], 1);
    assert.equal(t.slotOwner[55], -1);
    assert.equal(t.uncovered, SLOT_COUNT - 100 - 1 - 50);
  });

  it('counts uncovered slots (a shard lost with no replica)', () => {
    const t = parseClusterSlots(threeShards().slice(1), SOURCE);
    assert.equal(t.uncovered, 5461);
    assert.equal(t.slotOwner[0], -1);
  });

  it('an empty or "?" host means the node that answered', () => {
    const t = parseClusterSlots([range(0, 16383, ['', 7001, 'a'], ['?', 7002, 'b'])], SOURCE);
    assert.equal(t.shards[0]!.primary.key, '10.0.0.9:7001');
    assert.equal(t.shards[0]!.replicas[0]!.key, '10.0.0.9:7002');
  });

  it('connects by the announced IP when the cluster prefers hostnames, and keeps the name for TLS', () => {
    const t = parseClusterSlots(
      [range(0, 16383, ['node-0.cluster.test', 7000, 'a', ['ip', '10.0.0.1']], ['node-1.cluster.test', 7000, 'b', ['ip', '10.0.0.2']])],
      SOURCE,
    );
    const s = t.shards[0]!;
    assert.equal(s.primary.host, '10.0.0.1');
    assert.equal(s.primary.hostname, 'node-0.cluster.test');
    assert.equal(s.replicas[0]!.key, '10.0.0.2:7000');
    assert.equal(s.replicas[0]!.hostname, 'node-1.cluster.test');
  });

  it('reads the hostname metadata when the cluster prefers IPs (flat list or map)', () => {
    const t = parseClusterSlots(
      [
        range(
          0,
          16383,
          ['10.0.0.1', 7000, 'a', ['hostname', 'node-0.cluster.test']],
          ['10.0.0.2', 7000, 'b', new Map([['hostname', 'node-1.cluster.test']])],
        ),
      ],
      SOURCE,
    );
    assert.equal(t.shards[0]!.primary.hostname, 'node-0.cluster.test');
    assert.equal(t.shards[0]!.replicas[0]!.hostname, 'node-1.cluster.test');
  });

  it('leaves a hostname without IP unresolved (resolve-node-hosts handles it)', () => {
    const t = parseClusterSlots([range(0, 16383, ['node-0.cluster.test', 7000, 'a'])], SOURCE);
    assert.equal(t.shards[0]!.primary.host, 'node-0.cluster.test');
    assert.deepEqual(unresolvedHosts(t), ['node-0.cluster.test']);
  });

  it('skips malformed entries and rejects a reply that is not an array', () => {
    const t = parseClusterSlots(
      [
        range(0, 100, ['10.0.0.1', 7000, 'a'], ['10.0.0.2', 'x', 'b'] as unknown as Node),
        [1, 2],
        'junk',
        range(200, 100, ['10.0.0.3', 7000, 'c']),
        range(5, 20000, ['10.0.0.4', 7000, 'd']),
      ],
      SOURCE,
    );
    assert.equal(t.shards.length, 1);
    assert.equal(t.shards[0]!.replicas.length, 0);
    assert.throws(() => parseClusterSlots('ERR', SOURCE), /not an array/);
  });

  it('returns an immutable snapshot', () => {
    const t = parseClusterSlots(threeShards(), SOURCE);
    assert.ok(Object.isFrozen(t));
    assert.ok(Object.isFrozen(t.shards));
    assert.ok(Object.isFrozen(t.shards[0]));
    assert.ok(Object.isFrozen(t.shards[0]!.primary));
    assert.throws(() => (t.shards as unknown as unknown[]).push(1));
  });
});

describe('diffTopology', () => {
  it('a first topology is a change that adds every node', () => {
    const d = diffTopology(undefined, parseClusterSlots(threeShards(), SOURCE));
    assert.equal(d.changed, true);
    assert.equal(d.added.length, 6);
    assert.deepEqual(d.removed, []);
  });

  it('the same layout is no change', () => {
    const d = diffTopology(parseClusterSlots(threeShards(), SOURCE), parseClusterSlots(threeShards(), SOURCE));
    assert.deepEqual(d, { changed: false, added: [], removed: [], promoted: [] });
  });

  it('a promoted replica is reported as old -> new', () => {
    const after = threeShards();
    after[0] = range(0, 5460, ['10.0.0.4', 7000, 'd'], ['10.0.0.1', 7000, 'a']);
    const d = diffTopology(parseClusterSlots(threeShards(), SOURCE), parseClusterSlots(after, SOURCE));
    assert.equal(d.changed, true);
    assert.deepEqual(d.promoted, ['10.0.0.1:7000 -> 10.0.0.4:7000']);
    assert.deepEqual(d.added, []);
    assert.deepEqual(d.removed, []);
  });

  it('a failed primary dropped from the reply is removed', () => {
    const after = threeShards();
    after[0] = range(0, 5460, ['10.0.0.4', 7000, 'd']);
    const d = diffTopology(parseClusterSlots(threeShards(), SOURCE), parseClusterSlots(after, SOURCE));
    assert.deepEqual(d.removed, ['10.0.0.1:7000']);
    assert.deepEqual(d.promoted, ['10.0.0.1:7000 -> 10.0.0.4:7000']);
  });

  it('a slot moving between existing primaries is a change with no node added or removed', () => {
    const before = parseClusterSlots(threeShards(), SOURCE);
    const moved = [
      range(0, 5459, ['10.0.0.1', 7000, 'a'], ['10.0.0.4', 7000, 'd']),
      range(5460, 10922, ['10.0.0.2', 7000, 'b'], ['10.0.0.5', 7000, 'e']),
      range(10923, 16383, ['10.0.0.3', 7000, 'c'], ['10.0.0.6', 7000, 'f']),
    ];
    const d = diffTopology(before, parseClusterSlots(moved, SOURCE));
    assert.equal(d.changed, true);
    assert.deepEqual([d.added, d.removed], [[], []]);
  });
});

describe('withPromotedReplica', () => {
  it('hands the shard to the replica and drops the old primary, leaving the input untouched', () => {
    const before = parseClusterSlots(threeShards(), SOURCE);
    const after = withPromotedReplica(before, 1, '10.0.0.5:7000');
    assert.ok(after);
    assert.equal(after.shards[1]!.primary.key, '10.0.0.5:7000');
    assert.deepEqual(after.shards[1]!.replicas, []);
    assert.equal(after.shards[1]!.label, '5461-10922');
    assert.equal(after.slotOwner[6000], 1);
    assert.equal(before.shards[1]!.primary.key, '10.0.0.2:7000');
    assert.deepEqual(diffTopology(before, after).promoted, ['10.0.0.2:7000 -> 10.0.0.5:7000']);
    assert.ok(Object.isFrozen(after.shards[1]));
  });

  it('is undefined when the node is not a replica of that shard', () => {
    const t = parseClusterSlots(threeShards(), SOURCE);
    assert.equal(withPromotedReplica(t, 0, '10.0.0.5:7000'), undefined);
    assert.equal(withPromotedReplica(t, 7, '10.0.0.5:7000'), undefined);
  });
});

/** A reply that names hosts and gives no IPs. */
const named = (): unknown[] => [
  range(0, 8191, ['node-0.cluster.test', 7000, 'a'], ['node-2.cluster.test', 7000, 'c']),
  range(8192, 16383, ['node-1.cluster.test', 7000, 'b']),
];

describe('withResolvedHosts', () => {
  it('connects named nodes by the IP found, keeping the name for TLS', () => {
    const t = withResolvedHosts(
      parseClusterSlots(named(), SOURCE),
      new Map([
        ['node-0.cluster.test', '10.0.0.1'],
        ['node-1.cluster.test', '10.0.0.2'],
        ['node-2.cluster.test', '10.0.0.3'],
      ]),
    );
    assert.equal(t.shards[0]!.primary.key, '10.0.0.1:7000');
    assert.equal(t.shards[0]!.primary.hostname, 'node-0.cluster.test');
    assert.equal(t.shards[0]!.replicas[0]!.key, '10.0.0.3:7000');
    assert.deepEqual(unresolvedHosts(t), []);
    assert.equal(t.uncovered, 0);
  });

  it('drops nodes whose name did not resolve; a dropped primary leaves its slots uncovered', () => {
    const t = withResolvedHosts(parseClusterSlots(named(), SOURCE), new Map([['node-1.cluster.test', '10.0.0.2']]));
    assert.equal(t.shards.length, 1);
    assert.equal(t.shards[0]!.primary.key, '10.0.0.2:7000');
    assert.equal(t.slotOwner[10_000], 0);
    assert.equal(t.slotOwner[0], -1);
    assert.equal(t.uncovered, 8192);
  });
});
