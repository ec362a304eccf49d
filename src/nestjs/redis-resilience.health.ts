import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { ClientRegistry } from '../core/client/client-registry.js';
import type { IndicatorResult } from '../core/health/health-model.js';
import { withoutAddresses } from '../core/status/report-redaction.js';

/** Options of {@link RedisResilienceHealthIndicator.isHealthy}. */
export interface RedisHealthCheckOptions {
  /** Only these clients. @default every client of the module */
  clients?: readonly string[];
  /**
   * Add per shard or endpoint details (role, address, breaker, topology age, DNS, recent events).
   * It maps your network: serve it only behind authentication. Without it, the reasons name
   * shards and endpoints by their label, never by address. @default false
   */
  verbose?: boolean;
  /** Recent events per client when verbose. @default 20 */
  eventLimit?: number;
  /** Prefix of the indicator keys (key = prefix + client name). @default '' */
  keyPrefix?: string;
}

/**
 * Terminus 12 indicator for the module's clients, one key per client. It reads the clients'
 * snapshots: it never opens a connection or sends a command per probe, so a probe storm
 * during an outage adds no load to Redis and can't hang on a dead node.
 *
 * A required client that can't take writes is `down` (Terminus answers 503); a lost reader,
 * replica or probing breaker is `degraded` (still 200). A non-required client that is down
 * is reported `degraded` with `unavailable: true`: Terminus fails the whole check on any
 * `down` key, and an optional dependency must not take the instance out of rotation.
 *
 * Readiness is served to anyone (probes carry no credentials), so its reasons name nodes the
 * way Express's `/ready` and the status page do: the shard or endpoint label, with addresses and
 * watched DNS names hidden. Only `verbose` shows them.
 */
@Injectable()
export class RedisResilienceHealthIndicator {
  constructor(
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(ClientRegistry) private readonly registry: ClientRegistry,
  ) {}

  isHealthy(options: RedisHealthCheckOptions = {}): HealthIndicatorResult {
    const wanted = options.clients ? new Set(options.clients) : undefined;
    const sources = [...this.registry.clients.values()].filter((c) => !wanted || wanted.has(c.name));
    if (wanted) for (const name of wanted) this.registry.get(name); // unknown name: UnknownClientError
    const report = options.verbose
      ? this.registry.report(options.eventLimit)
      : withoutAddresses(this.registry.readiness(), [...this.registry.clients.values()]);
    const result: HealthIndicatorResult = {};
    for (const client of sources) {
      const { status, ...data } = report.details[client.name] as IndicatorResult;
      const session = this.indicators.check(`${options.keyPrefix ?? ''}${client.name}`);
      let part: HealthIndicatorResult;
      if (status === 'up') part = session.up(data);
      else if (status === 'degraded') part = session.degraded(data);
      else if (!client.resolved.required) part = session.degraded({ ...data, unavailable: true });
      else part = session.down(data);
      Object.assign(result, part);
    }
    return result;
  }
}
