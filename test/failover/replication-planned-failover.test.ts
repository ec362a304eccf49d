// Planned failover in replication mode, under steady write and read load: FAILOVER on the
// primary promotes the replica and the old primary stays up as its replica (answering
// READONLY); the DNS names flip 10 s later. The resilient client must follow the demoted
// primary to its new master at once, without waiting for DNS or the TTL. Plain ioredis runs
// through the same fault in the same process, and both are printed side by side.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type { TLSSocket } from 'node:tls';
import { describe, test } from 'node:test';
import type { RedisOptions } from 'ioredis';
import { type Lab, useLab } from '../support/lab.js';
import {
  type Column,
  changeOf,
  createLoad,
  printSideBySide,
  readonlyErrors,
  startScenario,
  until,
  type Load,
  type Scenario,
} from './replication-failover-support.js';

/** Runs the planned-failover script on `s` with `loads` running; returns the key moments. */
async function plannedFailoverUnderLoad(s: Scenario, loads: Load[]) {
  for (const l of loads) l.start();
  await delay(1000); // steady state before the fault
  const faultAt = performance.now();
  const promoted = await s.pair.plannedFailover();
  await until(promoted.monoMs + 10_000);
  const flipped = await s.pair.flipDns();
  await until(flipped.monoMs + 2000);
  const hung = await Promise.all(loads.map((l) => l.stop()));
  return { faultAt, promoted, flipped, hung };
}

async function columnOf(label: string, load: Load, s: Scenario, faultAt: number, servedAgainAt: number, hung: number): Promise<Column> {
  // The promoted node holds every acknowledged write, or it was lost.
  const lost = await load.writes.lostWrites((key) => s.pair.replica.command('GET', key) as Promise<string | null>);
  return {
    label,
    writes: load.writes.report(faultAt, servedAgainAt)[0]!,
    reads: load.reads.report(faultAt, servedAgainAt)[0]!,
    readonly: readonlyErrors(load.writes),
    lost: lost.length,
    hung,
  };
}

/** The bounds of the planned failover, for the resilient client. */
function assertPlannedBounds(c: Column, s: Scenario, flippedAtEpoch: number): void {
  assert.ok(
    c.writes.recoveryLagMs !== undefined && c.writes.recoveryLagMs <= 1000,
    `writes back ${c.writes.recoveryLagMs} ms after the promotion`,
  );
  assert.equal(c.readonly, 0, 'no READONLY reaches a caller');
  assert.equal(c.writes.errors, 0, `write errors: ${JSON.stringify(c.writes.errorsByCode)}`);
  assert.equal(c.writes.pastDeadline, 0, 'no write past its deadline');
  assert.equal(c.lost, 0, 'no acknowledged write lost');
  assert.equal(c.reads.errors, 0, `read errors: ${JSON.stringify(c.reads.errorsByCode)}`);
  assert.equal(c.reads.pastDeadline, 0, 'no read past its deadline');
  assert.equal(c.hung, 0, 'every call settled');
  // It followed the demoted primary (ROLE), before the DNS flip.
  const follow = changeOf(s.events, s.pair.primaryName, 'role-follow');
  assert.ok(follow, 'the client followed the demotion');
  assert.equal(follow.newAddress, s.pair.replica.address);
  assert.ok(follow.timestamp < flippedAtEpoch, 'before DNS moved');
  assert.equal(s.client.health().nodes.find((n) => n.role === 'primary')?.address, s.pair.replica.address);
}

/** One connection attempt, no retries: resolves connected or rejects with the socket's error. */
async function connectOnce(lab: Lab, options: RedisOptions): Promise<void> {
  const client = lab.client({ lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, ...options });
  const errors: Error[] = [];
  client.on('error', (error: Error) => errors.push(error));
  try {
    await client.connect();
  } catch (error) {
    throw errors[0] ?? error;
  } finally {
    client.disconnect();
  }
}

describe('replication: planned failover (FAILOVER; DNS flips 10 s later)', { timeout: 150_000 }, () => {
  test('writes follow the promotion within 1 s: 0 READONLY, 0 lost; plain ioredis side by side', { timeout: 70_000 }, async (t) => {
    const lab = useLab(t);
    const s = await startScenario(lab);
    // Plain ioredis, default options. Given the NAME it would resolve it through the system
    // resolver, which cannot see the lab's DNS server. A service that connected before the
    // failover did exactly this instead: it resolved the primary name to the primary's IP once,
    // at connect time, and ioredis keeps that connection (it never resolves again while
    // connected, and a demoted primary never closes it).
    const plain = lab.client({ host: s.pair.primary.host, port: s.pair.primary.port });
    const ours = await createLoad(s.client, 'rr', s.deadlineMs);
    const theirs = await createLoad(plain, 'io', s.deadlineMs);
    const { faultAt, promoted, flipped, hung } = await plannedFailoverUnderLoad(s, [ours, theirs]);

    const resilient = await columnOf('redis-resilience', ours, s, faultAt, promoted.monoMs, hung[0]!);
    const baseline = await columnOf('plain ioredis', theirs, s, faultAt, promoted.monoMs, hung[1]!);
    printSideBySide(
      `planned failover: recovery measured from the promotion; DNS flipped ${Math.round(flipped.monoMs - promoted.monoMs)} ms after it`,
      [resilient, baseline],
    );
    assertPlannedBounds(resilient, s, flipped.epochMs);
    // The fault is real: the client that stays on the demoted primary gets READONLY.
    assert.ok(baseline.readonly > 0, 'plain ioredis saw READONLY');
  });

  test('TLS + password: the same failover and bounds; certificates verified against the NAME', { timeout: 70_000 }, async (t) => {
    const lab = useLab(t);
    const ca = await lab.tls();
    const password = 'failover-secret';
    // Certificates that name only the DNS names (primary.repl.test, *.repl.test), no IPs.
    const s = await startScenario(lab, { tls: ca.namesOnly, password }, { tls: { ca: ca.ca }, password });
    // Control: by IP, without the name, this certificate does not verify.
    await assert.rejects(connectOnce(lab, { host: s.pair.primary.host, port: s.pair.primary.port, password, tls: { ca: ca.ca } }), {
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
    const assertVerifiedByName = (): void => {
      for (const endpoint of s.client.router.endpoints()) {
        const socket = endpoint.client.stream as TLSSocket;
        assert.match(endpoint.id, /^127\.0\.0\.\d+:\d+$/, 'connected by IP');
        assert.equal(socket.authorized, true, `${endpoint.id} verified`);
        assert.equal(
          (socket as TLSSocket & { servername?: string }).servername,
          endpoint.label,
          'SNI and verification use the endpoint name',
        );
      }
    };
    assertVerifiedByName();
    const ours = await createLoad(s.client, 'tls', s.deadlineMs);
    const { faultAt, promoted, flipped, hung } = await plannedFailoverUnderLoad(s, [ours]);
    const resilient = await columnOf('redis-resilience (TLS)', ours, s, faultAt, promoted.monoMs, hung[0]!);
    printSideBySide('planned failover over TLS with a password', [resilient]);
    assertPlannedBounds(resilient, s, flipped.epochMs);
    // The connections made during the failover (the promoted primary, the moved reader) too.
    assertVerifiedByName();
  });
});
