import type { ClientHealthSnapshot, NodeHealth } from '../health/client-health.js';
import type { BreakerStateName, ResilienceEvent } from '../events/resilience-event.js';
import { clientStatus, type HealthCheckStatus, type HealthSource, type IndicatorStatus } from '../health/health-model.js';
import type { Mode } from '../options/resilient-redis-options.js';
import { AddressScrubber } from './address-scrubber.js';
import { toTimelineEntry, type TimelineEntry } from './timeline-entry.js';

/** One shard's or endpoint's node, as the status page draws it. */
export interface NodeView {
  /** Shard (cluster: first slot range) or endpoint (replication, standalone) it belongs to. */
  readonly label: string;
  readonly role: 'primary' | 'replica';
  /** `host:port`; only when the verbose report is allowed. */
  readonly address?: string;
  /** What the control route takes for this node: the address, or the label when hidden. */
  readonly target: string;
  readonly connected: boolean;
  readonly breaker: BreakerStateName;
  /** Failure percentage in the breaker's rolling window. */
  readonly failureRate: number;
  readonly queueDepth: number;
}

/** One watched DNS name. Name and addresses only when the verbose report is allowed. */
export interface DnsView {
  readonly name?: string;
  readonly address?: string;
  /** How many addresses the last answer held. */
  readonly addressCount: number;
  readonly ttlSeconds?: number;
  readonly lastChangeAt?: number;
  readonly lastResolvedAt?: number;
  readonly lastError?: string;
}

export interface ClientView {
  readonly name: string;
  readonly mode: Mode;
  readonly required: boolean;
  readonly status: IndicatorStatus;
  readonly clientStatus: 'connecting' | 'ready' | 'closing' | 'closed';
  readonly reasons: readonly string[];
  readonly inFlight: number;
  /** Milliseconds since the topology was last confirmed (cluster). */
  readonly topologyAgeMs?: number;
  readonly nodes: readonly NodeView[];
  readonly dns: readonly DnsView[];
}

/** Everything the status page shows, built from `health()` snapshots and `recentEvents()`. */
export interface StatusView {
  readonly generatedAt: number;
  /** Readiness of the whole app, as `/ready` reports it. */
  readonly status: HealthCheckStatus;
  /** Whether addresses are shown. */
  readonly verbose: boolean;
  /** Whether the page offers breaker buttons. */
  readonly control: boolean;
  readonly clients: readonly ClientView[];
  /** Recent transitions of every client, oldest first. */
  readonly timeline: readonly TimelineEntry[];
}

/** Options of {@link buildStatusView}. */
export interface StatusViewOptions {
  /** Show addresses and DNS names (the verbose report's content). @default false */
  verbose?: boolean;
  /** Offer breaker buttons (the adapter has checked the control route is guarded). @default false */
  control?: boolean;
  /** Whether the app is shutting down (readiness answers `shutting_down`). @default false */
  shuttingDown?: boolean;
  /** Timeline entries, across every client. @default 50 */
  eventLimit?: number;
}

/**
 * A scrubber that knows every current address and DNS name of `sources`, so hidden
 * addresses read as the shard or endpoint they belong to. Shared by the view and the stream.
 */
export function scrubberFor(snapshots: readonly ClientHealthSnapshot[], verbose: boolean): AddressScrubber {
  const scrubber = new AddressScrubber(verbose);
  if (verbose) return scrubber;
  for (const snap of snapshots) {
    for (const n of snap.nodes) scrubber.knowAddress(n.address, n.label);
    for (const d of snap.dns ?? []) scrubber.knowName(d.name);
  }
  return scrubber;
}

/** Shards in slot order (`0-5460` before `10923-16383`), the primary before its replicas. */
function byShardThenRole(a: NodeHealth, b: NodeHealth): number {
  return a.label.localeCompare(b.label, 'en', { numeric: true }) || (a.role === b.role ? 0 : a.role === 'primary' ? -1 : 1);
}

/** Readiness's rule (health-model.ts) over the statuses already computed. */
function overallStatus(clients: readonly ClientView[], shuttingDown: boolean): HealthCheckStatus {
  if (shuttingDown) return 'shutting_down';
  if (clients.some((c) => c.status === 'down' && c.required)) return 'error';
  return clients.some((c) => c.status !== 'up') ? 'degraded' : 'ok';
}

export function buildStatusView(sources: readonly HealthSource[], options: StatusViewOptions = {}): StatusView {
  const verbose = options.verbose ?? false;
  const snapshots = sources.map((s) => s.health());
  const scrub = scrubberFor(snapshots, verbose);
  const clients = snapshots.map((snap): ClientView => {
    const { status, reasons } = clientStatus(snap);
    return {
      name: snap.client,
      mode: snap.mode,
      required: snap.required,
      status,
      clientStatus: snap.status,
      reasons: reasons.map((r) => scrub.text(r)),
      inFlight: snap.inFlight,
      ...(snap.topologyAgeMs === undefined ? {} : { topologyAgeMs: snap.topologyAgeMs }),
      nodes: snap.nodes.toSorted(byShardThenRole).map((n) => ({
        label: n.label,
        role: n.role,
        ...(verbose ? { address: n.address } : {}),
        target: verbose ? n.address : n.label,
        connected: n.connected,
        breaker: n.breaker,
        failureRate: Math.round(n.failureRate * 10) / 10,
        queueDepth: n.queueDepth,
      })),
      dns: (snap.dns ?? []).map((d) => ({
        ...(verbose ? { name: d.name, ...(d.address === undefined ? {} : { address: d.address }) } : {}),
        addressCount: d.addresses?.length ?? (d.address === undefined ? 0 : 1),
        ...(d.ttlSeconds === undefined ? {} : { ttlSeconds: d.ttlSeconds }),
        ...(d.lastChangeAt === undefined ? {} : { lastChangeAt: d.lastChangeAt }),
        ...(d.lastResolvedAt === undefined ? {} : { lastResolvedAt: d.lastResolvedAt }),
        ...(d.lastError === undefined ? {} : { lastError: scrub.text(d.lastError) }),
      })),
    };
  });
  const limit = options.eventLimit ?? 50;
  const events: ResilienceEvent[] = sources
    .flatMap((s) => s.recentEvents?.(limit) ?? [])
    .toSorted((a, b) => a.timestamp - b.timestamp)
    .slice(-limit);
  return {
    generatedAt: Date.now(),
    status: overallStatus(clients, options.shuttingDown ?? false),
    verbose,
    control: options.control ?? false,
    clients,
    timeline: events.map((e) => toTimelineEntry(e, scrub)),
  };
}
