import { InvalidOptionsError } from '../errors/invalid-options.error.js';
import type { BreakerOptions, PolicyOptions } from './policy-options.js';
import {
  MAX_TIMER_MS,
  type NumberRule,
  checkAddress,
  checkKnownKeys,
  checkNumber,
  checkNumbers,
  describeValue,
  isDnsServerAddress,
  isObject,
  ms,
} from './option-checks.js';
import { breakerPresets, policyPresets } from './presets.js';
import type { Mode, NodeAddress, ReadFrom, ResilientRedisOptions } from './resilient-redis-options.js';

/** Options after validation, with the mode's presets filled in. */
export type ResolvedOptions = ResilientRedisOptions & {
  readonly name: string;
  readonly policy: Readonly<PolicyOptions>;
  readonly breaker: Readonly<BreakerOptions>;
  readonly required: boolean;
  readonly coalesceWrites: boolean;
};

const MODES: readonly Mode[] = ['standalone', 'replication', 'cluster'];
const READ_FROM: readonly ReadFrom[] = ['primary', 'replica-preferred', 'primary-preferred'];

/** Top-level options every mode accepts. */
const COMMON_KEYS: readonly string[] = [
  'name',
  'mode',
  'username',
  'password',
  'tls',
  'db',
  'keyPrefix',
  'policy',
  'breaker',
  'logger',
  'metrics',
  'required',
  'allowPartialAvailability',
  'enableAutoPipelining',
  'coalesceWrites',
  'connectionName',
  'lazyConnect',
];

/** Top-level options that only mean something in one mode. */
const MODE_KEYS: Readonly<Record<Mode, readonly string[]>> = {
  standalone: ['node'],
  replication: ['primary', 'reader', 'readFrom', 'dns'],
  cluster: ['nodes', 'readFrom', 'dns', 'topology', 'crossSlot'],
};

/** Every top-level option key of any mode. */
export const OPTION_KEYS: ReadonlySet<string> = new Set([...COMMON_KEYS, ...Object.values(MODE_KEYS).flat()]);

const POLICY_RULES: Record<keyof PolicyOptions, NumberRule> = {
  attemptTimeoutMs: ms(1),
  totalTimeoutMs: ms(1),
  maxAttempts: { min: 1, max: 20, integer: true },
  backoffBaseMs: ms(0),
  backoffMaxMs: ms(0),
  maxQueueLength: { min: 0, integer: true },
  blockingGraceMs: ms(0),
  closeDrainMs: ms(0),
  connectTimeoutMs: ms(1),
  reconnectMaxMs: ms(1),
  holdDuringFailoverMs: ms(0),
};

const BREAKER_RULES: Record<keyof BreakerOptions, NumberRule> = {
  errorThresholdPercentage: { min: 1, max: 100 },
  volumeThreshold: { min: 1, integer: true },
  consecutiveFailuresToOpen: { min: 1, integer: true },
  rollingWindowMs: { min: 100, max: MAX_TIMER_MS, integer: true },
  resetTimeoutMs: ms(1),
};

// Floors on everything that drives a query to the servers: each query multiplies by every pod
// of the fleet, and a 0 turns a trigger (a burst of MOVED, a TTL of 0) into a storm.
const TOPOLOGY_RULES: Record<string, NumberRule> = {
  refreshIntervalMs: ms(1000, 'each periodic refresh is a full topology read from every client of the fleet'),
  minRefreshGapMs: ms(
    50,
    'it is the refresh-storm bound: below it a burst of MOVED replies or timeouts floods the cluster with CLUSTER SLOTS',
  ),
  timeoutsToRefresh: { min: 1, integer: true },
  timeoutWindowMs: ms(1),
};

const DNS_RULES: Record<string, NumberRule> = {
  minIntervalMs: ms(100, 'a record with a TTL of 0 must not turn every client into a resolver hammer'),
  maxIntervalMs: ms(100, 'a record with a TTL of 0 must not turn every client into a resolver hammer'),
  fastPollMs: ms(50, 'fast polling runs for as long as failures do; more than 20 queries a second per name is load, not speed'),
  fastPollForMs: ms(0),
};
const DNS_KEYS = ['servers', 'resolve', ...Object.keys(DNS_RULES)];
const METRICS_KEYS = ['enabled', 'registry', 'prefix'];
const TLS_KEYS = ['ca', 'cert', 'key', 'servername', 'rejectUnauthorized', 'minVersion'];

