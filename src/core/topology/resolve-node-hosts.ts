import { isIpAddress, type ClusterTopology, type NodeInfo, type ShardInfo } from './cluster-topology.js';

/**
 * Node hostnames in a topology that still need a DNS answer before we can connect. A cluster
 * that announces hostnames without their IPs (some managed services with TLS) lands here; we
 * resolve them with our own resolver rather than letting the socket do it, so the configured
 * DNS servers apply and the certificate is still verified against the name.
 */
export function unresolvedHosts(topology: ClusterTopology): string[] {
  const names = new Set<string>();
  for (const shard of topology.shards) {
    for (const node of [shard.primary, ...shard.replicas]) if (!isIpAddress(node.host)) names.add(node.host);
  }
  return [...names];
}

/**
 * A copy of `topology` whose named nodes connect to the IP found for their name. Nodes whose
 * name did not resolve are dropped: a node we cannot reach is no use for routing, and a shard
 * whose primary did not resolve leaves its slots uncovered, which triggers another refresh.
 */
export function withResolvedHosts(topology: ClusterTopology, addresses: ReadonlyMap<string, string>): ClusterTopology {
  const mapNode = (node: NodeInfo): NodeInfo | undefined => {
    if (isIpAddress(node.host)) return node;
    const ip = addresses.get(node.host);
    if (ip === undefined) return undefined;
    return Object.freeze({ ...node, host: ip, key: `${ip}:${node.port}`, hostname: node.hostname ?? node.host });
  };
  const slotOwner = new Int16Array(topology.slotOwner);
  const shards: ShardInfo[] = [];
  const indexMap = new Map<number, number>();
  topology.shards.forEach((shard, i) => {
    const primary = mapNode(shard.primary);
    if (!primary) return;
    indexMap.set(i, shards.length);
    const replicas = shard.replicas.map(mapNode).filter((r): r is NodeInfo => r !== undefined);
    shards.push(Object.freeze({ ...shard, primary, replicas: Object.freeze(replicas) }));
  });
  let uncovered = 0;
  for (let slot = 0; slot < slotOwner.length; slot++) {
    const owner = slotOwner[slot]!;
    const mapped = owner < 0 ? -1 : (indexMap.get(owner) ?? -1);
    slotOwner[slot] = mapped;
    if (mapped < 0) uncovered++;
  }
  return Object.freeze({ ...topology, shards: Object.freeze(shards), slotOwner, uncovered });
}
