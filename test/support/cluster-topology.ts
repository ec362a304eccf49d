/**
 * Reading a cluster's layout: `CLUSTER NODES` parsing, slot ranges, and keys that hash to a given
 * shard. Pure functions, so they can be unit tested and reused by failover tests.
 */
import { createRequire } from 'node:module';

/** Number of hash slots in a Redis cluster. */
export const slotCount = 16_384;

// cluster-key-slot is what ioredis itself uses to route keys (a dependency of ioredis, no types),
// so the lab's idea of "which shard owns this key" is exactly the client's.
const keySlot = createRequire(import.meta.url)('cluster-key-slot') as (key: string) => number;

/** The hash slot of a key (honours `{hash tags}`). */
export function slotOfKey(key: string): number {
  return keySlot(key);
}

/** One line of `CLUSTER NODES`. */
export interface ClusterNodeInfo {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly busPort: number;
  /** The announced hostname, if any (`cluster-announce-hostname`). */
  readonly hostname: string | undefined;
  readonly flags: readonly string[];
  readonly role: 'master' | 'slave';
  /** Id of its primary, for replicas. */
  readonly masterId: string | undefined;
  /** `fail` (agreed) or `fail?` (suspected by the reporting node). */
  readonly failing: boolean;
  readonly connected: boolean;
  /** Inclusive slot ranges served (migrating/importing markers are ignored). */
  readonly slots: readonly (readonly [number, number])[];
}

/** Parses the text of `CLUSTER NODES`. */
export function parseClusterNodes(text: string): ClusterNodeInfo[] {
  const nodes: ClusterNodeInfo[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ');
    if (fields.length < 8) continue;
    const [id, address, flagText, master, , , , linkState, ...slotFields] = fields as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      ...string[],
    ];
    // ip:port@cport[,hostname]
    const [endpoint = '', hostname] = address.split(',');
    const [hostPort = '', bus = '0'] = endpoint.split('@');
    const colon = hostPort.lastIndexOf(':');
    const flags = flagText.split(',');
    const slots: [number, number][] = [];
    for (const field of slotFields) {
      if (field.startsWith('[')) continue;
      const [from, to] = field.split('-');
      slots.push([Number(from), Number(to ?? from)]);
    }
    nodes.push({
      id,
      host: hostPort.slice(0, colon),
      port: Number(hostPort.slice(colon + 1)),
      busPort: Number(bus),
      hostname: hostname || undefined,
      flags,
      role: flags.includes('slave') ? 'slave' : 'master',
      masterId: master === '-' ? undefined : master,
      failing: flags.includes('fail') || flags.includes('fail?'),
      connected: linkState === 'connected',
      slots,
    });
  }
  return nodes;
}

/** A primary with its slots and replicas, as one node sees the cluster. */
export interface ShardInfo {
  readonly primary: ClusterNodeInfo;
  readonly replicas: readonly ClusterNodeInfo[];
  readonly slots: readonly (readonly [number, number])[];
}

/** Groups a `CLUSTER NODES` view into shards (primaries that serve at least one slot). */
export function shardsOf(nodes: readonly ClusterNodeInfo[]): ShardInfo[] {
  return nodes
    .filter((n) => n.role === 'master' && n.slots.length > 0)
    .map((primary) => ({
      primary,
      replicas: nodes.filter((n) => n.role === 'slave' && n.masterId === primary.id),
      slots: primary.slots,
    }))
    .toSorted((a, b) => (a.slots[0]?.[0] ?? 0) - (b.slots[0]?.[0] ?? 0));
}

/** True if `slot` falls in one of `ranges`. */
export function inRanges(slot: number, ranges: readonly (readonly [number, number])[]): boolean {
  return ranges.some(([from, to]) => slot >= from && slot <= to);
}

/** Splits the 16384 slots into `parts` contiguous ranges, the way `redis-cli --cluster create` does. */
export function evenSlotRanges(parts: number): [number, number][] {
  const ranges: [number, number][] = [];
  const per = slotCount / parts;
  let first = 0;
  for (let i = 0; i < parts; i += 1) {
    const last = i === parts - 1 ? slotCount - 1 : Math.round((i + 1) * per) - 1;
    ranges.push([first, last]);
    first = last + 1;
  }
  return ranges;
}

/**
 * `count` distinct keys whose slots fall in `ranges`, each with its own hash tag
 * (`{prefix-17}:key`), so tests can spread load over slots of one shard.
 */
export function keysInRanges(ranges: readonly (readonly [number, number])[], count: number, prefix = 'k'): string[] {
  const keys: string[] = [];
  for (let i = 0; keys.length < count && i < 1_000_000; i += 1) {
    const tag = `${prefix}-${i}`;
    if (inRanges(slotOfKey(tag), ranges)) keys.push(`{${tag}}:key`);
  }
  if (keys.length < count) throw new Error(`found only ${keys.length} keys for slots ${JSON.stringify(ranges)}`);
  return keys;
}
