/**
 * Records the metric series of a real lab failover and writes them as a `promtool test rules`
 * file: examples/observability/redis-resilience-alerts.test.yml. Run it with
 * `npm run record:alert-series` (about 2 minutes) after changing the rules or the metrics.
 *
 * A 3-shard lab cluster with `cluster-node-timeout` 40 s (so the hung primary stays hung for
 * as long as a slow managed failover), a client under load, a scrape every 5 s (a usual
 * Prometheus interval), SIGSTOP of one primary, its promotion, SIGCONT, 30 s of calm. The
 * expected alerts come from what the client reported (events$), not from evaluating the
 * rules here. Synthetic cases follow for the faults a failover does not produce.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { createResilientRedis, silentLogger, type ResilienceEvent } from '../../src/index.js';
import { createLab } from '../support/lab.js';

const SCRAPE_MS = 5000;
const root = join(import.meta.dirname, '..', '..', '..');
const out = join(root, 'examples', 'observability', 'redis-resilience-alerts.test.yml');
const rulesFile = join(root, 'examples', 'observability', 'redis-resilience-alerts.yml');
/** Only the families the rules read: the file stays reviewable. */
const KEEP =
  /^redis_resilience_(breaker_state|node_connected|failover_duration_seconds_(count|bucket)|failovers_total|topology_refreshes_total|dns_resolutions_total|queue_overflows_total)\b/;

function parse(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#') || !KEEP.test(line)) continue;
    const cut = line.lastIndexOf(' ');
    samples.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return samples;
}

/** Renders a rule's annotations the way Prometheus does for these simple templates. */
function annotations(alert: string, labels: Record<string, string>): { summary: string; runbook: string } {
  const text = readFileSync(rulesFile, 'utf8');
  const block = text.slice(text.indexOf(`alert: ${alert}\n`));
  const pick = (key: string) => new RegExp(`${key}: "(.*)"`).exec(block)?.[1] ?? '';
  const render = (s: string) => s.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_m, k: string) => labels[k] ?? '');
  return { summary: render(pick('summary')), runbook: render(pick('runbook')) };
}

const q = (s: string) => JSON.stringify(s);

function alertYaml(alert: string, evalSeconds: number, firing: Array<Record<string, string>>, severity: string): string {
  let y = `      - eval_time: ${evalSeconds}s\n        alertname: ${alert}\n`;
  if (firing.length === 0) return `${y}        exp_alerts: []\n`;
  y += '        exp_alerts:\n';
  for (const labels of firing) {
    const all = { ...labels, severity };
    const ann = annotations(alert, all);
    y += `          - exp_labels: { ${Object.entries(all)
      .map(([k, v]) => `${k}: ${q(v)}`)
      .join(', ')} }\n`;
    y += `            exp_annotations: { summary: ${q(ann.summary)}, runbook: ${q(ann.runbook)} }\n`;
  }
  return y;
}