function checkTopLevelKeys(options: Record<string, unknown>, mode: Mode | undefined, problems: string[]): void {
  for (const key of Object.keys(options)) {
    if (COMMON_KEYS.includes(key) || options[key] === undefined) continue;
    const owners = MODES.filter((m) => MODE_KEYS[m].includes(key));
    if (owners.length === 0) {
      problems.push(`${key} is not a known option`);
    } else if (mode !== undefined && !owners.includes(mode)) {
      problems.push(`${key} applies to mode ${owners.map((m) => `'${m}'`).join(' or ')} only, not '${mode}'`);
    }
  }
}

function checkModeOptions(options: Record<string, unknown>, mode: Mode | undefined, problems: string[]): void {
  if (mode === 'standalone') checkAddress('node', options.node, problems);
  if (mode === 'replication') {
    checkAddress('primary', options.primary, problems);
    if (options.reader !== undefined) checkAddress('reader', options.reader, problems);
    // 'replica-preferred' or 'primary-preferred' without a reader would quietly mean 'primary'.
    if (checkReadFrom(options.readFrom, problems) && options.readFrom !== 'primary' && options.reader === undefined) {
      problems.push(
        `readFrom '${options.readFrom as string}' needs a reader (there is no other node to read from): set reader, or use readFrom 'primary'`,
      );
    }
  }
  if (mode === 'cluster') {
    if (!Array.isArray(options.nodes) || options.nodes.length === 0) {
      problems.push('nodes must be a non-empty array of { host, port } (seed nodes or the configuration endpoint)');
    } else {
      (options.nodes as NodeAddress[]).forEach((n, i) => checkAddress(`nodes[${i}]`, n, problems));
    }
    checkReadFrom(options.readFrom, problems);
    if (options.topology !== undefined) checkNumbers('topology', options.topology, {}, TOPOLOGY_RULES, problems);
    if (options.db !== undefined && options.db !== 0) problems.push('db must be 0 in cluster mode');
    const cs = options.crossSlot as Record<string, unknown> | undefined;
    if (
      cs !== undefined &&
      (!isObject(cs) || Object.entries(cs).some(([k, v]) => !['split', 'splitMset'].includes(k) || typeof v !== 'boolean'))
    ) {
      problems.push('crossSlot must be an object with boolean split and splitMset only');
    } else if (cs?.splitMset === true && cs.split !== true) problems.push('crossSlot.splitMset needs crossSlot.split: true');
  }
  if (mode === 'replication' || mode === 'cluster') checkDnsOptions(options.dns, problems);
}

/** Whether `readFrom` is given and one of the three; a wrong value is a problem. */
function checkReadFrom(readFrom: unknown, problems: string[]): boolean {
  if (readFrom === undefined) return false;
  if ((READ_FROM as readonly unknown[]).includes(readFrom)) return true;
  problems.push(`readFrom must be 'primary', 'replica-preferred' or 'primary-preferred' (got ${describeValue(readFrom)})`);
  return false;
}

function checkDnsOptions(dns: unknown, problems: string[]): void {
  if (dns === undefined) return;
  if (!isObject(dns)) {
    problems.push('dns must be an object');
    return;
  }
  checkKnownKeys('dns', dns, DNS_KEYS, problems);
  if (dns.servers !== undefined) {
    if (!Array.isArray(dns.servers)) problems.push('dns.servers must be an array of "ip" or "ip:port" strings');
    else {
      dns.servers.forEach((server: unknown, i) => {
        if (!isDnsServerAddress(server))
          problems.push(`dns.servers[${i}] must be "ip", "ipv4:port" or "[ipv6]:port" (got ${describeValue(server)})`);
      });
    }
  }
  if (dns.resolve !== undefined && typeof dns.resolve !== 'function') problems.push('dns.resolve must be a function');
  for (const key of Object.keys(DNS_RULES)) {
    if (dns[key] !== undefined) checkNumber(`dns.${key}`, dns[key], DNS_RULES[key]!, problems);
  }
  if (typeof dns.minIntervalMs === 'number' && typeof dns.maxIntervalMs === 'number' && dns.minIntervalMs > dns.maxIntervalMs) {
    problems.push('dns.minIntervalMs must not exceed dns.maxIntervalMs');
  }
}

function checkTlsOptions(tls: unknown, problems: string[]): void {
  if (tls === undefined || typeof tls === 'boolean') return;
  if (!isObject(tls)) {
    problems.push('tls must be true, false or a TLS options object');
    return;
  }
  checkKnownKeys('tls', tls, TLS_KEYS, problems);
  for (const key of ['servername', 'minVersion'] as const) {
    if (tls[key] !== undefined && typeof tls[key] !== 'string') problems.push(`tls.${key} must be a string`);
  }
  if (tls.rejectUnauthorized !== undefined && typeof tls.rejectUnauthorized !== 'boolean')
    problems.push('tls.rejectUnauthorized must be a boolean');
}

