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

  get(): { name: string; help: string; type: string; aggregator: string; values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> } {
    const values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> = [];
    for (const s of this.samples()) {
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

/** Registers `metric` unless a metric of that name is already there; returns the one in use. */
export function registerOnce<T>(registry: Registry, name: string, create: () => T): T {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as unknown as T;
  const metric = create();
  registry.registerMetric(metric as never);
  return metric;
}
