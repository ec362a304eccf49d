import type { NodeAddress } from '../options/resilient-redis-options.js';
import type { ClusterFingerprint } from './change-detector.js';

export const SLOT_COUNT = 16384;

/** One shard: a primary and its replicas, owning one or more slot ranges. */
export interface ShardInfo {
  /** Stable label: the first slot range, e.g. `0-5460`. Survives a failover. */
  readonly label: string;
  readonly primary: NodeInfo;
  readonly replicas: readonly NodeInfo[];
  readonly ranges: ReadonlyArray<readonly [number, number]>;
}

export interface NodeInfo extends NodeAddress {
  /** `host:port` as we connect to it. */
  readonly key: string;
  /** Cluster node id, when the server sent one. */
  readonly id: string | undefined;
  /** Hostname the server announced, for TLS verification (ElastiCache with TLS). */
  readonly hostname: string | undefined;
}

/** Immutable view of the cluster: who owns which slot. */
export interface ClusterTopology {
  readonly shards: readonly ShardInfo[];
  /**
   * Shard index per slot; -1 when no shard owns it. Never written after the snapshot is built
   * (a typed array cannot be frozen): a new layout is always a new snapshot.
   */
  readonly slotOwner: Int16Array;
  /** Wall-clock ms when it was fetched. */
  readonly fetchedAt: number;
  /** `host:port` of the node that answered. */
  readonly source: string;
  /** Count of slots with no owner. */
  readonly uncovered: number;
  /** `CLUSTER INFO` of the node that answered, read with the slots: the change detector's baseline. */
  readonly fingerprint?: ClusterFingerprint | undefined;
}

