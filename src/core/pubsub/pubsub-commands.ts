import { hasCommand, lookupCommand } from '../policy/command-name.js';

/**
 * The commands that take a connection over: once one is sent, the connection can run nothing
 * else (pub/sub) or streams every command the server sees (MONITOR). They never go down the
 * shared command connection; each family gets connections of its own.
 */

/** Which dedicated connection a command belongs to. */
export type PubSubFamily = 'classic' | 'sharded' | 'monitor';

const FAMILIES: ReadonlyMap<string, PubSubFamily> = new Map<string, PubSubFamily>([
  ['subscribe', 'classic'],
  ['psubscribe', 'classic'],
  ['unsubscribe', 'classic'],
  ['punsubscribe', 'classic'],
  // Sharded pub/sub lives on the shard that owns the channel's slot (Redis 7).
  ['ssubscribe', 'sharded'],
  ['sunsubscribe', 'sharded'],
  ['monitor', 'monitor'],
]);

const UNSUBSCRIBE: ReadonlySet<string> = new Set(['unsubscribe', 'punsubscribe', 'sunsubscribe']);

/**
 * Whether `name` (any case) must go to a dedicated connection rather than the shared one:
 * SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE, their UNSUBSCRIBE forms, and MONITOR.
 */
export function isSubscriberCommand(name: string): boolean {
  return lookupCommand(FAMILIES, name) !== undefined;
}

/** The dedicated connection family of `name` (any case), if it has one. */
export function pubSubFamilyOf(name: string): PubSubFamily | undefined {
  return lookupCommand(FAMILIES, name);
}

/** Whether `name` (any case) leaves channels or patterns rather than joining them. */
export function isUnsubscribeCommand(name: string): boolean {
  return hasCommand(UNSUBSCRIBE, name);
}
