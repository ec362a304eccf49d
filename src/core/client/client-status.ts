import type { Endpoint } from '../endpoint/endpoint.js';

/** ioredis's connection states, which libraries (bullmq, rate-limiter-flexible) read and compare. */
export type ClientStatus = 'wait' | 'connecting' | 'connect' | 'ready' | 'close' | 'reconnecting' | 'end';

/** The client's own lifecycle, independent of how its nodes are doing. */
export type ClientPhase = 'wait' | 'connecting' | 'ready' | 'closing' | 'closed';

/**
 * ioredis's status for the client as a whole. A client with several nodes is `ready` while at
 * least one of them is: a shard that is down fails its own calls fast (its breaker), and
 * reporting the whole client as not ready would make libraries that check `status`
 * (rate-limiter-flexible's `rejectIfRedisNotReady`) refuse the healthy shards too. With no
 * node ready after having been ready it is `reconnecting`, as an ioredis client between
 * reconnect attempts.
 */
export function aggregateStatus(phase: ClientPhase, endpoints: readonly Pick<Endpoint, 'ready'>[]): ClientStatus {
  switch (phase) {
    case 'wait':
      return 'wait';
    case 'connecting':
      return 'connecting';
    case 'closing':
      return 'close';
    case 'closed':
      return 'end';
    case 'ready':
      return endpoints.some((e) => e.ready) ? 'ready' : 'reconnecting';
  }
}
