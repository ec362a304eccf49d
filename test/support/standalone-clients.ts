/**
 * Library clients for tests that point several of them, each with its own policy, at one
 * standalone node: silent, without metrics, named `<prefix>-<n>` in order of creation, and
 * disconnected by the lab's teardown (also when the test fails), before the node stops.
 */
import type { Registry } from 'prom-client';
import { createResilientRedis, silentLogger, type PolicyOptions, type ResilientRedis } from '../../src/index.js';
import type { Lab } from './lab.js';
import type { RedisNode } from './redis-node.js';

/**
 * What a test may vary besides the policy: a key prefix, another port on the node's host, write
 * coalescing, and a prom-client registry to report to (without one, metrics are off).
 */
export interface StandaloneClientExtras {
  keyPrefix?: string;
  port?: number;
  coalesceWrites?: boolean;
  registry?: Registry;
}

export type StandaloneClientFactory = (policy?: Partial<PolicyOptions>, extras?: StandaloneClientExtras) => ResilientRedis;

/** `node`: read when each client is made, so the factory can be built before the node starts. */
export function standaloneClients(lab: Lab, prefix: string, node: () => RedisNode): StandaloneClientFactory {
  let made = 0;
  return (policy = {}, extras = {}) => {
    const { host, port } = node();
    const client = createResilientRedis({
      name: `${prefix}-${made++}`,
      mode: 'standalone',
      node: { host, port: extras.port ?? port },
      logger: silentLogger,
      metrics: extras.registry ? { registry: extras.registry } : { enabled: false },
      policy,
      ...(extras.keyPrefix === undefined ? {} : { keyPrefix: extras.keyPrefix }),
      ...(extras.coalesceWrites === undefined ? {} : { coalesceWrites: extras.coalesceWrites }),
    });
    lab.defer(() => client.disconnect());
    return client;
  };
}
