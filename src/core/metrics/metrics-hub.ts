import { Counter, Gauge, Histogram, register as globalRegistry, type Registry } from 'prom-client';
import { DURATION_BUCKETS_S, type EndpointStats } from '../endpoint/endpoint-stats.js';
import type { BreakerStateName } from '../events/resilience-event.js';
import { DEFAULT_METRIC_PREFIX, METRICS, SLOW_EVENT_BUCKETS_S } from './metric-names.js';
import { ScrapeTimeHistogram, registerOnce, type HistogramSample } from './scrape-histogram.js';
import type { ClientSeries } from './client-series.js';
import { RetiredNodeLedger } from './retired-node-ledger.js';

/** What a client exposes to the scrape: a snapshot of its nodes' plain-number stats. */
export interface MetricsSource {
  readonly client: string;
  nodes(): Iterable<{ node: string; role: string; stats: EndpointStats; breaker: BreakerStateName; ready: boolean; queueDepth: number }>;
  inFlight(): number;
}

const labels = (key: keyof typeof METRICS): string[] => [...METRICS[key].labels];

const BREAKER_STATES: readonly BreakerStateName[] = ['closed', 'open', 'half-open'];

/**
 * The metric set of one registry and prefix, shared by every client registered there. Two
 * apps (or many test apps) in one process reuse the same metric objects instead of failing
 * with "already registered". Point-in-time values are read from the sources at scrape time.
 */
export class MetricsHub {
  readonly sources = new Set<MetricsSource>();
  private readonly accounts = new Map<MetricsSource, { ledger: RetiredNodeLedger; series: ClientSeries }>();
  readonly breakerTransitions: Counter<string>;
  readonly retries: Counter<string>;
  readonly topologyRefreshes: Counter<string>;
  readonly topologyRefreshDuration: Histogram<string>;
  readonly dnsResolutions: Counter<string>;
  readonly dnsChanges: Counter<string>;
  readonly failovers: Counter<string>;
  readonly failoverDuration: Histogram<string>;

