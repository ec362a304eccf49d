import type { Observable, Subscription } from 'rxjs';
import type { ResilienceEvent } from '../events/resilience-event.js';
import type { MetricsOptions } from '../options/resilient-redis-options.js';
import { ClientSeries } from './client-series.js';
import { getMetricsHub, type MetricsSource } from './metrics-hub.js';

/**
 * Connects one client to its registry's metrics: its stats are read at scrape time, and its
 * events (transitions, retries, refreshes, DNS changes, failovers) bump counters. Returns a
 * function that detaches it.
 */
export function attachClientMetrics(
  source: MetricsSource,
  events$: Observable<ResilienceEvent>,
  options: MetricsOptions | undefined,
): () => void {
  if (options?.enabled === false) return () => {};
  const hub = getMetricsHub(options?.registry, options?.prefix);
  const series = new ClientSeries();
  hub.attach(source, series);
  const client = source.client;
  const sub: Subscription = events$.subscribe((e) => {
    switch (e.type) {
      case 'breaker.opened':
        series.inc(hub.breakerTransitions, { client, node: e.node, state: 'open' });
        break;
      case 'breaker.half_opened':
        series.inc(hub.breakerTransitions, { client, node: e.node, state: 'half-open' });
        break;
      case 'breaker.closed':
        series.inc(hub.breakerTransitions, { client, node: e.node, state: 'closed' });
        break;
      case 'command.retried':
        series.inc(hub.retries, { client, scenario: e.scenario });
        break;
      case 'topology.refreshed':
        series.inc(hub.topologyRefreshes, { client, trigger: e.trigger, outcome: 'success' });
        series.observe(hub.topologyRefreshDuration, { client }, e.durationMs / 1000);
        break;
      case 'topology.refresh_failed':
        series.inc(hub.topologyRefreshes, { client, trigger: e.trigger, outcome: 'failure' });
        break;
      case 'dns.resolved':
        series.inc(hub.dnsResolutions, { client, name: e.name, outcome: e.outcome });
        break;
      case 'endpoint.changed':
        if (e.cause === 'dns') series.inc(hub.dnsChanges, { client, name: e.name });
        break;
      case 'failover.detected':
        series.inc(hub.failovers, { client, node: e.node });
        break;
      case 'failover.recovered':
        series.observe(hub.failoverDuration, { client }, e.durationMs / 1000);
        break;
      default:
        break;
    }
  });
  return () => {
    sub.unsubscribe();
    hub.detach(source);
  };
}
