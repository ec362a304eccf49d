import type { CommandRouter } from '../command/command-router.js';
import type { Endpoint } from '../endpoint/endpoint.js';
import type { StandaloneOptions } from '../options/resilient-redis-options.js';
import type { ResolvedOptions } from '../options/validate-options.js';
import type { EndpointFactory } from '../endpoint/endpoint-factory.js';
import { closeEndpoint, waitUntilReady } from '../endpoint/endpoint-lifecycle.js';

/**
 * Standalone mode: one node, nothing moves on failure. The node is replaced (minutes), so
 * the job is to fail fast while it is gone and reconnect on our own when it is back.
 */
export class StandaloneRouter implements CommandRouter {
  private readonly endpoint: Endpoint;
  private readonly all: readonly Endpoint[];

  constructor(
    private readonly options: ResolvedOptions & StandaloneOptions,
    factory: EndpointFactory,
  ) {
    this.endpoint = factory.create({ address: options.node, purpose: 'node' }, 'primary', 'node');
    this.all = [this.endpoint];
  }

  route(): Endpoint {
    return this.endpoint;
  }

  fallback(): undefined {
    return undefined;
  }

  onFailure(): void {}

  endpoints(): readonly Endpoint[] {
    return this.all;
  }

  connect(): Promise<void> {
    return waitUntilReady(this.endpoint, this.options);
  }

  close(): Promise<void> {
    return closeEndpoint(this.endpoint);
  }
}
