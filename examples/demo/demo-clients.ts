/**
 * The two clients the demo compares, built the way an app would build them: redis-resilience
 * with its defaults (metrics on a prom-client Registry, events subscribed), and plain ioredis
 * with default options. Both report what they do to one event log for timeline.json.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { Registry } from 'prom-client';
import {
  type ResilienceEvent,
  type ResilientRedis,
  type ResilientRedisOptions,
  createResilientRedis,
  silentLogger,
} from '../../src/index.js';
import { withTimeout } from '../../test/support/lab.js';

export const OURS = 'redis-resilience';
export const PLAIN = 'ioredis';
/** redis-resilience with the opt-ins that trade fail-fast for riding a failover out. */
export const OPT_IN = 'resilience opt-in';

/** One event from either client, for timeline.json. */
export interface LoggedEvent {
  /** Seconds since the demo started. */
  tS: number;
  client: string;
  type: string;
  detail: string;
}

/** Where events go; `print` decides which ones are worth a live line. */
export interface EventSink {
  originMs: number;
  events: LoggedEvent[];
  log(line: string): void;
}

/** Event types worth a live line: the story of a failover, not every retry. */
const LIVE: ReadonlySet<ResilienceEvent['type']> = new Set([
  'breaker.opened',
  'breaker.closed',
  'failover.detected',
  'failover.recovered',
  'endpoint.changed',
  'topology.refreshed',
]);

function record(sink: EventSink, client: string, type: string, detail: string, live: boolean): void {
  const tS = Math.round((performance.now() - sink.originMs) / 10) / 100;
  sink.events.push({ tS, client, type, detail });
  if (live) sink.log(`[${tS.toFixed(1).padStart(6)}s]   ${client}: ${type} ${detail}`);
}

/** Creates redis-resilience with its defaults and records its events. */
export function createOurs(options: ResilientRedisOptions, sink: EventSink): ResilientRedis {
  const client = createResilientRedis({ logger: silentLogger, metrics: { registry: new Registry() }, ...options });
  client.events$.subscribe((e) => {
    if (e.type === 'command.retried' || e.type === 'dns.resolved') {
      // Recorded (they explain retries and re-resolutions) but not printed: too many lines.
      record(sink, OURS, e.type, `${e.node ?? ''} ${e.scenario ?? ''}`.trim(), false);
      return;
    }
    // Scheduled refreshes that changed nothing are routine: recorded, not printed.
    const routine = e.type === 'topology.refreshed' && !e.changed;
    const { type, client: _client, timestamp: _timestamp, ...rest } = e;
    record(sink, OURS, type, JSON.stringify(rest), LIVE.has(type) && !routine);
  });
  return client;
}

/** Plain `new Cluster(seeds)` with default options; its node events are recorded. */
export function createPlainCluster(
  seeds: { host: string; port: number }[],
  sink: EventSink,
  extra: { password?: string; tls?: boolean } = {},
): Cluster {
  const redisOptions: RedisOptions = {
    ...(extra.password === undefined ? {} : { password: extra.password }),
    ...(extra.tls ? { tls: {} } : {}),
  };
  // Only credentials/TLS when the deployment needs them; every resilience knob stays default.
  const client = Object.keys(redisOptions).length > 0 ? new Cluster(seeds, { redisOptions }) : new Cluster(seeds);
  let lastError = '';
  // Without an 'error' listener ioredis prints every connection error; we count them instead.
  client.on('error', (error: Error) => {
    if (error.message !== lastError) record(sink, PLAIN, 'error', error.message, false);
    lastError = error.message;
  });
  // Recorded, not printed: ioredis adds and drops a refused node many times a second.
  client.on('+node', (node: Redis) => record(sink, PLAIN, '+node', `${node.options.host}:${node.options.port}`, false));
  client.on('-node', (node: Redis) => record(sink, PLAIN, '-node', `${node.options.host}:${node.options.port}`, false));
  client.on('refresh', () => record(sink, PLAIN, 'refresh', 'slots refreshed', false));
  return client;
}

/** Plain `new Redis({ host, port })` with default options. */
export function createPlainRedis(options: RedisOptions, sink: EventSink): Redis {
  const client = new Redis(options);
  let lastError = '';
  client.on('error', (error: Error) => {
    if (error.message !== lastError) record(sink, PLAIN, 'error', error.message, false);
    lastError = error.message;
  });
  client.on('reconnecting', () => record(sink, PLAIN, 'reconnecting', `${options.host}:${options.port}`, false));
  return client;
}

/** Resolves once a plain ioredis client is ready (bounded). */
export async function plainReady(client: Redis | Cluster, timeoutMs = 15_000): Promise<void> {
  if (client.status === 'ready') return;
  await withTimeout(
    new Promise<void>((resolve) => {
      client.once('ready', () => resolve());
    }),
    timeoutMs,
    'plain ioredis to become ready',
  );
}