function checkMetricsOptions(metrics: unknown, problems: string[]): void {
  if (metrics === undefined) return;
  if (!isObject(metrics)) {
    problems.push('metrics must be an object');
    return;
  }
  checkKnownKeys('metrics', metrics, METRICS_KEYS, problems);
  if (metrics.enabled !== undefined && typeof metrics.enabled !== 'boolean') problems.push('metrics.enabled must be a boolean');
  if (metrics.registry !== undefined && !(isObject(metrics.registry) && typeof metrics.registry.registerMetric === 'function')) {
    problems.push('metrics.registry must be a prom-client Registry');
  }
  if (metrics.prefix !== undefined && (typeof metrics.prefix !== 'string' || !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(metrics.prefix))) {
    problems.push('metrics.prefix must be a valid Prometheus metric name prefix (letters, digits, "_" and ":")');
  }
}

function checkCommonOptions(options: Record<string, unknown>, problems: string[]): void {
  for (const key of ['password', 'username', 'keyPrefix'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'string') problems.push(`${key} must be a string`);
  }
  if (options.db !== undefined && (!Number.isInteger(options.db) || (options.db as number) < 0)) {
    problems.push('db must be a non-negative integer');
  }
  for (const key of ['required', 'allowPartialAvailability', 'enableAutoPipelining', 'coalesceWrites', 'lazyConnect'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') problems.push(`${key} must be a boolean`);
  }
  if (options.enableAutoPipelining === true && options.coalesceWrites === false) {
    problems.push('enableAutoPipelining: true asks for coalesced writes, which coalesceWrites: false turns off; set one of them');
  }
  if (options.connectionName !== undefined && (typeof options.connectionName !== 'string' || /\s/.test(options.connectionName))) {
    problems.push('connectionName must be a string without spaces (CLIENT SETNAME refuses them)');
  }
  checkTlsOptions(options.tls, problems);
  if (options.logger !== undefined) {
    const l = options.logger as Record<string, unknown>;
    if (!isObject(l) || typeof l.log !== 'function' || typeof l.warn !== 'function' || typeof l.error !== 'function') {
      problems.push('logger must have log, warn and error methods (a Nest LoggerService works)');
    }
  }
  checkMetricsOptions(options.metrics, problems);
}

/**
 * Validates user options and merges the mode's presets. Throws one `InvalidOptionsError`
 * that lists every problem found: a wrong mode does not hide the problems in the rest.
 */
export function resolveOptions(options: unknown): ResolvedOptions {
  const problems: string[] = [];
  if (!isObject(options)) throw new InvalidOptionsError(['options must be an object']);
  const name = options.name === undefined ? 'default' : options.name;
  const validName = typeof name === 'string' && /^[A-Za-z0-9_.:-]{1,64}$/.test(name);
  if (!validName) problems.push('name must be 1-64 characters of letters, digits, "_", ".", ":" or "-"');
  const mode = MODES.includes(options.mode as Mode) ? (options.mode as Mode) : undefined;
  if (mode === undefined) problems.push(`mode must be one of ${MODES.join(', ')} (got ${describeValue(options.mode)})`);
  checkTopLevelKeys(options, mode, problems);
  checkModeOptions(options, mode, problems);
  checkCommonOptions(options, problems);

  // With an unknown mode, the standalone presets still let the field checks run.
  const presetMode = mode ?? 'standalone';
  const policy = checkNumbers<PolicyOptions>('policy', options.policy, policyPresets[presetMode], POLICY_RULES, problems);
  if (policy.attemptTimeoutMs > policy.totalTimeoutMs) {
    problems.push(`policy.attemptTimeoutMs (${policy.attemptTimeoutMs}) must not exceed policy.totalTimeoutMs (${policy.totalTimeoutMs})`);
  }
  if (policy.backoffBaseMs > policy.backoffMaxMs) {
    problems.push(`policy.backoffBaseMs (${policy.backoffBaseMs}) must not exceed policy.backoffMaxMs (${policy.backoffMaxMs})`);
  }
  const breaker = checkNumbers<BreakerOptions>('breaker', options.breaker, breakerPresets[presetMode], BREAKER_RULES, problems);

  if (problems.length > 0 || mode === undefined) throw new InvalidOptionsError(problems, validName ? name : undefined);
  return Object.freeze({
    ...(options as unknown as ResilientRedisOptions),
    name,
    policy: Object.freeze(policy),
    breaker: Object.freeze(breaker),
    required: (options.required as boolean | undefined) ?? true,
    coalesceWrites: (options.coalesceWrites as boolean | undefined) ?? true,
  }) as ResolvedOptions;
}
