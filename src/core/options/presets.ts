import type { BreakerOptions, PolicyOptions } from './policy-options.js';
import type { Mode } from './resilient-redis-options.js';

/**
 * Per-mode defaults. Each differs from the others only where that deployment fails
 * differently (DESIGN §2):
 * - standalone: the node is replaced, which takes minutes. Nothing will move, so retries
 *   only need to bridge a blip; fail fast and let the breaker hold callers off.
 * - replication: the primary name moves to the promoted replica. The total deadline
 *   leaves room to notice READONLY, resolve again, verify ROLE and retry once.
 * - cluster: a shard's replica is promoted after cluster-node-timeout. Short attempts keep
 *   a hung primary from stalling callers; the breaker cuts the shard off within a second.
 */
const base: PolicyOptions = {
  attemptTimeoutMs: 500,
  totalTimeoutMs: 2000,
  maxAttempts: 3,
  backoffBaseMs: 25,
  backoffMaxMs: 400,
  maxQueueLength: 1000,
  blockingGraceMs: 1000,
  closeDrainMs: 2000,
  connectTimeoutMs: 5000,
  reconnectMaxMs: 1000,
  holdDuringFailoverMs: 0,
};

export const policyPresets: Readonly<Record<Mode, Readonly<PolicyOptions>>> = Object.freeze({
  standalone: Object.freeze({ ...base, attemptTimeoutMs: 1000 }),
  replication: Object.freeze({ ...base, totalTimeoutMs: 3000, maxAttempts: 4 }),
  cluster: Object.freeze({ ...base }),
});

const breakerBase: BreakerOptions = {
  errorThresholdPercentage: 50,
  volumeThreshold: 5,
  consecutiveFailuresToOpen: 3,
  rollingWindowMs: 5000,
  resetTimeoutMs: 500,
};

export const breakerPresets: Readonly<Record<Mode, Readonly<BreakerOptions>>> = Object.freeze({
  standalone: Object.freeze({ ...breakerBase }),
  replication: Object.freeze({ ...breakerBase }),
  cluster: Object.freeze({ ...breakerBase }),
});
