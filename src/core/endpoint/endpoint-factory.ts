import { createShardBreaker } from '../breaker/opossum-breaker.js';
import { createConnection, type ConnectionSpec } from '../connection/connection-factory.js';
import { Endpoint, type EndpointRole } from './endpoint.js';
import type { EventBus } from '../events/event-bus.js';
import type { ResolvedOptions } from '../options/validate-options.js';
import { classifyFailure } from '../policy/classify-failure.js';

/**
 * Builds endpoints: a connection, its breaker, and the wiring from both to the event bus.
 * Every mode's router creates its endpoints here, so events look the same in every mode.
 */
export class EndpointFactory {
  constructor(
    private readonly options: ResolvedOptions,
    private readonly bus: EventBus,
  ) {}

  create(spec: ConnectionSpec, role: EndpointRole, label: string): Endpoint {
    const client = createConnection(this.options, spec);
    const bus = this.bus;
    const node = `${spec.address.host}:${spec.address.port}`;
    let endpoint: Endpoint | undefined;
    const attemptTimeoutMs = this.options.policy.attemptTimeoutMs;
    const breaker = createShardBreaker(this.options.breaker, {
      opened(failureRate, forced) {
        bus.emit({ type: 'breaker.opened', node, failureRate, forced });
        // One failover per episode: re-opening after a failed half-open probe is the same one.
        if (endpoint && endpoint.failingSince === 0) {
          endpoint.failingSince = Date.now();
          bus.emit({ type: 'failover.detected', node });
        }
      },
      halfOpened() {
        bus.emit({ type: 'breaker.half_opened', node });
        // Probe on our own rather than waiting for traffic: a quiet app would otherwise keep
        // a recovered node half-open (and readiness degraded) until its next command. A
        // user call that arrives first simply takes the probe's place.
        setImmediate(() => endpoint?.probe(attemptTimeoutMs));
      },
      closed(forced) {
        bus.emit({ type: 'breaker.closed', node, forced });
        if (endpoint && endpoint.failingSince > 0) {
          bus.emit({ type: 'failover.recovered', node, durationMs: Date.now() - endpoint.failingSince });
          endpoint.failingSince = 0;
        }
      },
    });
    // Attempt deadlines are swept, not timed one by one: a tick of 1/20 of the attempt
    // timeout (5–25 ms) keeps every call well inside its deadline + 50 ms bound.
    const tickMs = Math.min(25, Math.max(5, this.options.policy.attemptTimeoutMs / 20));
    endpoint = new Endpoint(
      client,
      breaker,
      role,
      this.options.policy.maxQueueLength,
      this.options.name,
      label,
      tickMs,
      this.options.enableAutoPipelining ?? false,
    );
    const created = endpoint;
    let lastErrorScenario: string | undefined;
    // Without an 'error' listener an ioredis connection error would crash the process.
    client.on('error', (error: unknown) => {
      const scenario = classifyFailure(error).scenario;
      if (scenario !== lastErrorScenario) {
        lastErrorScenario = scenario;
        if (scenario === 'auth' || scenario === 'config') {
          bus.emit({ type: 'connection.lost', node, scenario });
        }
      }
    });
    client.on('close', () => {
      if (created.lostAt === 0) {
        created.lostAt = Date.now();
        bus.emit({ type: 'connection.lost', node, scenario: 'connection' });
      }
    });
    client.on('ready', () => {
      lastErrorScenario = undefined;
      if (created.lostAt !== 0) {
        created.lostAt = 0;
        // A reconnect that passed the ready check is proof of health: no need to wait for a
        // half-open probe before serving again.
        created.breaker.noteRecovered();
        bus.emit({ type: 'connection.restored', node });
      }
    });
    return created;
  }
}
