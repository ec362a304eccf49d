import type { CommandExecutor } from '../command/command-executor.js';
import type { CommandRouter } from '../command/command-router.js';
import type { ClientHealthSnapshot } from '../health/client-health.js';
import type { ResolvedOptions } from '../options/validate-options.js';
import type { ClientPhase } from './client-status.js';

/**
 * A client's health at this instant (what `client.health()` returns): one frozen entry per
 * endpoint in use (role, address, breaker, queue depth) and the client's own state. Built
 * from plain fields only: no call to Redis, no secret.
 */
export function healthSnapshot(
  resolved: ResolvedOptions,
  phase: ClientPhase,
  router: CommandRouter,
  executor: CommandExecutor,
): ClientHealthSnapshot {
  const nodes = router.endpoints().map((e) => ({
    address: e.id,
    role: e.role,
    label: e.label,
    connected: e.ready,
    breaker: e.breaker.state,
    failureRate: e.breaker.failureRate(),
    queueDepth: e.queueDepth,
  }));
  return Object.freeze({
    client: resolved.name,
    mode: resolved.mode,
    required: resolved.required,
    allowPartial: resolved.allowPartialAvailability ?? false,
    status: phase === 'wait' ? 'connecting' : phase,
    nodes: Object.freeze(nodes),
    inFlight: executor.pending,
    topologyAgeMs: router.topologyAgeMs?.(),
    dns: router.dnsView?.(),
    takenAt: Date.now(),
  });
}
