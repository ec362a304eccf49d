import { createResilientRedis, silentLogger, type ResilienceEvent, type ResilientRedis, type ResilientRedisOptions } from '../../src/index.js';
import type { Lab } from './lab.js';

/**
 * A library client for a test: silent, without metrics, its events recorded, and closed by
 * the lab's teardown (also when the test fails).
 */
export function recordedClient(lab: Lab, options: ResilientRedisOptions): { client: ResilientRedis; events: ResilienceEvent[] } {
  const events: ResilienceEvent[] = [];
  const client = createResilientRedis({ logger: silentLogger, metrics: { enabled: false }, ...options });
  const sub = client.events$.subscribe((e) => events.push(e));
  lab.defer(async () => {
    sub.unsubscribe();
    await client.close();
  });
  return { client, events };
}
