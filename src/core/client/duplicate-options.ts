import { InvalidOptionsError } from '../errors/invalid-options.error.js';
import type { NodeAddress, ResilientRedisOptions } from '../options/resilient-redis-options.js';
import { OPTION_KEYS, type ResolvedOptions } from '../options/validate-options.js';

/**
 * Grace on top of a blocking command's own server-side timeout for a client duplicated with
 * `maxRetriesPerRequest: null` (what bullmq asks of its blocking connection): a day, in
 * practice no client deadline, as with ioredis. The server still answers at its own timeout.
 */
export const BLOCKING_CONSUMER_GRACE_MS = 86_400_000;

/**
 * The ioredis connection options `duplicate()` understands, and what each one means here.
 * Anything else is refused with `InvalidOptionsError` rather than silently ignored.
 */
export const DUPLICATE_IOREDIS_OPTIONS: Readonly<Record<string, string>> = {
  connectionName: 'CLIENT SETNAME on every connection the new client opens',
  maxRetriesPerRequest:
    'null: a blocking consumer, no client deadline on blocking commands; n: up to n retries (maxAttempts n + 1, at most 20)',
  enableReadyCheck: 'accepted; the ready check always runs (a LOADING node must not take traffic)',
  lazyConnect: 'true: no connection until connect() or the first command',
  db: 'logical database (standalone and replication; cluster mode only has db 0)',
  enableOfflineQueue: 'false: calls fail at once with QueueFullError while a node is not connected (maxQueueLength 0)',
  keyPrefix: 'prefix added to every key',
};

/** ioredis Cluster options that only wrap the per-node options (`Cluster.duplicate(nodes, { redisOptions })`). */
const CLUSTER_WRAPPER_KEYS: ReadonlySet<string> = new Set(['redisOptions']);

/**
 * Our own option keys: `duplicate()` also takes any of these, validated as at construction.
 * Not `mode`: a duplicate is a client of the same deployment.
 */
const OWN_KEYS: ReadonlySet<string> = new Set([...OPTION_KEYS].filter((k) => k !== 'mode'));

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Options for a client created by `duplicate()`. Takes ioredis's two shapes: `Redis.duplicate
 * (options)` and `Cluster.duplicate(startupNodes, { redisOptions })` (what bullmq calls on a
 * cluster client). The mode and the endpoints stay those of `base` unless overridden.
 */
export function duplicateOptions(base: ResolvedOptions, first?: unknown, second?: unknown): ResilientRedisOptions {
  const problems: string[] = [];
  const given: Record<string, unknown> = {};
  let nodes: NodeAddress[] | undefined;
  if (Array.isArray(first)) {
    if (first.length > 0) nodes = first as NodeAddress[];
  } else if (first !== undefined && first !== null) {
    if (isObject(first)) Object.assign(given, first);
    else problems.push('duplicate(): the options must be an object');
  }
  if (second !== undefined && second !== null) {
    if (!isObject(second)) problems.push('duplicate(): the cluster options must be an object');
    else {
      for (const [k, v] of Object.entries(second)) {
        if (CLUSTER_WRAPPER_KEYS.has(k) && isObject(v)) Object.assign(given, v);
        else if (v !== undefined) given[k] = v;
      }
    }
  }
  const out: Record<string, unknown> = { ...base };
  const policy: Record<string, unknown> = { ...base.policy };
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined) continue;
    switch (key) {
      case 'maxRetriesPerRequest':
        if (value === null) policy.blockingGraceMs = BLOCKING_CONSUMER_GRACE_MS;
        else if (Number.isInteger(value) && (value as number) >= 0) policy.maxAttempts = Math.min(20, (value as number) + 1);
        else problems.push('duplicate(): maxRetriesPerRequest must be null or a non-negative integer');
        break;
      case 'enableOfflineQueue':
        if (typeof value !== 'boolean') problems.push('duplicate(): enableOfflineQueue must be a boolean');
        else if (!value) policy.maxQueueLength = 0;
        break;
      case 'enableReadyCheck':
        if (typeof value !== 'boolean') problems.push('duplicate(): enableReadyCheck must be a boolean');
        break;
      case 'policy':
        if (isObject(value)) Object.assign(policy, value);
        else problems.push('duplicate(): policy must be an object');
        break;
      default:
        if (OWN_KEYS.has(key)) out[key] = value;
        else
          problems.push(
            `duplicate(): option "${key}" is not supported (supported ioredis options: ${Object.keys(DUPLICATE_IOREDIS_OPTIONS).join(', ')})`,
          );
    }
  }
  if (nodes) {
    if (base.mode === 'cluster') out.nodes = nodes;
    else problems.push('duplicate(): startup nodes only apply to a cluster client');
  }
  if (problems.length) throw new InvalidOptionsError(problems, base.name);
  out.policy = policy;
  return out as unknown as ResilientRedisOptions;
}
