/**
 * Forming a cluster from started nodes, the way `redis-cli --cluster create` does, plus the
 * "is it settled yet?" check that every lab wait builds on. Failover tests only measure something
 * meaningful if they start from a cluster where every node agrees on the layout.
 */
import { parseInfo } from './admin-client.js';
import { type ClusterNodeInfo, evenSlotRanges, parseClusterNodes } from './cluster-topology.js';
import type { RedisNode } from './redis-node.js';
import { waitFor } from './wait.js';

/** The intended layout: which nodes are primaries, and each replica's primary. */
export interface ClusterLayout {
  readonly primaries: readonly RedisNode[];
  readonly replicas: readonly { readonly node: RedisNode; readonly primary: RedisNode }[];
}

/** Reads and caches each node's cluster id (`CLUSTER MYID`). */
export async function readNodeIds(nodes: readonly RedisNode[]): Promise<void> {
  await Promise.all(
    nodes.map(async (node) => {
      node.nodeId ??= String(await node.command('CLUSTER', 'MYID'));
    }),
  );
}

/** `CLUSTER NODES` of one node, parsed. */
export async function clusterNodesOf(node: RedisNode): Promise<ClusterNodeInfo[]> {
  return parseClusterNodes(String(await node.command('CLUSTER', 'NODES')));
}

/** Has `from` MEET every other node at its current address. */
export async function meetAll(from: RedisNode, others: readonly RedisNode[]): Promise<void> {
  for (const other of others) {
    if (other !== from) await from.command('CLUSTER', 'MEET', other.host, other.port, other.busPort);
  }
}

/**
 * Assigns slots evenly, joins every node, attaches replicas, and waits until the layout has
 * converged on every node. Nodes must be freshly started, empty cluster-mode servers.
 */
export async function formCluster(layout: ClusterLayout, timeoutMs: number): Promise<void> {
  const all = [...layout.primaries, ...layout.replicas.map((r) => r.node)];
  await readNodeIds(all);
  const ranges = evenSlotRanges(layout.primaries.length);
  await Promise.all(
    layout.primaries.map(async (primary, i) => {
      const [from, to] = ranges[i] as [number, number];
      // Distinct epochs up front, as redis-cli does: otherwise the nodes resolve the collision
      // themselves, which takes extra gossip rounds.
      await primary.command('CLUSTER', 'SET-CONFIG-EPOCH', i + 1);
      await primary.command('CLUSTER', 'ADDSLOTSRANGE', from, to);
    }),
  );
  const [first] = all as [RedisNode];
  await meetAll(first, all);
  await Promise.all(
    layout.replicas.map(async ({ node, primary }) => {
      // REPLICATE fails with "Unknown node" until gossip has brought the primary to this node.
      await waitFor(async () => (await clusterNodesOf(node)).some((n) => n.id === primary.nodeId && !n.flags.includes('handshake')), {
        timeoutMs,
        what: `${node.address} to learn about ${primary.address}`,
      });
      await node.command('CLUSTER', 'REPLICATE', String(primary.nodeId));
    }),
  );
  await waitForConvergence(all, layout, timeoutMs);
}

/**
 * Waits until every running node reports `cluster_state:ok` with all slots ok, knows every node,
 * sees no failing or handshaking node among the running ones, agrees with the others on who
 * serves which slots and who replicates whom, and every running replica's link is up. With a
 * `layout`, also requires that exact layout.
 */
export async function waitForConvergence(nodes: readonly RedisNode[], layout: ClusterLayout | undefined, timeoutMs: number): Promise<void> {
  await waitFor(() => convergenceProblem(nodes, layout).then((problem) => (problem ? Promise.reject(new Error(problem)) : true)), {
    timeoutMs,
    intervalMs: 50,
    what: 'the cluster to converge',
    diagnose: () => nodes.map((n) => `--- ${n.label} ${n.address} (${n.status}) log tail:\n${n.logTail(8)}`).join('\n'),
  });
}

/** Describes the first thing that is not settled yet, or returns '' when the cluster has converged. */
export async function convergenceProblem(nodes: readonly RedisNode[], layout: ClusterLayout | undefined): Promise<string> {
  const running = nodes.filter((n) => n.status === 'running');
  const runningIds = new Set(running.map((n) => n.nodeId));
  let reference: string | undefined;
  for (const node of running) {
    const info = parseInfo(String(await node.command('CLUSTER', 'INFO')));
    if (info.cluster_state !== 'ok') return `${node.address}: cluster_state ${info.cluster_state}`;
    if (info.cluster_slots_ok !== '16384') return `${node.address}: cluster_slots_ok ${info.cluster_slots_ok}`;
    if (Number(info.cluster_known_nodes) !== nodes.length) {
      return `${node.address}: knows ${info.cluster_known_nodes} of ${nodes.length} nodes`;
    }
    const view = await clusterNodesOf(node);
    for (const other of view) {
      if (!runningIds.has(other.id)) continue;
      if (other.failing || other.flags.includes('handshake') || other.flags.includes('noaddr')) {
        return `${node.address} sees ${other.host}:${other.port} as ${other.flags.join(',')}`;
      }
      if (!other.flags.includes('myself') && !other.connected) {
        return `${node.address} has no link to ${other.host}:${other.port}`;
      }
    }
    const signature = layoutSignature(view);
    reference ??= signature;
    if (signature !== reference) return `${node.address} disagrees on the layout: ${signature} vs ${reference}`;
    if (view.find((n) => n.flags.includes('myself'))?.role === 'slave') {
      const replication = parseInfo(String(await node.command('INFO', 'replication')));
      if (replication.master_link_status !== 'up') return `${node.address}: master_link_status ${replication.master_link_status}`;
    }
  }
  if (layout && reference !== undefined) {
    const expected = [
      ...layout.primaries.map((p) => `${p.nodeId}:master`),
      ...layout.replicas.map((r) => `${r.node.nodeId}:slave-of-${r.primary.nodeId}`),
    ];
    for (const entry of expected) {
      if (!reference.includes(entry)) return `layout not reached yet: missing ${entry}`;
    }
  }
  return '';
}

/** A canonical string of who serves which slots and who replicates whom. */
function layoutSignature(view: readonly ClusterNodeInfo[]): string {
  return view
    .map((n) => (n.role === 'master' ? `${n.id}:master[${n.slots.map((s) => s.join('-')).join(' ')}]` : `${n.id}:slave-of-${n.masterId}`))
    .toSorted()
    .join(' | ');
}
