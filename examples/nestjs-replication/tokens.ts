/** Injection token of the example's `ReplicationExampleConfig`. */
export const EXAMPLE_CONFIG = Symbol('EXAMPLE_CONFIG');
/** Injection token of the prom-client `Registry` served on /metrics. */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
