// Property: diffTopology and parseClusterSlots agree with a plain model of "who owns which slot".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { array, assert as check, boolean, integer, property, record, uniqueArray } from 'fast-check';
import { SLOT_COUNT, diffTopology, nodeKeys, parseClusterSlots } from '../../../src/core/topology/cluster-topology.js';

const SOURCE = { host: '10.0.0.9', port: 7000 };
const host = (i: number): string => `10.0.${i >> 8}.${i & 255}`;

/** A random layout: cut points split the slots into ranges, each owned by one of a few primaries. */
const layout = record({
  cuts: uniqueArray(integer({ min: 1, max: SLOT_COUNT - 1 }), { maxLength: 12 }),
  owners: array(integer({ min: 0, max: 5 }), { minLength: 13, maxLength: 13 }),
  replicaOf: array(integer({ min: 6, max: 9 }), { minLength: 6, maxLength: 6 }),
  holes: array(boolean(), { minLength: 13, maxLength: 13 }),
}).map(({ cuts, owners, replicaOf, holes }) => {
  const bounds = [0, ...cuts.toSorted((a, b) => a - b), SLOT_COUNT];
  const ranges: Array<{ start: number; end: number; owner: number }> = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    // An unowned range now and then: a lost shard with full coverage off.
    if (holes[i] && ranges.length > 0) continue;
    ranges.push({ start: bounds[i]!, end: bounds[i + 1]! - 1, owner: owners[i]! });
  }
  const reply = ranges.map((r) => [
    r.start,
    r.end,
    [host(r.owner), 7000, `p${r.owner}`],
    [host(replicaOf[r.owner]!), 7000, `r${replicaOf[r.owner]}`],
  ]);
  return { ranges, reply };
});

/** The model: owner host per slot ('' when none). */
function ownerPerSlot(ranges: ReadonlyArray<{ start: number; end: number; owner: number }>): string[] {
  const out: string[] = Array.from({ length: SLOT_COUNT }, () => '');
  for (const r of ranges) for (let s = r.start; s <= r.end; s++) out[s] = `${host(r.owner)}:7000`;
  return out;
}

describe('slot-map diff (property)', () => {
  it('parses every slot to the owner the reply gave it, and counts the rest as uncovered', () => {
    check(
      property(layout, ({ ranges, reply }) => {
        const t = parseClusterSlots(reply, SOURCE);
        const model = ownerPerSlot(ranges);
        let uncovered = 0;
        for (let s = 0; s < SLOT_COUNT; s += 97) {
          const i = t.slotOwner[s]!;
          assert.equal(i < 0 ? '' : t.shards[i]!.primary.key, model[s]);
        }
        for (const m of model) if (m === '') uncovered++;
        assert.equal(t.uncovered, uncovered);
      }),
      { numRuns: 200 },
    );
  });

  it('reports a change exactly when a slot owner or the node set differs, with added and removed as set differences', () => {
    check(
      property(layout, layout, (a, b) => {
        const ta = parseClusterSlots(a.reply, SOURCE);
        const tb = parseClusterSlots(b.reply, SOURCE);
        assert.equal(diffTopology(ta, parseClusterSlots(a.reply, SOURCE)).changed, false, 'a layout against itself');
        const diff = diffTopology(ta, tb);
        const ka = nodeKeys(ta);
        const kb = nodeKeys(tb);
        assert.deepEqual(diff.added.toSorted(), [...kb].filter((k) => !ka.has(k)).toSorted());
        assert.deepEqual(diff.removed.toSorted(), [...ka].filter((k) => !kb.has(k)).toSorted());
        const ownersB = ownerPerSlot(b.ranges);
        const ownersDiffer = ownerPerSlot(a.ranges).some((o, s) => o !== ownersB[s]);
        const expected = ownersDiffer || diff.added.length > 0 || diff.removed.length > 0 || diff.promoted.length > 0;
        assert.equal(diff.changed, expected);
        if (diff.changed === false) assert.equal(ownersDiffer, false);
      }),
      { numRuns: 150 },
    );
  });
});
