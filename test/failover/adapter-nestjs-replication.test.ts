// The NestJS replication example, booted through real DI against a primary/replica pair
// behind DNS names, driven over real HTTP through a planned failover plus DNS flip: writes
// keep being answered (200, or 503 + Retry-After within the deadline, never a hang or a
// READONLY 500), readiness ends at 200, and the verbose report and status events show the
// client following the primary name to its new address.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { INestApplication } from '@nestjs/common';
import { Registry } from 'prom-client';
import { silentLogger } from '../../src/index.js';
import { createReplicationApp } from '../../examples/nestjs-replication/create-app.js';
import { createLab, type DnsServer, type ReplicationLab, waitFor } from '../support/lab.js';
import { request } from '../express/express-test-helpers.js';

/** The replication preset's total deadline. */
const DEADLINE_MS = 3000;

describe('examples/nestjs-replication: planned failover and DNS flip', { timeout: 90_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());
  let dns: DnsServer;
  let pair: ReplicationLab;
  let app: INestApplication;
  let url: string;

  before(async () => {
    dns = await lab.dns();
    pair = await lab.replicationPair({ dns, ttl: 1 });
    app = await createReplicationApp(
      {
        primary: { host: pair.primaryName, port: pair.primary.port },
        reader: { host: pair.readerName, port: pair.replica.port },
        dnsServers: [dns.server],
        dnsMinIntervalMs: 200,
        registry: new Registry(),
        logger: silentLogger,
      },
      { logger: false },
    );
    lab.defer(() => app.close());
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  const put = (id: string, text: string) =>
    request(`${url}/notes/${id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) });

  test('before the fault: ready, writes through the primary name, reads through the reader name', async () => {
    const ready = await request(`${url}/health/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body.info.main, { status: 'up', mode: 'replication' });
    assert.equal((await put('n1', 'hello')).status, 200);
    assert.equal(await pair.primary.command('GET', 'note:n1'), 'hello');
    const read = await waitFor(
      async () => {
        const res = await request(`${url}/notes/n1`);
        return res.status === 200 ? res : undefined;
      },
      { timeoutMs: 3000, what: 'the write to reach the reader' },
    );
    assert.deepEqual(read.body, { id: 'n1', text: 'hello' });
    const verbose = await request(`${url}/health`);
    const view = Object.fromEntries(
      (verbose.body.details.main.dns as Array<{ name: string; address: string }>).map((d) => [d.name, d.address]),
    );
    assert.deepEqual(view, { [pair.primaryName]: '127.0.0.2', [pair.readerName]: '127.0.0.3' });
  });

  test('planned failover + DNS flip under writes: no hang, no READONLY, 503s only with Retry-After, then back to 200', async () => {
    const results: Array<{ start: number; ms: number; status: number; retryAfter: string | null }> = [];
    let writing = true;
    let seq = 0;
    const writer = (async () => {
      while (writing) {
        const start = performance.now();
        const res = await put(`w${seq % 20}`, String(++seq));
        results.push({ start, ms: performance.now() - start, status: res.status, retryAfter: res.headers.get('retry-after') });
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    try {
      await new Promise((r) => setTimeout(r, 500));
      const faultAt = performance.now();
      const promoted = await pair.plannedFailover();
      const flipped = await pair.flipDns();
      // The client re-resolves on the 1 s TTL (floor 200 ms) and at once on READONLY.
      await waitFor(
        async () => {
          const verbose = await request(`${url}/health`);
          const primary = (verbose.body.details.main.dns as Array<{ name: string; address: string }>).find(
            (d) => d.name === pair.primaryName,
          );
          return verbose.status === 200 && primary?.address === '127.0.0.3';
        },
        { timeoutMs: 10_000, what: 'the verbose report to show the primary name on 127.0.0.3' },
      );
      await new Promise((r) => setTimeout(r, 1000));
      writing = false;
      await writer;

      const afterFault = results.filter((r) => r.start >= faultAt);
      const statuses = [...new Set(afterFault.map((r) => r.status))].sort();
      console.log(
        JSON.stringify({
          promotedAfterMs: Math.round(promoted.monoMs - faultAt),
          flippedAfterMs: Math.round(flipped.monoMs - faultAt),
          writes: afterFault.length,
          statuses,
          maxMs: Math.round(Math.max(...afterFault.map((r) => r.ms))),
          errors: afterFault.filter((r) => r.status !== 200).length,
        }),
      );
      assert.ok(afterFault.length > 20, `${afterFault.length} writes during the failover`);
      for (const r of afterFault) {
        assert.ok(r.status === 200 || (r.status === 503 && Number(r.retryAfter) >= 1), `status ${r.status}, Retry-After ${r.retryAfter}`);
        assert.ok(r.ms < DEADLINE_MS + 500, `a write took ${Math.round(r.ms)} ms`);
      }
      assert.ok(
        results.slice(-10).every((r) => r.status === 200),
        'writes succeed again',
      );
      assert.equal(await pair.replica.command('GET', `note:w${(seq - 1) % 20}`), String(seq), 'the last write is on the new primary');

      assert.equal((await request(`${url}/health/ready`)).status, 200);
      assert.equal((await request(`${url}/health/live`)).status, 200);
      const events = await request(`${url}/redis-resilience/events?client=main`);
      assert.equal(events.status, 200);
      assert.ok(
        events.body.some(
          (e: { type: string; newAddress?: string }) => e.type === 'endpoint.changed' && e.newAddress?.startsWith('127.0.0.3'),
        ),
        `an endpoint.changed event to 127.0.0.3: ${JSON.stringify(events.body.map((e: { type: string }) => e.type))}`,
      );
    } finally {
      writing = false;
      await writer;
    }
  });
});