async function main(): Promise<void> {
  const lab = createLab();
  try {
    const cluster = await lab.cluster({ primaries: 3, nodeTimeoutMs: 40_000 });
    const registry = new Registry();
    const redis = createResilientRedis({
      name: 'orders',
      mode: 'cluster',
      nodes: cluster.seeds(),
      logger: silentLogger,
      metrics: { registry },
    });
    const events: ResilienceEvent[] = [];
    redis.events$.subscribe((e) => events.push(e));
    await redis.connect();
    const primaries = await cluster.primaries();
    const victim = primaries[0]!;
    const replica = await cluster.replicaOf(victim);
    const victimId = `${victim.host}:${victim.port}`;
    const keys = await Promise.all(primaries.map((p) => cluster.keyForNode(p)));
    let stop = false;
    const worker = async (key: string) => {
      while (!stop) {
        await redis.set(key, 'v').catch(() => {});
        await delay(20);
      }
    };
    const load = Promise.all(keys.flatMap((k) => [worker(k), worker(k)]));

    const scrapes: Array<Map<string, number>> = [];
    const started = Date.now();
    const scrape = async () => scrapes.push(parse(await registry.metrics()));
    const ticker = setInterval(() => void scrape(), SCRAPE_MS);
    await scrape();
    await delay(4 * SCRAPE_MS);
    console.error(`pausing ${victimId}`);
    await victim.pause();
    await cluster.waitForPromotion(replica, 90_000);
    console.error(`promoted ${replica.host}:${replica.port} after ${Math.round((Date.now() - started) / 1000)} s`);
    const waitRecovered = async () => {
      while (!events.some((e) => e.type === 'failover.recovered')) await delay(100);
    };
    await waitRecovered();
    await victim.resume();
    await delay(8 * SCRAPE_MS);
    clearInterval(ticker);
    await scrape();
    stop = true;
    await load;
    await redis.close();

    const at = (e: ResilienceEvent | undefined) => (e ? (e.timestamp - started) / 1000 : NaN);
    const openedAt = at(events.find((e) => e.type === 'breaker.opened' && e.node === victimId));
    const recovered = events.find((e) => e.type === 'failover.recovered');
    const recoveredAt = at(recovered);
    const durationS = recovered?.type === 'failover.recovered' ? recovered.durationMs / 1000 : NaN;
    const endS = (scrapes.length - 1) * (SCRAPE_MS / 1000);
    console.error(
      `breaker opened at ${openedAt.toFixed(1)} s, recovered at ${recoveredAt.toFixed(1)} s (failover ${durationS.toFixed(1)} s), ${scrapes.length} scrapes`,
    );

    // Series: one value per scrape; `stale` where a series disappeared (a retired endpoint),
    // as Prometheus writes a staleness marker then.
    const names = [...new Set(scrapes.flatMap((s) => [...s.keys()]))].toSorted();
    let series = '';
    for (const name of names) {
      let seen = false;
      let gone = false;
      const values = scrapes.map((s) => {
        const v = s.get(name);
        if (v !== undefined) {
          seen = true;
          gone = false;
          return String(v);
        }
        if (seen && !gone) {
          gone = true;
          return 'stale';
        }
        return '_';
      });
      series += `      - series: ${q(name)}\n        values: ${q(values.join(' '))}\n`;
    }

    const openLong = recoveredAt - openedAt > 40;
    let expectations = '';
    // Mid-outage: open for more than 30 s on the hung primary (if the outage was that long).
    expectations += alertYaml(
      'RedisResilienceBreakerOpenOnPrimary',
      round5(openedAt + 40),
      openLong ? [{ client: 'orders', node: victimId }] : [],
      'critical',
    );
    expectations += alertYaml('RedisResilienceBreakerOpenOnPrimary', endS, [], 'critical');
    expectations += alertYaml(
      'RedisResilienceFailoverSlow',
      round5(recoveredAt + 5),
      durationS > 30 ? [{ client: 'orders' }] : [],
      'warning',
    );
    expectations += alertYaml('RedisResilienceFailoverSlow', round5(openedAt + 5), [], 'warning');
    for (const quiet of [
      'RedisResilienceClientDown',
      'RedisResilienceQueueOverflow',
      'RedisResilienceNoDnsAnswers',
      'RedisResilienceTopologyRefreshFailing',
    ]) {
      expectations += alertYaml(quiet, round5(recoveredAt), [], 'n/a');
      expectations += alertYaml(quiet, endS, [], 'n/a');
    }

    const synthetic = readFileSync(
      join(import.meta.dirname, '..', '..', '..', 'test', 'observability', 'synthetic-alert-cases.yml'),
      'utf8',
    );
    const yaml =
      `# GENERATED by \`npm run record:alert-series\` (test/observability/record-failover-series.ts) on ${new Date().toISOString().slice(0, 10)}.\n` +
      `# Recorded: a 3-shard lab cluster (cluster-node-timeout 40 s) under load, ${victimId} SIGSTOPed at 20 s;\n` +
      `# breaker opened at ${openedAt.toFixed(1)} s, the replica took over and the client recovered at ${recoveredAt.toFixed(1)} s\n` +
      `# (failover ${durationS.toFixed(1)} s); SIGCONT, then 40 s of calm. One scrape every ${SCRAPE_MS / 1000} s.\n` +
      `# The synthetic cases at the end come from test/observability/synthetic-alert-cases.yml.\n` +
      `rule_files:\n  - redis-resilience-alerts.yml\nevaluation_interval: 5s\ntests:\n` +
      `  - name: recorded lab failover (hung primary)\n    interval: ${SCRAPE_MS / 1000}s\n    input_series:\n${series}    alert_rule_test:\n${expectations}` +
      synthetic;
    writeFileSync(out, yaml);
    console.error(`wrote ${out} (${names.length} series)`);
  } finally {
    await lab.teardown();
  }
}

await main();

/** Seconds rounded up to the 5 s scrape interval. */
function round5(s: number): number {
  return Math.ceil(s / 5) * 5;
}
