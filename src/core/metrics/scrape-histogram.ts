import type { Registry } from 'prom-client';

export interface HistogramSample {
  labels: Record<string, string>;
  /** Non-cumulative counts per bucket; the last entry is +Inf. */
  counts: ArrayLike<number>;
  sum: number;
  count: number;
}

/**
 * A histogram whose values are computed at scrape time from counts the command path keeps
 * in plain numbers. prom-client's own Histogram would cost ~0.7 µs per observe on every
 * command; this costs nothing until Prometheus scrapes.
 */
export class ScrapeTimeHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly labelNames: string[];

  constructor(
    readonly name: string,
    readonly help: string,
    labelNames: readonly string[],
    private readonly bucketsS: readonly number[],
    private readonly samples: () => Iterable<HistogramSample>,
  ) {
    this.labelNames = [...labelNames];
  }

  get(): {
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }>;
  } {
    const values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> = [];
    for (const s of mergeByLabels(this.samples(), this.bucketsS.length + 1)) {
      let cumulative = 0;
      for (let i = 0; i < this.bucketsS.length; i++) {
        cumulative += s.counts[i] ?? 0;
        values.push({ labels: { ...s.labels, le: this.bucketsS[i]! }, value: cumulative, metricName: `${this.name}_bucket` });
      }
      cumulative += s.counts[this.bucketsS.length] ?? 0;
      values.push({ labels: { ...s.labels, le: '+Inf' }, value: cumulative, metricName: `${this.name}_bucket` });
      values.push({ labels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {}
}

/**
 * Sums samples that carry the same labels: two clients with one name in one process (two app
 * instances in a test, say) must add up to one series, not emit it twice.
 */
function mergeByLabels(samples: Iterable<HistogramSample>, width: number): HistogramSample[] {
  const merged = new Map<string, { labels: Record<string, string>; counts: number[]; sum: number; count: number }>();
  for (const s of samples) {
    const key = JSON.stringify(s.labels);
    let m = merged.get(key);
    if (!m) merged.set(key, (m = { labels: s.labels, counts: Array.from({ length: width }, () => 0), sum: 0, count: 0 }));
    for (let i = 0; i < width; i++) m.counts[i]! += s.counts[i] ?? 0;
    m.sum += s.sum;
    m.count += s.count;
  }
  return [...merged.values()];
}

/** Registers `metric` unless a metric of that name is already there; returns the one in use. */
export function registerOnce<T>(registry: Registry, name: string, create: () => T): T {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as unknown as T;
  const metric = create();
  registry.registerMetric(metric as never);
  return metric;
}
