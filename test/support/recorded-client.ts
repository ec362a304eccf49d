import {
  createResilientRedis,
  silentLogger,
  type ResilienceEvent,
  type ResilientRedis,
  type ResilientRedisOptions,
} from '../../src/index.js';
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

/** Options of {@link recordedStandalone}: everything but the mode and the node. */
export type StandaloneExtras = Omit<Extract<ResilientRedisOptions, { mode: 'standalone' }>, 'mode' | 'node' | 'name'>;

/** The most trigger-happy breaker there is: any failure it counts opens it at once. */
export const HAIR_TRIGGER_BREAKER = { consecutiveFailuresToOpen: 1, volumeThreshold: 1, errorThresholdPercentage: 1 } as const;

/** {@link recordedClient} on one standalone lab node. */
export function recordedStandalone(
  lab: Lab,
  node: { readonly host: string; readonly port: number },
  name: string,
  extras: StandaloneExtras = {},
): { client: ResilientRedis; events: ResilienceEvent[] } {
  return recordedClient(lab, { ...extras, name, mode: 'standalone', node: { host: node.host, port: node.port } });
}
