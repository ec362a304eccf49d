// The cheap check between full reads: which CLUSTER INFO changes cost a full read.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { layoutMayDiffer, parseClusterInfo } from '../../../src/core/topology/change-detector.js';

const info = (epoch: number, nodes = 6, slots = 16384, state = 'ok'): string =>
  `cluster_state:${state}\r\ncluster_slots_assigned:${slots}\r\ncluster_slots_ok:${slots}\r\ncluster_known_nodes:${nodes}\r\ncluster_size:3\r\ncluster_current_epoch:${epoch}\r\ncluster_my_epoch:2\r\n`;

describe('parseClusterInfo', () => {
  it('reads the epoch, node count, assigned slots and state', () => {
    assert.deepEqual(parseClusterInfo(info(7)), { epoch: 7, knownNodes: 6, slotsAssigned: 16384, state: 'ok' });
  });

  it('gives undefined for replies without the fields or of the wrong type', () => {
    assert.equal(parseClusterInfo('cluster_state:ok\r\n'), undefined);
    assert.equal(parseClusterInfo(['cluster_current_epoch', '1']), undefined);
    assert.equal(parseClusterInfo(info(7).replace(':7', ':-1')), undefined);
    assert.equal(parseClusterInfo(undefined), undefined);
  });
});

describe('layoutMayDiffer', () => {
  const base = parseClusterInfo(info(7))!;
  it('is false for the same view, and for a node that has not heard of the last epoch yet', () => {
    assert.equal(layoutMayDiffer(base, parseClusterInfo(info(7))!), false);
    assert.equal(layoutMayDiffer(base, parseClusterInfo(info(6))!), false);
    assert.equal(layoutMayDiffer(base, parseClusterInfo(info(7, 6, 16384, 'fail'))!), false);
  });
  it('is true when the epoch grew, a node joined or left, or slots were (un)assigned', () => {
    assert.equal(layoutMayDiffer(base, parseClusterInfo(info(8))!), true);
    assert.equal(layoutMayDiffer(base, parseClusterInfo(info(7, 7))!), true);
    assert.equal(layoutMayDiffer(base, parseClusterInfo(info(7, 5))!), true);
    assert.equal(layoutMayDiffer(base, parseClusterInfo(info(7, 6, 16000))!), true);
  });
});
