/** Cluster topology refresh settings, all in milliseconds except `timeoutsToRefresh`. */
export interface ClusterTopologySettings {
  refreshIntervalMs: number;
  minRefreshGapMs: number;
  timeoutsToRefresh: number;
  timeoutWindowMs: number;
  maxRefreshBackoffMs: number;
  changeCheckIntervalMs: number;
  degradedChangeCheckIntervalMs: number;
  episodeQuietMs: number;
  confirmDelayMs: number;
}

/** Cluster refresh defaults; `ClusterModeOptions.topology` overrides the first four. */
export const CLUSTER_TOPOLOGY_DEFAULTS: Readonly<ClusterTopologySettings> = Object.freeze({
  /**
   * The periodic full read (CLUSTER SLOTS), jittered ±20 %: never sooner than 60 s after the
   * last one, so a fleet's steady cost stays under one full read per client per minute.
   * Changes between two full reads are caught by the cheap check below, and by MOVED.
   */
  refreshIntervalMs: 75_000,
  /** The refresh-storm bound: at most one refresh starts per 250 ms, per client. */
  minRefreshGapMs: 250,
  timeoutsToRefresh: 2,
  timeoutWindowMs: 1000,
  /**
   * Longest gap between refreshes while they fail (every node down). Bounds both the load a
   * client adds to a cluster that is down and how long it takes to notice it is back.
   */
  maxRefreshBackoffMs: 2000,
  /**
   * CLUSTER INFO on one node, jittered ±20 %. Its reply is a few hundred bytes at any cluster
   * size, but on a 6-node cluster it costs the server about as much as CLUSTER SLOTS (tens of
   * µs): 6 a minute keeps a client's steady cost near what 12 full reads a minute used to be,
   * and far below it on a large cluster, whose CLUSTER SLOTS reply grows with every node.
   */
  changeCheckIntervalMs: 10_000,
  /** The same while a shard fails and no replica of it can be watched: the epoch shows its promotion. */
  degradedChangeCheckIntervalMs: 1000,
  /** Evidence this close to the previous piece belongs to the same failover episode. */
  episodeQuietMs: 5000,
  /**
   * How long after adopting a promotion the confirming full read waits (jittered ±50 %): by
   * then the winner has claimed its slots cluster-wide, and a fleet spreads its reads out.
   */
  confirmDelayMs: 1000,
});
