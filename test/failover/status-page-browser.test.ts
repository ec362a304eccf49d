// The live status page in a real browser (Debian's chromium, headless) through a hung cluster
// primary: the page shows that shard's breaker open, then closed after SIGCONT, and the
// timeline lists the events. Screenshots go to .build/artifacts/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import { createResilience, createStatusRouter } from '../../src/express/index.js';
import { silentLogger } from '../../src/index.js';
import { serve } from '../express/express-test-helpers.js';
import { chromiumBinary, launchChromium, type Browser } from '../support/browser.js';
import { createLab, waitFor } from '../support/lab.js';

const artifacts = join(import.meta.dirname, '..', '..', 'artifacts');

test(
  'status page in chromium: a SIGSTOPed primary shows its breaker open, then closed after SIGCONT; the timeline lists it',
  { timeout: 120_000 },
  async (t) => {
    const binary = chromiumBinary();
    if (!binary) {
      t.skip('chromium is not installed (apt-get install chromium); the status page browser test cannot run');
      return;
    }
    mkdirSync(artifacts, { recursive: true });
    const lab = createLab();
    let browser: Browser | undefined;
    try {
      const cluster = await lab.cluster({ primaries: 3 });
      const resilience = createResilience({
        name: 'orders',
        mode: 'cluster',
        nodes: cluster.seeds(),
        readFrom: 'replica-preferred',
        logger: silentLogger,
        metrics: { enabled: false },
      });
      lab.defer(() => resilience.close());
      await resilience.connect({ failFast: true });
      const app = express();
      app.use(
        '/ops/redis',
        createStatusRouter(resilience, {
          verbose: true,
          refreshMs: 300,
          title: 'orders: Redis status',
          // Loopback only, in a test: the operator check is the one a real app puts here.
          control: { authorize: (req) => req.socket.remoteAddress === '127.0.0.1' },
        }),
      );
      app.use('/public/redis', createStatusRouter(resilience, { refreshMs: 300 }));
      const server = await serve(app);
      lab.defer(() => server.close());

      const redis = resilience.client();
      const primaries = await cluster.primaries();
      const victim = primaries[0]!;
      const replica = await cluster.replicaOf(victim);
      const victimAddress = `${victim.host}:${victim.port}`;
      const keys = await Promise.all(primaries.map((p) => cluster.keyForNode(p)));
      let stop = false;
      // Four workers per shard, each on its own: a hung shard must not slow the others' load,
      // and its breaker needs a few failed calls in a row to open. Writes go to the primaries,
      // reads to the replicas, so every breaker sees traffic.
      const worker = async (key: string) => {
        while (!stop) {
          await Promise.all([redis.set(key, 'v').catch(() => {}), redis.get(key).catch(() => {})]);
          await new Promise((res) => setTimeout(res, 20));
        }
      };
      const load = Promise.all(keys.flatMap((k) => [worker(k), worker(k), worker(k), worker(k)]));
      lab.defer(async () => {
        stop = true;
        await load;
      });

      browser = await launchChromium(binary);
      const page = await browser.context.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await page.goto(`${server.url}/ops/redis/page`, { timeout: 15_000 });
      await page.locator('#live').filter({ hasText: 'live' }).waitFor({ timeout: 10_000 });
      const row = page.locator(`tr[data-address="${victimAddress}"]`);
      const label = await row.getAttribute('data-label', { timeout: 10_000 });
      assert.ok(label, 'the victim has a row with its shard label');
      assert.equal(await row.locator('.breaker').innerText(), 'closed');
      // A client that started while replicas were still joining lists them after its next
      // topology read (the change detector asks again 5 s later, then at doubling gaps).
      await waitFor(async () => (await page.locator('tbody tr').count()) === 6, {
        timeoutMs: 25_000,
        intervalMs: 100,
        what: 'three shards, a primary and a replica each',
      });

      await victim.pause();
      lab.defer(() => victim.resume());
      // The breaker state is in words as well as in colour.
      await row.locator('.breaker').filter({ hasText: 'OPEN' }).waitFor({ timeout: 15_000 });
      assert.match((await row.locator('.badge').getAttribute('class')) ?? '', /\bbad\b/);
      await page.locator('#timeline li[data-type="breaker.opened"]').first().waitFor({ timeout: 5000 });
      await page.screenshot({ path: join(artifacts, 'status-page-breaker-open.png'), fullPage: true });
      await cluster.waitForPromotion(replica, 20_000);
      await page.locator('#timeline li[data-type="failover.recovered"]').first().waitFor({ timeout: 15_000 });
      await page.screenshot({ path: join(artifacts, 'status-page-promoted.png'), fullPage: true });

      await victim.resume();
      // Back as a replica of the promoted node: every node of the shard closed again.
      const shardRows = page.locator(`tr[data-label="${label}"]`);
      await waitFor(
        async () => {
          const states = await shardRows.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-breaker')));
          return states.length === 2 && states.every((s) => s === 'closed') && (await row.count()) === 1;
        },
        { timeoutMs: 20_000, intervalMs: 200, what: `every node of shard ${label} closed after SIGCONT` },
      );
      assert.equal(await row.locator('.breaker').innerText(), 'closed');
      // The refresh that found it again is on the timeline (a rejoined node gets a fresh breaker,
      // so there may be no breaker.closed event: the endpoint was retired while it was down).
      await page
        .locator('#timeline li[data-type="topology.refreshed"]')
        .filter({ hasText: `added ${victimAddress}` })
        .first()
        .waitFor({ timeout: 5000 });
      await page.screenshot({ path: join(artifacts, 'status-page-recovered.png'), fullPage: true });

      const timeline = await page.locator('#timeline li').evaluateAll((items) => items.map((li) => li.getAttribute('data-type')));
      for (const type of ['breaker.opened', 'failover.detected', 'topology.refreshed', 'failover.recovered']) {
        assert.ok(timeline.includes(type), `timeline lists ${type} (has ${[...new Set(timeline)].join(', ')})`);
      }
      const opened = await page.locator('#timeline li[data-type="breaker.opened"]').last().innerText();
      assert.ok(opened.includes(victimAddress), opened);
      const promoted = page
        .locator('#timeline li[data-type="topology.refreshed"]')
        .filter({ hasText: `promoted ${victimAddress} -> ${replica.host}:${replica.port}` });
      assert.ok((await promoted.count()) >= 1, 'the timeline shows the promotion');

      // The control buttons: force a healthy primary's breaker open from the page, then release it.
      const other = page.locator(`tr[data-address="${primaries[1]!.host}:${primaries[1]!.port}"]`);
      await other.getByRole('button', { name: 'Force open' }).click();
      await other.locator('.breaker').filter({ hasText: 'OPEN' }).waitFor({ timeout: 5000 });
      await page.locator('#notice').filter({ hasText: 'forced open' }).waitFor({ timeout: 5000 });
      await page
        .locator('#timeline li[data-type="breaker.opened"]')
        .filter({ hasText: 'by an operator' })
        .first()
        .waitFor({ timeout: 5000 });
      await other.getByRole('button', { name: 'Release' }).click();
      await other.locator('.breaker').filter({ hasText: 'closed' }).waitFor({ timeout: 5000 });

      // The same page without the verbose report: shards and roles, no address anywhere.
      const plain = await browser.context.newPage();
      plain.on('pageerror', (e) => pageErrors.push(e.message));
      await plain.goto(`${server.url}/public/redis/page`, { timeout: 15_000 });
      await plain.locator('#live').filter({ hasText: 'live' }).waitFor({ timeout: 10_000 });
      await plain.locator(`tr[data-label="${label}"]`).first().waitFor({ timeout: 5000 });
      const text = await plain.locator('body').innerText();
      assert.doesNotMatch(text, /127\.0\.0\.1|Address/, 'no address column, no address in the timeline');
      assert.match(text, /failover on \S+ recovered/);
      assert.deepEqual(pageErrors, [], 'no script error on the page');
    } finally {
      await browser?.close();
      await lab.teardown();
    }
  },
);
