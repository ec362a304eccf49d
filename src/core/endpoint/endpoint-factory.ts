import type { Redis } from 'ioredis';
import { createShardBreaker } from '../breaker/opossum-breaker.js';
import { createConnection, type ConnectionSpec } from '../connection/connection-factory.js';
import { ClientClosedError } from '../errors/client-closed.error.js';
import { Endpoint, type EndpointRole } from './endpoint.js';
import type { EventBus } from '../events/event-bus.js';
import type { ResolvedOptions } from '../options/validate-options.js';
import { classifyFailure } from '../policy/classify-failure.js';
import { closeEndpoint } from './endpoint-lifecycle.js';

/**
 * Builds endpoints: a connection, its breaker, and the wiring from both to the event bus.
 * Every mode's router creates its endpoints here, so events look the same in every mode.
 *
 * It also owns every connection it made until that connection has ended, so that `closeAll()`
 * is honest whatever the router was doing: a topology refresh, a DNS swap or a ROLE follow that
 * finishes after `close()` gets an endpoint that can never connect, instead of a live socket
 * that keeps the process up (issue 15).
 */
export class EndpointFactory {
  private readonly live = new Set<Endpoint>();
  private readonly sides = new Set<Redis>();
  private closed = false;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly bus: EventBus,
  ) {}

  /** Whether `closeAll()` has been called: nothing made from now on will connect. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * A bare connection (no breaker, no events) for a short side query such as ROLE or INFO on a
   * node whose own connection is stalled; closed by `closeAll()` if its user has not done so.
   */
  openSide(spec: ConnectionSpec): Redis {
    const client = createConnection(this.options, spec);
    // Failures surface through connect(); an unhandled 'error' event would crash the process.
    client.on('error', () => {});
    if (this.closed) return this.neverConnect(client);
    this.sides.add(client);
    client.once('end', () => this.sides.delete(client));
    return client;
  }

  /** From now on, endpoints and side connections are made unable to connect. */
  refuseNewConnections(): void {
    this.closed = true;
  }

  /** Closes every endpoint and side connection still open, and refuses to connect new ones. */
  async closeAll(): Promise<void> {
    this.closed = true;
    for (const side of this.sides) side.disconnect(false);
    this.sides.clear();
    const all = [...this.live];
    this.live.clear();
    await Promise.all(all.map((e) => closeEndpoint(e)));
  }

  /** Made after close: any connect (ours, or ioredis's own on a first command) fails at once. */
  private neverConnect(client: Redis): Redis {
    const refuse = (): Promise<void> => Promise.reject(new ClientClosedError(this.options.name));
    client.connect = refuse;
    return client;
  }

  create(spec: ConnectionSpec, role: EndpointRole, label: string): Endpoint {
    const client = createConnection(this.options, spec);
    const bus = this.bus;
    const node = `${spec.address.host}:${spec.address.port}`;
    let endpoint: Endpoint | undefined;
    const attemptTimeoutMs = this.options.policy.attemptTimeoutMs;
    const breaker = createShardBreaker(this.options.breaker, {
      opened(failureRate, forced) {
        bus.emit({ type: 'breaker.opened', node, failureRate, forced });
        endpoint?.markFailing();
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
        endpoint?.markRecovered();
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
      this.options.coalesceWrites,
      bus,
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
      if (created.markLost()) bus.emit({ type: 'connection.lost', node, scenario: 'connection' });
    });
    client.on('ready', () => {
      lastErrorScenario = undefined;
      if (created.markConnected()) {
        // A reconnect that passed the ready check is proof of health: no need to wait for a
        // half-open probe before serving again.
        created.breaker.noteRecovered();
        bus.emit({ type: 'connection.restored', node });
      }
    });
    if (this.closed) {
      this.neverConnect(client);
      created.close();
    } else {
      this.live.add(created);
      client.once('end', () => this.live.delete(created));
    }
    return created;
  }
}
