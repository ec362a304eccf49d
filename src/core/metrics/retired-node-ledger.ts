import { EndpointStats } from '../endpoint/endpoint-stats.js';

/** The `node` label under which the counts of endpoints that went away are kept. */
export const RETIRED_NODE = 'retired';

export interface NodeStatsView {
  readonly node: string;
  readonly role: string;
  readonly stats: EndpointStats;
}

/**
 * Keeps the counts of a client's endpoints that went away (a swap, a node leaving the cluster),
 * so that counters read at scrape time never go down (issue 15), without keeping one series per
 * departed node forever: they are folded, per role, into the `node="retired"` series. The sum
 * over nodes of every counter is therefore monotonic, and the number of series stays bounded by
 * the live topology plus one per role.
 */
export class RetiredNodeLedger {
  private readonly seen = new Map<EndpointStats, { node: string; role: string }>();
  private readonly retired = new Map<string, EndpointStats>();

  /**
   * Notes the live endpoints of one scrape and folds those seen before but gone now. Returns
   * the node ids that left (and are not live under another endpoint).
   */
  update(live: Iterable<NodeStatsView>): string[] {
    const now = new Set<EndpointStats>();
    const liveIds = new Set<string>();
    for (const n of live) {
      now.add(n.stats);
      liveIds.add(n.node);
      if (!this.seen.has(n.stats)) this.seen.set(n.stats, { node: n.node, role: n.role });
    }
    const departed: string[] = [];
    for (const [stats, where] of this.seen) {
      if (now.has(stats)) continue;
      this.seen.delete(stats);
      fold(this.retiredFor(where.role), stats);
      if (!liveIds.has(where.node)) departed.push(where.node);
    }
    return departed;
  }

  /** The folded counts, one view per role that ever lost an endpoint. */
  *nodes(): Iterable<NodeStatsView> {
    for (const [role, stats] of this.retired) yield { node: RETIRED_NODE, role, stats };
  }

  private retiredFor(role: string): EndpointStats {
    let stats = this.retired.get(role);
    if (!stats) this.retired.set(role, (stats = new EndpointStats()));
    return stats;
  }
}

function fold(into: EndpointStats, from: EndpointStats): void {
  into.ok += from.ok;
  for (const [scenario, count] of from.errors) into.errors.set(scenario, (into.errors.get(scenario) ?? 0) + count);
  for (const [scenario, count] of from.retries) into.retries.set(scenario, (into.retries.get(scenario) ?? 0) + count);
  for (let i = 0; i < from.buckets.length; i++) into.buckets[i]! += from.buckets[i]!;
  into.durationSumS += from.durationSumS;
  into.durationCount += from.durationCount;
  into.overflows += from.overflows;
  into.primaryDownReads += from.primaryDownReads;
}
