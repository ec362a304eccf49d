// Replication mode against a real pair behind the lab DNS server: the client resolves the
// endpoint names itself, re-resolves on the TTL (floor and ceiling), swaps only to a node that
// reports ROLE master, follows a demoted primary, keeps reads off a LOADING replica, and shows
// its DNS view in the health snapshot.
import { recordedClient } from '../support/recorded-client.js';
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { type ResilienceEvent, type ReplicationOptions } from '../../src/index.js';
import { commandCalls as calls } from '../support/command-stats.js';
import { type DnsServer, type Lab, type ReplicationLab, createLab, now, waitFor } from '../support/lab.js';
import { pairByName } from '../support/replication-client-options.js';

type Extra = Partial<Omit<ReplicationOptions, 'mode'>>;

/** A replication client on the pair's names, with its events recorded. */
function clientFor(lab: Lab, dns: DnsServer, pair: ReplicationLab, extra: Extra = {}) {
  return recordedClient(lab, { ...pairByName(pair, dns, 'repl-it'), ...extra } as ReplicationOptions);
}

const changes = (events: ResilienceEvent[], name: string) =>
  events.filter((e): e is Extract<ResilienceEvent, { type: 'endpoint.changed' }> => e.type === 'endpoint.changed' && e.name === name);

describe('replication mode: DNS watcher and role checks', { timeout: 90_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());

  test('connects by resolved IP, sends reads to the reader, and shows the DNS view in health', { timeout: 20_000 }, async () => {
    const dns = await lab.dns();
    const pair = await lab.replicationPair({ dns, ttl: 15, primaryName: 'view-primary.repl.test', readerName: 'view-reader.repl.test' });
    const { client } = clientFor(lab, dns, pair);
    await client.connect();
    assert.equal(await client.set('it:view', 'v'), 'OK');
    await waitFor(async () => (await pair.replica.command('GET', 'it:view')) === 'v', { timeoutMs: 3000, what: 'replication of it:view' });
    const readsBefore = await calls(pair.replica, 'get');
    for (let i = 0; i < 20; i++) assert.equal(await client.get('it:view'), 'v');
    assert.ok((await calls(pair.replica, 'get')) - readsBefore >= 20, 'reads are served by the reader');

    const health = client.health();
    assert.deepEqual(
      health.nodes.map((n) => [n.label, n.role, n.address]),
      [
        [pair.primaryName, 'primary', pair.primary.address],
        [pair.readerName, 'replica', pair.replica.address],
      ],
    );
    const view = new Map(health.dns?.map((d) => [d.name, d]));
    for (const [name, address] of [
      [pair.primaryName, pair.primary.host],
      [pair.readerName, pair.replica.host],
    ] as const) {
      const d = view.get(name);
      assert.ok(d, `DNS view of ${name}`);
      assert.equal(d.address, address);
      assert.equal(d.ttlSeconds, 15);
      assert.ok(d.lastChangeAt !== undefined && d.lastChangeAt <= Date.now());
    }
  });

  test('follows a moved name on its TTL alone (no errors) once the new node reports master', { timeout: 25_000 }, async () => {
    const dns = await lab.dns();
    const pair = await lab.replicationPair({ dns, ttl: 1, primaryName: 'ttl-primary.repl.test', readerName: 'ttl-reader.repl.test' });
    const { client, events } = clientFor(lab, dns, pair);
    await client.connect();
    // A split: both nodes are masters and the old one keeps accepting writes, so only the
    // TTL-driven re-resolution can move the client.
    await pair.promoteReplica();
    const flippedAt = now();
    dns.setRecord(pair.primaryName, [pair.replica.host], 1);
    const changed = await waitFor(() => changes(events, pair.primaryName)[0], { timeoutMs: 5000, what: 'endpoint.changed' });
    assert.equal(changed.cause, 'dns');
    assert.equal(changed.newAddress, pair.replica.address);
    // TTL 1 s sits on the 1 s floor: the change is seen within about a second (plus a connect).
    assert.ok(changed.timestamp - flippedAt.epochMs < 2500, `seen after ${changed.timestamp - flippedAt.epochMs} ms`);
    assert.equal(await client.set('it:moved', 'new'), 'OK');
    assert.equal(await pair.replica.command('GET', 'it:moved'), 'new');
    assert.equal(await pair.primary.command('GET', 'it:moved'), null);
    // Re-resolution keeps to the floor: about one query per second per name, never a storm.
    const since = dns.queryCount(pair.primaryName);
    const t0 = performance.now();
    await waitFor(() => dns.queryCount(pair.primaryName) >= since + 2, { timeoutMs: 5000, what: 'two more resolutions' });
    assert.ok(performance.now() - t0 >= 900, 'not faster than the 1 s floor');
  });

  test('a name moved to a replica is not swapped in: ROLE is verified first', { timeout: 25_000 }, async () => {
    const dns = await lab.dns();
    const pair = await lab.replicationPair({ dns, ttl: 1, primaryName: 'bad-primary.repl.test', readerName: 'bad-reader.repl.test' });
    const { client, events } = clientFor(lab, dns, pair);
    await client.connect();
    const queried = dns.queryCount(pair.primaryName);
    dns.setRecord(pair.primaryName, [pair.replica.host], 1);
    // Three re-resolutions later the client has seen the bad answer more than once.
    await waitFor(() => dns.queryCount(pair.primaryName) >= queried + 3, { timeoutMs: 8000, what: 'three re-resolutions' });
    assert.equal(changes(events, pair.primaryName).length, 0, 'no swap to a replica');
    assert.equal(await client.set('it:verified', 'kept'), 'OK');
    assert.equal(await pair.primary.command('GET', 'it:verified'), 'kept');
    const health = client.health();
    assert.equal(health.nodes[0]?.address, pair.primary.address, 'still on the real primary');
    assert.equal(health.dns?.find((d) => d.name === pair.primaryName)?.address, pair.replica.host, 'the DNS view shows what DNS says');
  });

  test('READONLY: follows the demoted primary to the master it names, before DNS moves', { timeout: 25_000 }, async () => {
    const dns = await lab.dns();
    const pair = await lab.replicationPair({ dns, ttl: 15, primaryName: 'ro-primary.repl.test', readerName: 'ro-reader.repl.test' });
    const { client, events } = clientFor(lab, dns, pair);
    await client.connect();
    assert.equal(await client.set('it:ro', 'before'), 'OK');
    await pair.plannedFailover();
    // The name still points at the demoted node; the write gets READONLY there, then lands on
    // the promoted replica within the same call. Even INCR, never retried on an unknown
    // outcome, is retried here: READONLY proves it did not run. It ran exactly once.
    assert.equal(await client.incr('it:ro:count'), 1);
    assert.equal(await pair.replica.command('GET', 'it:ro:count'), '1');
    assert.equal(await client.set('it:ro', 'after'), 'OK');
    assert.equal(await pair.replica.command('GET', 'it:ro'), 'after');
    const [changed] = changes(events, pair.primaryName);
    assert.equal(changed?.cause, 'role-follow');
    assert.equal(changed?.newAddress, pair.replica.address);
    assert.equal(dns.record(pair.primaryName)?.addresses[0], pair.primary.host, 'DNS has not moved');
    assert.ok(events.some((e) => e.type === 'command.retried' && e.scenario === 'readonly'));
  });

  test('reads leave a reader that answers LOADING, and come back once it has loaded', { timeout: 30_000 }, async () => {
    const dns = await lab.dns();
    const pair = await lab.replicationPair({ dns, ttl: 15, primaryName: 'load-primary.repl.test', readerName: 'load-reader.repl.test' });
    const { client } = clientFor(lab, dns, pair);
    await client.connect();
    assert.equal(await client.set('it:load:1', 'value:1'), 'OK');
    await waitFor(async () => (await pair.replica.command('GET', 'it:load:1')) === 'value:1', {
      timeoutMs: 3000,
      what: 'replication of it:load:1',
    });
    // Bulk for the reader to reload (DEBUG POPULATE is not replicated: it stays on the reader).
    await pair.replica.command('DEBUG', 'POPULATE', 20_000, 'it:bulk');
    // Loading slowed to ~1-2 s and serving events while it loads, so other clients get -LOADING.
    await pair.replica.command('CONFIG', 'SET', 'key-load-delay', '60');
    await pair.replica.command('CONFIG', 'SET', 'loading-process-events-interval-bytes', '1024');
    const reloader = await pair.replica.openClient({ commandTimeout: undefined });
    const reloaded = reloader.call('DEBUG', 'RELOAD');
    await waitFor(async () => String(await pair.replica.command('GET', 'it:load:1').catch((e: Error) => e.message)).startsWith('LOADING'), {
      timeoutMs: 3000,
      intervalMs: 5,
      what: 'the reader to answer LOADING',
    });
    const primaryReads = await calls(pair.primary, 'get');
    const errors: string[] = [];
    let reads = 0;
    while (String(await pair.replica.command('GET', 'it:load:1').catch((e: Error) => e.message)).startsWith('LOADING')) {
      for (let i = 0; i < 10; i++) {
        reads++;
        await client.get('it:load:1').then(
          (v) => v === 'value:1' || errors.push(`got ${v}`),
          (e: Error) => errors.push(e.message),
        );
      }
    }
    await reloaded;
    assert.ok(reads > 0, 'the reader was still loading when the reads began');
    assert.deepEqual(errors, [], `${reads} reads during LOADING`);
    assert.ok((await calls(pair.primary, 'get')) - primaryReads >= reads, 'the primary served the reads while the reader loaded');
    // Back to the reader once it has loaded (the avoid window is 1 s).
    await waitFor(
      async () => {
        const before = await calls(pair.replica, 'get');
        await client.get('it:load:1');
        return (await calls(pair.replica, 'get')) > before;
      },
      { timeoutMs: 5000, intervalMs: 100, what: 'reads to return to the reader' },
    );
  });
});
