import { Injectable } from '@nestjs/common';

/** An item as the origin (the "database") stores it. */
export interface Item {
  id: string;
  name: string;
  version: number;
}

/**
 * Stands in for the slow source of truth the cache protects (a database, another service).
 * In-memory, with a short delay so cache hits and misses are tell-apart in timings.
 */
@Injectable()
export class ItemOrigin {
  private readonly items = new Map<string, Item>();
  /** Loads served so far: a test can check that hits never reach the origin. */
  loads = 0;

  async load(id: string): Promise<Item> {
    this.loads++;
    await new Promise((resolve) => setTimeout(resolve, 2));
    return this.items.get(id) ?? { id, name: `item ${id}`, version: 0 };
  }

  async save(id: string, name: string): Promise<Item> {
    const item = { id, name, version: ((await this.load(id)).version ?? 0) + 1 };
    this.items.set(id, item);
    return item;
  }
}
