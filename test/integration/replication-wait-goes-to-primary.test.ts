// Issue 12, defect 11: WAIT and WAITAOF count the replicas of the node they run on, so in
// replication mode they must go to the primary, never to the reader (a replica answers WAIT
// with an error, and could never count its peers).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { commandCalls } from '../support/command-stats.js';
import { createLab } from '../support/lab.js';
import { recordedClient } from '../support/recorded-client.js';
import { pairByAddress } from '../support/replication-client-options.js';

describe('replication: WAIT is not a read', { timeout: 30_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());

  test('WAIT, in any casing, reaches the primary and counts its replica', { timeout: 20_000 }, async () => {
    const pair = await lab.replicationPair();
    const { client } = recordedClient(lab, pairByAddress(pair, 'repl-wait'));
    await client.connect();
    assert.equal(await client.set('rw:k', 'v'), 'OK');
    assert.equal(await client.wait(1, 2000), 1, 'the primary has one replica in sync');
    assert.equal(await client.call('WAIT', 1, 2000), 1);
    assert.equal(await client.call('Wait', 1, 2000), 1);
    // Reads still go to the reader.
    const before = await commandCalls(pair.replica, 'get');
    assert.equal(await client.get('rw:k'), 'v');
    assert.equal(await commandCalls(pair.replica, 'get'), before + 1, 'GET went to the reader');
  });
});
