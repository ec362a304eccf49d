import { nodeKeys, SLOT_COUNT, type ClusterTopology } from './cluster-topology.js';

/**
 * A new answer must cover at least this share of the slots the current map covers. A node
 * that just restarted with an empty config, or one that lost its view, answers CLUSTER SLOTS
 * with little or nothing; adopting that would retire every endpoint and fail every call until
 * the seeds were resolved again. A real loss of shards with full coverage off still passes
 * in a cluster of three or more shards (each holds about a third of the slots or less).
 */
export const MIN_COVERAGE_RATIO = 0.5;

/**
 * The most nodes one answer may add to those we know. A cluster grows by a few nodes at a
 * time; an answer naming hundreds of new hosts is a hostile or broken server, and each one
 * would cost a connection. Twice the cluster's size is allowed, so a cluster can still double.
 */
export const MAX_NEW_NODES_PER_ANSWER = 64;

/**
 * The most nodes a first answer may name: Redis Cluster's documented upper size, 1000 nodes,
 * with room for replicas being added.
 */
export const MAX_INITIAL_NODES = 1200;

/**
 * Why `next` must not replace `current`, or undefined when it may. A refused answer keeps the
 * current map and the refresh asks the next node.
 */
export function refuseTopology(current: ClusterTopology | undefined, next: ClusterTopology): string | undefined {
  const covered = SLOT_COUNT - next.uncovered;
  if (covered === 0) return 'the answer covers no slot';
  const keys = nodeKeys(next);
  if (!current) {
    return keys.size > MAX_INITIAL_NODES
      ? `the answer names ${keys.size} nodes, more than the ${MAX_INITIAL_NODES} a cluster may have`
      : undefined;
  }
  const had = SLOT_COUNT - current.uncovered;
  if (covered < had * MIN_COVERAGE_RATIO) return `the answer covers ${covered} slots where the current map covers ${had}`;
  const known = nodeKeys(current);
  let added = 0;
  for (const k of keys) if (!known.has(k)) added++;
  const cap = Math.max(MAX_NEW_NODES_PER_ANSWER, known.size);
  return added > cap ? `the answer adds ${added} nodes, more than the ${cap} one answer may add` : undefined;
}
