// Issue 12, defect 11: WAIT and WAITAOF count the replicas of the node they run on, so in
// replication mode they must go to the primary, never to the reader (a replica answers WAIT
// with an error, and could never count its peers).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createLab } from '../support/lab.js';
import { recordedClient } from '../support/recorded-client.js';

describe('replication: WAIT is not a read', { timeout: 30_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());

  test('WAIT, in any casing, reaches the primary and counts its replica', { timeout: 20_000 }, async () => {
    const pair = await lab.replicationPair();
    const { client } = recordedClient(lab, {
      name: 'repl-wait',
      mode: 'replication',
      primary: { host: pair.primary.host, port: pair.primary.port },
      reader: { host: pair.replica.host, port: pair.replica.port },
    });
    await client.connect();
    assert.equal(await client.set('rw:k', 'v'), 'OK');
    assert.equal(await client.wait(1, 2000), 1, 'the primary has one replica in sync');
    assert.equal(await client.call('WAIT', 1, 2000), 1);
    assert.equal(await client.call('Wait', 1, 2000), 1);
    // Reads still go to the reader.
    const readerCalls = async (): Promise<number> => Number(/cmdstat_get:calls=(\d+)/.exec(String(await pair.replica.command('INFO', 'commandstats')))?.[1] ?? 0);
    const before = await readerCalls();
    assert.equal(await client.get('rw:k'), 'v');
    assert.equal(await readerCalls(), before + 1, 'GET went to the reader');
  });
});
