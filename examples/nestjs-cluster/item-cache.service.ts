import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ResilientRedis } from 'redis-resilience';
import { InjectResilientRedis } from 'redis-resilience/nestjs';
import { EXAMPLE_CONFIG } from './tokens.js';
import type { ClusterExampleConfig } from './config.js';
import { ItemOrigin, type Item } from './item-origin.js';

/**
 * Cache-aside over the cluster. A Redis error on the read is not answered from the origin:
 * the origin is sized for the cache's miss rate, and a lost shard would send it that
 * shard's whole load. The error reaches the exception filter, which answers 503 with
 * Retry-After, fast (the breaker fails calls in under a millisecond once it is open).
 */
@Injectable()
export class ItemCacheService {
  private readonly logger = new Logger(ItemCacheService.name);

  constructor(
    @InjectResilientRedis() private readonly redis: ResilientRedis,
    @Inject(ItemOrigin) private readonly origin: ItemOrigin,
    @Inject(EXAMPLE_CONFIG) private readonly config: ClusterExampleConfig,
  ) {}

  async get(id: string): Promise<{ item: Item; source: 'cache' | 'origin' }> {
    const key = `item:${id}`;
    const cached = await this.redis.get(key);
    if (cached !== null) return { item: JSON.parse(cached) as Item, source: 'cache' };
    const item = await this.origin.load(id);
    // Populating is best effort: the caller already has the right value.
    await this.redis.set(key, JSON.stringify(item), 'EX', this.config.cacheTtlSeconds).catch((error: unknown) => {
      this.logger.warn(`could not cache ${key}: ${(error as Error).message}`);
    });
    return { item, source: 'origin' };
  }

  async put(id: string, name: string): Promise<Item> {
    const item = await this.origin.save(id, name);
    // Invalidate rather than write through: DEL is idempotent, so the client may retry it
    // safely after a timeout, and the next read repopulates from the source of truth.
    await this.redis.del(`item:${id}`);
    return item;
  }
}
