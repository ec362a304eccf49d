import type { Counter, Histogram } from 'prom-client';
import { RETIRED_NODE } from './retired-node-ledger.js';

type Labels = Record<string, string>;

/**
 * The event-driven series one client has written (breaker transitions, retries, refreshes, DNS,
 * failovers), remembered so that they can be taken away again: a closed client's series are
 * removed (20 create/close cycles once left 400 series behind), and a departed node's counts are
 * folded into `node="retired"` so that no counter goes down.
 */
export class ClientSeries {
  private readonly counters = new Map<Counter<string>, Map<string, { labels: Labels; value: number }>>();
  private readonly histograms = new Map<Histogram<string>, Map<string, Labels>>();

  inc(counter: Counter<string>, labels: Labels, by = 1): void {
    counter.inc(labels, by);
    let series = this.counters.get(counter);
    if (!series) this.counters.set(counter, (series = new Map()));
    const key = keyOf(labels);
    const entry = series.get(key);
    if (entry) entry.value += by;
    else series.set(key, { labels, value: by });
  }

  observe(histogram: Histogram<string>, labels: Labels, value: number): void {
    histogram.observe(labels, value);
    let series = this.histograms.get(histogram);
    if (!series) this.histograms.set(histogram, (series = new Map()));
    series.set(keyOf(labels), labels);
  }

  /** Moves the counts of `node` to the `retired` series of the same labels. */
  foldNode(node: string): void {
    for (const [counter, series] of this.counters) {
      // Deleting and adding while iterating a Map is well defined; the retired series added
      // here are visited too, and skipped (their node is RETIRED_NODE).
      for (const [key, entry] of series) {
        if (entry.labels.node !== node) continue;
        counter.remove(entry.labels);
        series.delete(key);
        this.inc(counter, { ...entry.labels, node: RETIRED_NODE }, entry.value);
      }
    }
  }

  /** Removes every series this client wrote. */
  removeAll(): void {
    for (const [counter, series] of this.counters) for (const { labels } of series.values()) counter.remove(labels);
    for (const [histogram, series] of this.histograms) for (const labels of series.values()) histogram.remove(labels);
    this.counters.clear();
    this.histograms.clear();
  }
}

function keyOf(labels: Labels): string {
  return Object.keys(labels)
    .toSorted()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}
