// Issue 15, defect 3: following a demoted primary must not trust the server's word. The ROLE
// reply's port is used (the promoted node may listen on another port than the configured one),
// and only hosts the endpoint names resolved to are followed: a reply naming an address outside
// that set (or a name like `localhost`, which once bypassed dns.resolve) is never connected to,
// so no credentials or connection name ever reach it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ReplicationOptions, type ResilienceEvent, isResilienceError } from '../../src/index.js';
import { recordedClient } from '../support/recorded-client.js';
import { type DnsServer, type ReplicationLab, createLab, waitFor } from '../support/lab.js';
import { type HostileServer, startHostileServer } from '../support/hostile-server.js';

const PASSWORD = 'follow-trust-secret-77ab';
const lab = createLab();
after(() => lab.teardown());

describe("ROLE follow trusts only the group's hosts", { timeout: 60_000 }, () => {
  let dns: DnsServer;
  let pair: ReplicationLab;
  const names = { primaryName: 'trust-primary.repl.test', readerName: 'trust-reader.repl.test' };
  const clientOptions = (name: string): ReplicationOptions => ({
    name,
    mode: 'replication',
    primary: { host: names.primaryName, port: pair.primary.port },
    reader: { host: names.readerName, port: pair.replica.port },
    password: PASSWORD,
    dns: { servers: [dns.server] },
    policy: { totalTimeoutMs: 3000 },
  });
  before(async () => {
    dns = await lab.dns();
    pair = await lab.replicationPair({ dns, password: PASSWORD, ttl: 30, ...names });
  });
  const restorePair = async (): Promise<void> => {
    await pair.primary.command('REPLICAOF', 'NO', 'ONE');
    await waitFor(async () => (await pair.primary.role()).role === 'master', { timeoutMs: 5000, what: 'the primary to be master again' });
  };

  test("the reply's port is followed: a promoted node on another port of a group host", { timeout: 30_000 }, async () => {
    // A third node on the reader's host but its own port, promoted: the primary names it.
    const promoted = await lab.node({ host: pair.replica.host, password: PASSWORD, label: 'trust-promoted' });
    assert.notEqual(promoted.port, pair.primary.port);
    const { client, events } = recordedClient(lab, clientOptions('trust-port'));
    await client.connect();
    assert.equal(await client.set('trust:before', '1'), 'OK');
    try {
      await pair.primary.command('REPLICAOF', promoted.host, String(promoted.port));
      await waitFor(async () => (await pair.primary.role()).role === 'slave', { timeoutMs: 5000, what: 'the primary to be demoted' });
      // READONLY from the demoted primary; the client follows ROLE to host:port it names.
      assert.equal(await client.set('trust:after', 'followed'), 'OK');
      assert.equal(await promoted.command('GET', 'trust:after'), 'followed');
      const change = events.find(
        (e): e is Extract<ResilienceEvent, { type: 'endpoint.changed' }> => e.type === 'endpoint.changed' && e.cause === 'role-follow',
      );
      assert.equal(change?.newAddress, `${promoted.host}:${promoted.port}`);
    } finally {
      await client.close();
      await restorePair();
    }
  });

  for (const where of ['an address outside the group', 'localhost'] as const) {
    test(`a reply naming ${where} is not followed and gets no credentials`, { timeout: 30_000 }, async () => {
      // A listener that records everything it receives, on an address the names never had.
      const impostor: HostileServer = await startHostileServer(
        () => '-ERR not redis\r\n',
        where === 'localhost' ? '127.0.0.1' : '127.0.0.9',
      );
      lab.defer(() => impostor.close());
      const { client, events } = recordedClient(lab, clientOptions(`trust-${where === 'localhost' ? 'localhost' : 'outside'}`));
      await client.connect();
      try {
        await pair.primary.command('REPLICAOF', where === 'localhost' ? 'localhost' : impostor.host, String(impostor.port));
        await waitFor(async () => (await pair.primary.role()).role === 'slave', { timeoutMs: 5000, what: 'the primary to be demoted' });
        const error = await client.set('trust:impostor', 'x').then(
          () => assert.fail('a write to a demoted primary with nowhere trusted to go succeeded'),
          (e: unknown) => e,
        );
        assert.ok(isResilienceError(error), `a family error, got ${String(error)}`);
        // The demoted primary's own replication link reaches the impostor; our client must not.
        const ours = impostor.connections.filter((c) => c.received.includes('redis-resilience'));
        assert.deepEqual(
          ours.map((c) => c.received.slice(0, 80)),
          [],
          'the client connected to the impostor',
        );
        assert.ok(!events.some((e) => e.type === 'endpoint.changed'), 'no swap to the impostor');
      } finally {
        await client.close();
        await restorePair();
      }
    });
  }
});
