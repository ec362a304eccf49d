// Self-tests of the replication lab: a primary on 127.0.0.2 and a replica on 127.0.0.3 behind
// DNS names, and the managed-failover shapes the library must survive.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type DnsServer, type ReplicationLab, createLab, faults, waitFor } from '../support/lab.js';

describe('lab: replication pair behind DNS', { timeout: 40_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());
  let dns: DnsServer;
  let pair: ReplicationLab;
  const resolve = (name: string) => dns.resolver().resolve4(name, { ttl: true });

  before(async () => {
    dns = await lab.dns();
    pair = await lab.replicationPair({ dns, ttl: 15, password: 'lab-secret' });
    console.log(`lab: replication pair ${pair.primary.address} -> ${pair.replica.address}`);
  });

  test('the replica on 127.0.0.3 follows the primary on 127.0.0.2', { timeout: 10_000 }, async () => {
    assert.equal(pair.primary.host, '127.0.0.2');
    assert.equal(pair.replica.host, '127.0.0.3');
    const state = await pair.replicationState();
    assert.deepEqual(
      state.nodes.map((n) => [n.role, n.linkStatus]),
      [
        ['master', undefined],
        ['slave', 'up'],
      ],
    );
    await pair.primary.command('SET', 'lab:repl', 'v1');
    await waitFor(async () => (await pair.replica.command('GET', 'lab:repl')) === 'v1', {
      timeoutMs: 3000,
      what: 'the write to reach the replica',
    });
  });

  test('DNS answers carry the TTL that was set', { timeout: 5000 }, async () => {
    assert.deepEqual(await resolve(pair.primaryName), [{ address: '127.0.0.2', ttl: 15 }]);
    assert.deepEqual(await resolve(pair.readerName), [{ address: '127.0.0.3', ttl: 15 }]);
  });

  test('REPLICAOF flip + DNS flip: the name moves, the old primary answers READONLY', { timeout: 15_000 }, async () => {
    await pair.promoteReplica();
    await pair.demote(pair.primary, pair.replica);
    await pair.flipDns();
    assert.deepEqual(await resolve(pair.primaryName), [{ address: '127.0.0.3', ttl: 15 }]);
    assert.deepEqual(await resolve(pair.readerName), [{ address: '127.0.0.2', ttl: 15 }]);
    await assert.rejects(pair.primary.command('SET', 'lab:repl', 'stale'), /READONLY/);
    assert.equal(await pair.replica.command('SET', 'lab:repl', 'v2'), 'OK');
    assert.equal(await pair.currentPrimary(), pair.replica);
  });

  test('planned FAILOVER hands the primary role back; the old primary follows', { timeout: 15_000 }, async () => {
    // Current primary: the initial replica (previous test). FAILOVER moves the role back.
    await pair.replica.command('SET', 'lab:planned', 'kept');
    const promotedAt = await pair.plannedFailover();
    assert.ok(promotedAt.monoMs > 0);
    assert.equal(await pair.currentPrimary(), pair.primary);
    assert.equal(await pair.primary.command('GET', 'lab:planned'), 'kept', 'a planned failover loses no write');
    const state = await pair.replicationState();
    assert.deepEqual(
      state.nodes.map((n) => n.role),
      ['master', 'slave'],
    );
    faults.flipDns(dns, pair.primaryName, [pair.primary.host], 15);
    assert.deepEqual(await resolve(pair.primaryName), [{ address: '127.0.0.2', ttl: 15 }]);
    await assert.rejects(pair.replica.command('SET', 'lab:planned', 'x'), /READONLY/);
  });
});
