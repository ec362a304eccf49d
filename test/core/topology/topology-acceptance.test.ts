// Hostile or broken CLUSTER SLOTS answers: refused before they can wipe or flood the map.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SLOT_COUNT, parseClusterSlots } from '../../../src/core/topology/cluster-topology.js';
import { MAX_INITIAL_NODES, MAX_NEW_NODES_PER_ANSWER, refuseTopology } from '../../../src/core/topology/topology-acceptance.js';

const SOURCE = { host: '10.0.0.9', port: 7000 };
const node = (i: number): unknown[] => [`10.1.${Math.floor(i / 250)}.${i % 250}`, 7000, `id${i}`];

/** `shards` equal shards, each a primary and one replica, covering every slot. */
function even(shards: number, offset = 0): unknown[][] {
  const size = Math.ceil(SLOT_COUNT / shards);
  return Array.from({ length: shards }, (_, i) => [
    i * size,
    Math.min(SLOT_COUNT - 1, (i + 1) * size - 1),
    node(offset + 2 * i),
    node(offset + 2 * i + 1),
  ]);
}

/** Replicas enough for three shards to exceed the first-answer cap. */
const manyReplicas = (shard: number): unknown[] => Array.from({ length: MAX_INITIAL_NODES / 3 }, (_, i) => node(1000 + shard * 1000 + i));

describe('refuseTopology', () => {
  const current = parseClusterSlots(even(3), SOURCE);

  it('refuses an answer that covers no slot, first read or not', () => {
    const empty = parseClusterSlots([], SOURCE);
    assert.match(refuseTopology(current, empty) ?? '', /covers no slot/);
    assert.match(refuseTopology(undefined, empty) ?? '', /covers no slot/);
  });

  it('refuses an answer that covers less than half of what the current map covers, accepts a lost third', () => {
    const oneShard = parseClusterSlots(even(3).slice(0, 1), SOURCE);
    assert.match(refuseTopology(current, oneShard) ?? '', /covers 5462 slots where the current map covers 16384/);
    const twoShards = parseClusterSlots(even(3).slice(0, 2), SOURCE);
    assert.equal(refuseTopology(current, twoShards), undefined);
    assert.equal(refuseTopology(current, parseClusterSlots(even(3), SOURCE)), undefined);
  });

  it('caps the nodes one answer may add, and the size of a first answer', () => {
    const grown = parseClusterSlots(even(3 + MAX_NEW_NODES_PER_ANSWER), SOURCE);
    assert.match(refuseTopology(current, grown) ?? '', new RegExp(`more than the ${MAX_NEW_NODES_PER_ANSWER} one answer may add`));
    const fewMore = parseClusterSlots(even(10), SOURCE);
    assert.equal(refuseTopology(current, fewMore), undefined);
    const huge = parseClusterSlots(
      even(3).map((r, i) => [...(r as unknown[]), ...manyReplicas(i)]),
      SOURCE,
    );
    assert.match(refuseTopology(undefined, huge) ?? '', /more than the 1200 a cluster may have/);
    assert.equal(refuseTopology(undefined, parseClusterSlots(even(500), SOURCE)), undefined);
  });
});

describe('parseClusterSlots against hostile replies', () => {
  it('refuses 32,768 overlapping primaries instead of overflowing the Int16Array slot index', () => {
    const reply = Array.from({ length: 32_770 }, (_, i) => [0, 10, node(i)]);
    assert.throws(() => parseClusterSlots(reply, SOURCE), /claims slots 0-10 twice/);
  });

  it('skips entries with wrong types: no array, string or fractional slots, bad ports, out of range', () => {
    const t = parseClusterSlots(
      [
        'garbage',
        null,
        [1.5, 20, node(1)],
        ['0', '99', node(2)],
        [100, 200, ['10.0.0.1', 'x', 'id']],
        [300, 400, ['10.0.0.1', 70_000, 'id']],
        [500, SLOT_COUNT, node(3)],
        [600, 500, node(4)],
        [{}, [], node(5)],
        [1000, 1999, 42],
        [2000, 2999, node(6), 'not-a-node', [7]],
      ],
      SOURCE,
    );
    assert.deepEqual(
      t.shards.map((s) => s.label),
      ['0-99', '2000-2999'],
    );
    assert.deepEqual(t.shards[1]!.replicas, []);
    assert.equal(t.uncovered, SLOT_COUNT - 100 - 1000);
  });

  it('rejects a reply that is not an array', () => {
    assert.throws(() => parseClusterSlots('OK', SOURCE), /not an array/);
    assert.throws(() => parseClusterSlots(new Map(), SOURCE), /not an array/);
  });
});