  constructor(registry: Registry, prefix: string) {
    const n = (key: keyof typeof METRICS): string => prefix + METRICS[key].name;
    const hub = { sources: this.sources, counted: (src: MetricsSource) => this.countedNodes(src) };
    const counter = (key: keyof typeof METRICS, collect?: (this: Counter<string>) => void): Counter<string> =>
      registerOnce(
        registry,
        n(key),
        () =>
          new Counter({ name: n(key), help: METRICS[key].help, labelNames: labels(key), registers: [], ...(collect ? { collect } : {}) }),
      );
    const gauge = (key: keyof typeof METRICS, collect: (this: Gauge<string>) => void): Gauge<string> =>
      registerOnce(
        registry,
        n(key),
        () => new Gauge({ name: n(key), help: METRICS[key].help, labelNames: labels(key), registers: [], collect }),
      );
    const histogram = (key: keyof typeof METRICS): Histogram<string> =>
      registerOnce(
        registry,
        n(key),
        () =>
          new Histogram({ name: n(key), help: METRICS[key].help, labelNames: labels(key), buckets: SLOW_EVENT_BUCKETS_S, registers: [] }),
      );

    counter('commands', function () {
      this.reset();
      for (const src of hub.sources) {
        for (const e of hub.counted(src)) {
          // A read served for a down primary is also in `ok` (bounded by it, so the split can't dip).
          const fallback = Math.min(e.stats.primaryDownReads, e.stats.ok);
          this.inc({ client: src.client, node: e.node, role: e.role, outcome: 'success', scenario: 'none' }, e.stats.ok - fallback);
          if (fallback > 0)
            this.inc(
              { client: src.client, node: e.node, role: e.role, outcome: 'success', scenario: 'none', fallback: 'primary-down' },
              fallback,
            );
          for (const [scenario, count] of e.stats.errors) {
            this.inc({ client: src.client, node: e.node, role: e.role, outcome: 'error', scenario }, count);
          }
        }
      }
    });
    registerOnce(
      registry,
      n('commandDuration'),
      () =>
        new ScrapeTimeHistogram(
          n('commandDuration'),
          METRICS.commandDuration.help,
          METRICS.commandDuration.labels,
          DURATION_BUCKETS_S,
          function* (): Iterable<HistogramSample> {
            for (const src of hub.sources) {
              for (const e of hub.counted(src)) {
                yield {
                  labels: { client: src.client, node: e.node, role: e.role },
                  counts: e.stats.buckets,
                  sum: e.stats.durationSumS,
                  count: e.stats.durationCount,
                };
              }
            }
          },
        ),
    );
    gauge('breakerState', function () {
      this.reset();
      for (const src of hub.sources) {
        for (const e of src.nodes()) {
          for (const state of BREAKER_STATES) this.set({ client: src.client, node: e.node, state }, e.breaker === state ? 1 : 0);
        }
      }
    });
    gauge('queueDepth', function () {
      this.reset();
      for (const src of hub.sources) for (const e of src.nodes()) this.set({ client: src.client, node: e.node }, e.queueDepth);
    });
    counter('queueOverflows', function () {
      this.reset();
      for (const src of hub.sources) for (const e of hub.counted(src)) this.inc({ client: src.client, node: e.node }, e.stats.overflows);
    });
    gauge('inFlight', function () {
      this.reset();
      for (const src of hub.sources) this.set({ client: src.client }, src.inFlight());
    });
    gauge('connected', function () {
      this.reset();
      for (const src of hub.sources)
        for (const e of src.nodes()) this.set({ client: src.client, node: e.node, role: e.role }, e.ready ? 1 : 0);
    });
    this.breakerTransitions = counter('breakerTransitions');
    this.retries = counter('retries');
    this.topologyRefreshes = counter('topologyRefreshes');
    this.topologyRefreshDuration = histogram('topologyRefreshDuration');
    this.dnsResolutions = counter('dnsResolutions');
    this.dnsChanges = counter('dnsChanges');
    this.failovers = counter('failovers');
    this.failoverDuration = histogram('failoverDuration');
  }

  /** Starts reading `source` at scrape time; `series` holds its event-driven series. */
  attach(source: MetricsSource, series: ClientSeries): void {
    this.sources.add(source);
    this.accounts.set(source, { ledger: new RetiredNodeLedger(), series });
  }

  /**
   * Stops reading `source` and removes its series: a closed client's metrics go away with it.
   * Not while another client of the same name is attached: they share those series.
   */
  detach(source: MetricsSource): void {
    const account = this.accounts.get(source);
    this.sources.delete(source);
    this.accounts.delete(source);
    if (account && ![...this.sources].some((s) => s.client === source.client)) account.series.removeAll();
  }

  /**
   * The nodes whose counts a counter reports: the live ones, plus the `retired` fold of those
   * that went away, so that the totals never go down.
   */
  private countedNodes(source: MetricsSource): Array<{ node: string; role: string; stats: EndpointStats }> {
    const live = [...source.nodes()];
    const account = this.accounts.get(source);
    if (!account) return live;
    for (const node of account.ledger.update(live)) account.series.foldNode(node);
    return [...live, ...account.ledger.nodes()];
  }
}

const hubs = new WeakMap<Registry, Map<string, MetricsHub>>();

/** The hub for `registry` and `prefix`, created on first use. */
export function getMetricsHub(registry: Registry = globalRegistry, prefix: string = DEFAULT_METRIC_PREFIX): MetricsHub {
  let byPrefix = hubs.get(registry);
  if (!byPrefix) hubs.set(registry, (byPrefix = new Map()));
  let hub = byPrefix.get(prefix);
  if (!hub) byPrefix.set(prefix, (hub = new MetricsHub(registry, prefix)));
  return hub;
}
