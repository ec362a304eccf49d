// The fleet budget through a failover: the first evidence costs a full read, the rest do not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FailoverEpisode } from '../../../src/core/topology/failover-episode.js';

describe('FailoverEpisode', () => {
  it('admits one read per episode however much evidence arrives and however long it is degraded', () => {
    let now = 0;
    const e = new FailoverEpisode(5000, () => now);
    assert.equal(e.admit(false), true);
    let reads = 1;
    for (now = 100; now < 120_000; now += 100) if (e.admit(true)) reads++;
    assert.equal(reads, 1);
    e.beginConfirm();
    assert.equal(e.active(false), true);
    e.endConfirm();
    assert.equal(e.readCount, 2);
    now += 4999;
    assert.equal(e.active(false), true, 'quiet period after the last evidence');
    now += 2;
    assert.equal(e.active(false), false);
    assert.equal(e.admit(false), true, 'a new episode after the quiet period');
    assert.equal(e.readCount, 1);
  });

  it('keeps a flapping connection in one episode while evidence keeps coming', () => {
    let now = 0;
    const e = new FailoverEpisode(5000, () => now);
    let reads = 0;
    for (; now < 60_000; now += 3000) if (e.admit(false)) reads++;
    assert.equal(reads, 1);
  });
});
