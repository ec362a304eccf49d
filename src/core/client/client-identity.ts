import { Cluster, Redis } from 'ioredis';

/** Marks our clients across package copies (`instanceof ResilientRedis`, `isResilientRedis`). */
const BRAND = Symbol.for('redis-resilience.client');

/**
 * Libraries tell an ioredis client by `instanceof Redis` / `instanceof Cluster`
 * (@nest-lab/throttler-storage-redis) and fall back to opening their own unprotected
 * connection otherwise. Our prototype chain runs through ioredis's own prototype instead:
 * nothing of ioredis is modified, no ioredis connection is built, and every method we
 * define shadows the ioredis one.
 */
export function asRedisFlavour(prototype: object): void {
  Object.setPrototypeOf(prototype, Redis.prototype);
}

/** The same methods as `prototype`, over `Cluster.prototype`: what cluster clients are made of. */
export function clusterFlavourOf(prototype: object): object {
  return Object.create(Cluster.prototype, Object.getOwnPropertyDescriptors(prototype)) as object;
}

export function brand(instance: object): void {
  Object.defineProperty(instance, BRAND, { value: true, enumerable: false });
}

/** Whether `value` is a ResilientRedis, of whichever flavour or package copy. */
export function isResilientRedis(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