/** True for an IPv4 or IPv6 literal (we connect to these without resolving). */
export function isIpAddress(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

function toNode(entry: unknown, fallbackHost: string): NodeInfo | undefined {
  if (!Array.isArray(entry) || entry.length < 2) return undefined;
  const rawHost = String(entry[0] ?? '');
  const port = Number(entry[1]);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return undefined;
  // Redis 7 appends the endpoints it did not prefer: `ip` when it prefers hostnames (TLS
  // clusters, ElastiCache), `hostname` when it prefers IPs. RESP2 sends them as a flat list.
  const meta = new Map<string, string>();
  const extra = entry[3];
  if (Array.isArray(extra)) {
    for (let i = 0; i + 1 < extra.length; i += 2) meta.set(String(extra[i]), String(extra[i + 1]));
  } else if (extra instanceof Map) {
    for (const [k, v] of extra) meta.set(String(k), String(v));
  }
  let host: string;
  let hostname: string | undefined;
  const announcedIp = meta.get('ip');
  if (rawHost === '' || rawHost === '?') {
    // "The address you reached me on" (cluster-preferred-endpoint-type unknown-endpoint).
    host = announcedIp || fallbackHost;
    hostname = meta.get('hostname') || undefined;
  } else if (isIpAddress(rawHost)) {
    host = rawHost;
    hostname = meta.get('hostname') || undefined;
  } else {
    // A hostname: connect by its IP when the server told us, else it must be resolved first
    // (see resolve-node-hosts.ts); TLS verifies the certificate against the name either way.
    host = announcedIp || rawHost;
    hostname = rawHost;
  }
  return Object.freeze({ host, port, key: `${host}:${port}`, id: entry[2] === undefined ? undefined : String(entry[2]), hostname });
}

/** A slot number from a reply element; -1 for anything that is not an integer in range. */
function slotNumber(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  return Number.isInteger(n) && n >= 0 && n < SLOT_COUNT ? n : -1;
}

/**
 * Builds a topology from a `CLUSTER SLOTS` reply. Ranges owned by the same primary form one
 * shard. Runs in O(slots) with one typed array, so a 500-shard reply stays cheap.
 */
export function parseClusterSlots(reply: unknown, source: NodeAddress): ClusterTopology {
  if (!Array.isArray(reply)) throw new Error('CLUSTER SLOTS reply is not an array');
  const slotOwner = new Int16Array(SLOT_COUNT).fill(-1);
  const byPrimary = new Map<string, { primary: NodeInfo; replicas: Map<string, NodeInfo>; ranges: Array<[number, number]> }>();
  const order: string[] = [];
  // A slot claimed twice means the reply is not a cluster's view (a server never sends that);
  // it would also let more shards exist than slots, past what an Int16Array index can hold.
  const claimed = new Uint8Array(SLOT_COUNT);
  for (const range of reply) {
    if (!Array.isArray(range) || range.length < 3) continue;
    const start = slotNumber(range[0]);
    const end = slotNumber(range[1]);
    const primary = toNode(range[2], source.host);
    if (!primary || start < 0 || end < 0 || start > end) continue;
    if (claimed.subarray(start, end + 1).includes(1)) throw new Error(`CLUSTER SLOTS reply claims slots ${start}-${end} twice`);
    claimed.fill(1, start, end + 1);
    let shard = byPrimary.get(primary.key);
    if (!shard) {
      shard = { primary, replicas: new Map(), ranges: [] };
      byPrimary.set(primary.key, shard);
      order.push(primary.key);
    }
    shard.ranges.push([start, end]);
    for (let i = 3; i < range.length; i++) {
      const replica = toNode(range[i], source.host);
      if (replica) shard.replicas.set(replica.key, replica);
    }
  }
  const shards: ShardInfo[] = [];
  let covered = 0;
  for (const key of order) {
    const s = byPrimary.get(key)!;
    s.ranges.sort((a, b) => a[0] - b[0]);
    const index = shards.length;
    for (const [start, end] of s.ranges) {
      slotOwner.fill(index, start, end + 1);
      covered += end - start + 1;
    }
    shards.push(
      Object.freeze({
        label: `${s.ranges[0]![0]}-${s.ranges[0]![1]}`,
        primary: s.primary,
        replicas: Object.freeze([...s.replicas.values()]),
        ranges: Object.freeze(s.ranges.map((r) => Object.freeze(r) as readonly [number, number])),
      }),
    );
  }
  return Object.freeze({
    shards: Object.freeze(shards),
    slotOwner,
    fetchedAt: Date.now(),
    source: `${source.host}:${source.port}`,
    uncovered: SLOT_COUNT - covered,
  });
}

/** What changed between two topologies, as node keys. */
export interface TopologyDiff {
  readonly changed: boolean;
  readonly added: string[];
  readonly removed: string[];
  /** Shards whose primary changed: `old -> new`. */
  readonly promoted: string[];
}

/** Every `host:port` a topology names, primaries and replicas. */
export function nodeKeys(t: ClusterTopology | undefined): Set<string> {
  const keys = new Set<string>();
  if (!t) return keys;
  for (const s of t.shards) {
    keys.add(s.primary.key);
    for (const r of s.replicas) keys.add(r.key);
  }
  return keys;
}

export function diffTopology(before: ClusterTopology | undefined, after: ClusterTopology): TopologyDiff {
  const a = nodeKeys(before);
  const b = nodeKeys(after);
  const added = [...b].filter((k) => !a.has(k));
  const removed = [...a].filter((k) => !b.has(k));
  const promoted: string[] = [];
  const beforeByLabel = new Map(before?.shards.map((s) => [s.label, s.primary.key]));
  for (const s of after.shards) {
    const old = beforeByLabel.get(s.label);
    if (old !== undefined && old !== s.primary.key) promoted.push(`${old} -> ${s.primary.key}`);
  }
  let slotsMoved = false;
  if (before) {
    for (let i = 0; i < SLOT_COUNT && !slotsMoved; i++) {
      const x = before.slotOwner[i]!;
      const y = after.slotOwner[i]!;
      const kx = x < 0 ? '' : before.shards[x]!.primary.key;
      const ky = y < 0 ? '' : after.shards[y]!.primary.key;
      if (kx !== ky) slotsMoved = true;
    }
  }
  return { changed: !before || added.length > 0 || removed.length > 0 || promoted.length > 0 || slotsMoved, added, removed, promoted };
}

/**
 * The snapshot after a replica of shard `shard` won a failover: `replicaKey` becomes the
 * primary of the same slots, and the old primary leaves the snapshot (it returns, if ever, as
 * a replica that the next refresh will list). Undefined when `replicaKey` is not a replica of
 * that shard (the snapshot moved on meanwhile).
 */
export function withPromotedReplica(topology: ClusterTopology, shard: number, replicaKey: string): ClusterTopology | undefined {
  const old = topology.shards[shard];
  const promoted = old?.replicas.find((r) => r.key === replicaKey);
  if (!old || !promoted) return undefined;
  const shards = topology.shards.slice();
  shards[shard] = Object.freeze({
    ...old,
    primary: promoted,
    replicas: Object.freeze(old.replicas.filter((r) => r !== promoted)),
  });
  return Object.freeze({ ...topology, shards: Object.freeze(shards), fetchedAt: Date.now() });
}
