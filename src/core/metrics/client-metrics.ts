import type { Observable, Subscription } from 'rxjs';
import type { ResilienceEvent } from '../events/resilience-event.js';
import type { MetricsOptions } from '../options/resilient-redis-options.js';
import { getMetricsHub, type MetricsSource } from './metrics-hub.js';

/**
 * Connects one client to its registry's metrics: its stats are read at scrape time, and its
 * events (transitions, retries, refreshes, DNS changes, failovers) bump counters. Returns a
 * function that detaches it.
 */
export function attachClientMetrics(source: MetricsSource, events$: Observable<ResilienceEvent>, options: MetricsOptions | undefined): () => void {
  if (options?.enabled === false) return () => {};
  const hub = getMetricsHub(options?.registry, options?.prefix);
  hub.sources.add(source);
  const client = source.client;
  const sub: Subscription = events$.subscribe((e) => {
    switch (e.type) {
      case 'breaker.opened':
        hub.breakerTransitions.inc({ client, node: e.node, state: 'open' });
        break;
      case 'breaker.half_opened':
        hub.breakerTransitions.inc({ client, node: e.node, state: 'half-open' });
        break;
      case 'breaker.closed':
        hub.breakerTransitions.inc({ client, node: e.node, state: 'closed' });
        break;
      case 'command.retried':
        hub.retries.inc({ client, scenario: e.scenario });
        break;
      case 'topology.refreshed':
        hub.topologyRefreshes.inc({ client, trigger: e.trigger, outcome: 'success' });
        hub.topologyRefreshDuration.observe({ client }, e.durationMs / 1000);
        break;
      case 'topology.refresh_failed':
        hub.topologyRefreshes.inc({ client, trigger: e.trigger, outcome: 'failure' });
        break;
      case 'dns.resolved':
        hub.dnsResolutions.inc({ client, name: e.name, outcome: e.outcome });
        break;
      case 'endpoint.changed':
        if (e.cause === 'dns') hub.dnsChanges.inc({ client, name: e.name });
        break;
      case 'failover.detected':
        hub.failovers.inc({ client, node: e.node });
        break;
      case 'failover.recovered':
        hub.failoverDuration.observe({ client }, e.durationMs / 1000);
        break;
      default:
        break;
    }
  });
  return () => {
    sub.unsubscribe();
    hub.sources.delete(source);
  };
}
