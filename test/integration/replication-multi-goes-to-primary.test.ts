// A transaction runs on the primary even when every command in it reads: MULTI is how a caller
// asks for one consistent view, and the reader may be behind the write the caller just made
// (rate-limiter-flexible writes a counter, then reads it back with MULTI GET PTTL EXEC). A plain
// pipeline of reads still goes to the reader.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { commandCalls as calls } from '../support/command-stats.js';
import { createLab } from '../support/lab.js';
import { recordedClient } from '../support/recorded-client.js';
import { pairByAddress } from '../support/replication-client-options.js';

describe('replication: a read-only transaction is not a read', { timeout: 30_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());

  test('MULTI GET PTTL EXEC reaches the primary; a pipeline of GETs reaches the reader', { timeout: 20_000 }, async () => {
    const pair = await lab.replicationPair();
    const { client } = recordedClient(lab, pairByAddress(pair, 'repl-multi'));
    await client.connect();
    assert.equal(await client.set('rm:k', '7', 'PX', 60_000), 'OK');
    const [primaryExec, readerExec] = [await calls(pair.primary, 'exec'), await calls(pair.replica, 'exec')];
    const result = await client.multi().get('rm:k').pttl('rm:k').exec();
    assert.equal(result?.[0]?.[1], '7', 'read back the write just made');
    assert.equal(await calls(pair.primary, 'exec'), primaryExec + 1, 'EXEC ran on the primary');
    assert.equal(await calls(pair.replica, 'exec'), readerExec, 'EXEC never reached the reader');

    const readerGets = await calls(pair.replica, 'get');
    await client.pipeline().get('rm:k').get('rm:other').exec();
    assert.equal(await calls(pair.replica, 'get'), readerGets + 2, 'a read-only pipeline went to the reader');
  });
});
