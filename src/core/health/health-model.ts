import type { ResilienceEvent } from '../events/resilience-event.js';
import type { ClientHealthSnapshot, NodeHealth } from './client-health.js';

/** Per-indicator status, as Terminus 12 names it. */
export type IndicatorStatus = 'up' | 'degraded' | 'down';
/** Overall status, as Terminus 12 names it. */
export type HealthCheckStatus = 'ok' | 'degraded' | 'error' | 'shutting_down';

export interface IndicatorResult {
  status: IndicatorStatus;
  [detail: string]: unknown;
}

/** Terminus's response shape, so Nest and Express users see one format. */
export interface HealthReport {
  status: HealthCheckStatus;
  info: Record<string, IndicatorResult>;
  error: Record<string, IndicatorResult>;
  details: Record<string, IndicatorResult>;
}

/** What a probe needs from one client. ResilientRedis fits it. */
export interface HealthSource {
  readonly name: string;
  health(): ClientHealthSnapshot;
  recentEvents?(limit?: number): ResilienceEvent[];
}

const unavailable = (n: NodeHealth): boolean => !n.connected || n.breaker === 'open';

/**
 * One client's status from its snapshot. A client is `down` when it cannot take writes:
 * its primary (standalone, replication) or any shard primary (cluster) is unavailable —
 * unless the user accepts partial availability in cluster mode, which makes a lost shard
 * `degraded`. A lost reader or replica is `degraded`, which is still ready.
 */
export function clientStatus(s: ClientHealthSnapshot): { status: IndicatorStatus; reasons: string[] } {
  const reasons: string[] = [];
  if (s.status === 'closing' || s.status === 'closed') return { status: 'down', reasons: [`client is ${s.status}`] };
  const primaries = s.nodes.filter((n) => n.role === 'primary');
  const replicas = s.nodes.filter((n) => n.role === 'replica');
  if (primaries.length === 0) return { status: 'down', reasons: ['no primary known yet'] };
  const lost = primaries.filter(unavailable);
  let status: IndicatorStatus = 'up';
  if (lost.length > 0) {
    for (const n of lost) reasons.push(`primary ${n.label} (${n.address}) ${n.connected ? 'breaker open' : 'disconnected'}`);
    const partial = s.mode === 'cluster' && s.allowPartial && lost.length < primaries.length;
    status = partial ? 'degraded' : 'down';
  }
  for (const n of replicas.filter(unavailable)) {
    reasons.push(`${s.mode === 'replication' ? 'reader' : 'replica'} ${n.label} (${n.address}) unavailable`);
    if (status === 'up') status = 'degraded';
  }
  if (status === 'up' && s.nodes.some((n) => n.breaker === 'half-open')) {
    status = 'degraded';
    reasons.push('a breaker is probing (half-open)');
  }
  return { status, reasons };
}

function assemble(results: Array<[key: string, result: IndicatorResult, required: boolean]>, shuttingDown: boolean): HealthReport {
  const out: HealthReport = { status: 'ok', info: {}, error: {}, details: {} };
  let failed = false;
  let degraded = false;
  for (const [key, result, required] of results) {
    out.details[key] = result;
    if (result.status === 'down') {
      out.error[key] = result;
      if (required) failed = true;
      else degraded = true;
    } else {
      out.info[key] = result;
      if (result.status === 'degraded') degraded = true;
    }
  }
  out.status = shuttingDown ? 'shutting_down' : failed ? 'error' : degraded ? 'degraded' : 'ok';
  return out;
}

/** Liveness never depends on Redis: restarting pods during a Redis failover is a cascade. */
export function liveness(): HealthReport {
  return assemble([['process', { status: 'up', uptimeSeconds: Math.round(process.uptime()) }, true]], false);
}

/**
 * Readiness: `error` when a required client is down, `degraded` when something is impaired
 * but writes still work (or a non-required client is down), `shutting_down` during shutdown.
 */
export function readiness(sources: readonly HealthSource[], shuttingDown = false): HealthReport {
  return assemble(
    sources.map((c) => {
      const snap = c.health();
      const { status, reasons } = clientStatus(snap);
      const result: IndicatorResult = { status, mode: snap.mode };
      if (reasons.length) result.reasons = reasons;
      return [c.name, result, snap.required];
    }),
    shuttingDown,
  );
}

/**
 * The verbose report for humans: per client and per shard or endpoint the role, address,
 * breaker state and failure rate, topology age, DNS view and the last events. No secrets:
 * snapshots never carry credentials, and events carry none.
 */
export function report(sources: readonly HealthSource[], shuttingDown = false, eventLimit = 20): HealthReport {
  return assemble(
    sources.map((c) => {
      const snap = c.health();
      const { status, reasons } = clientStatus(snap);
      return [
        c.name,
        {
          status,
          mode: snap.mode,
          required: snap.required,
          clientStatus: snap.status,
          reasons,
          inFlight: snap.inFlight,
          topologyAgeMs: snap.topologyAgeMs,
          dns: snap.dns,
          nodes: snap.nodes.map((n) => ({ ...n })),
          recentEvents: c.recentEvents?.(eventLimit) ?? [],
        },
        snap.required,
      ];
    }),
    shuttingDown,
  );
}
