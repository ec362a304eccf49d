/**
 * The OpenTelemetry tracer for the compat tests: an in-memory exporter and
 * @opentelemetry/instrumentation-ioredis, registered before ioredis is first loaded (the
 * instrumentation hooks `require`). Import this module before anything that imports ioredis,
 * and load the library under test with `await import(...)` after it.
 */
import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import type { Cluster as ClusterType, Redis as RedisType } from 'ioredis';

export const exporter = new InMemorySpanExporter();
export const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();
registerInstrumentations({ instrumentations: [new IORedisInstrumentation()], tracerProvider: provider });

/** ioredis, loaded through the instrumentation's hook. */
export const { Cluster, Redis } = createRequire(import.meta.url)('ioredis') as { Cluster: typeof ClusterType; Redis: typeof RedisType };

/** Finished spans whose parent is `parentId`. */
export const spansUnder = (parentId: string) =>
  exporter.getFinishedSpans().filter((s) => (s as { parentSpanContext?: { spanId: string } }).parentSpanContext?.spanId === parentId);
