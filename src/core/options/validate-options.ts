import { InvalidOptionsError } from '../errors/invalid-options.error.js';
import type { BreakerOptions, PolicyOptions } from './policy-options.js';
import { breakerPresets, policyPresets } from './presets.js';
import type { Mode, NodeAddress, ResilientRedisOptions } from './resilient-redis-options.js';

/** Options after validation, with the mode's presets filled in. */
export type ResolvedOptions = ResilientRedisOptions & {
  readonly name: string;
  readonly policy: Readonly<PolicyOptions>;
  readonly breaker: Readonly<BreakerOptions>;
  readonly required: boolean;
};

const MODES: readonly Mode[] = ['standalone', 'replication', 'cluster'];

/** Top-level options every mode accepts. */
const COMMON_KEYS: readonly string[] = [
  'name', 'mode', 'username', 'password', 'tls', 'db', 'keyPrefix', 'policy', 'breaker', 'logger',
  'metrics', 'required', 'allowPartialAvailability', 'enableAutoPipelining', 'connectionName', 'lazyConnect',
];

/** Top-level options that only mean something in one mode. */
const MODE_KEYS: Readonly<Record<Mode, readonly string[]>> = {
  standalone: ['node'],
  replication: ['primary', 'reader', 'dns'],
  cluster: ['nodes', 'readFrom', 'dns', 'topology'],
};

/**
 * The largest delay Node's timers accept (about 24.8 days). A larger one fires after 1 ms,
 * which would turn a generous deadline into an instant timeout.
 */
const MAX_TIMER_MS = 2_147_483_647;

interface NumberRule {
  min: number;
  max?: number;
  integer?: boolean;
}

const ms = (min: number): NumberRule => ({ min, max: MAX_TIMER_MS });

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

const TOPOLOGY_RULES: Record<string, NumberRule> = {
  refreshIntervalMs: ms(100),
  minRefreshGapMs: ms(0),
  timeoutsToRefresh: { min: 1, integer: true },
  timeoutWindowMs: ms(1),
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkAddress(where: string, v: unknown, problems: string[]): void {
  if (!isObject(v)) {
    problems.push(`${where} must be an object { host, port }`);
    return;
  }
  if (typeof v.host !== 'string' || v.host.length === 0) problems.push(`${where}.host must be a non-empty string`);
  if (!Number.isInteger(v.port) || (v.port as number) < 1 || (v.port as number) > 65535) {
    problems.push(`${where}.port must be an integer from 1 to 65535 (got ${JSON.stringify(v.port)})`);
  }
}

function checkNumber(where: string, value: unknown, rule: NumberRule, problems: string[]): boolean {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    problems.push(`${where} must be a finite number (got ${typeof value === 'number' ? String(value) : typeof value})`);
    return false;
  }
  const before = problems.length;
  if (rule.integer && !Number.isInteger(value)) problems.push(`${where} must be an integer (got ${value})`);
  if (value < rule.min) problems.push(`${where} must be >= ${rule.min} (got ${value})`);
  if (rule.max !== undefined && value > rule.max) problems.push(`${where} must be <= ${rule.max} (got ${value})`);
  return problems.length === before;
}

/** Checks an object of numbers against `rules`; unknown keys are problems too (typos). */
function checkNumbers<T extends object>(
  where: string,
  given: unknown,
  defaults: Readonly<T>,
  rules: Readonly<Record<string, NumberRule>>,
  problems: string[],
): T {
  if (given === undefined) return { ...defaults };
  if (!isObject(given)) {
    problems.push(`${where} must be an object`);
    return { ...defaults };
  }
  const out = { ...defaults } as Record<string, number>;
  for (const [key, value] of Object.entries(given)) {
    const rule = rules[key];
    if (rule === undefined) {
      problems.push(`${where}.${key} is not a known option (known: ${Object.keys(rules).join(', ')})`);
      continue;
    }
    if (value === undefined) continue;
    if (checkNumber(`${where}.${key}`, value, rule, problems)) out[key] = value as number;
  }
  return out as T;
}

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
  }
  if (mode === 'cluster') {
    if (!Array.isArray(options.nodes) || options.nodes.length === 0) {
      problems.push('nodes must be a non-empty array of { host, port } (seed nodes or the configuration endpoint)');
    } else {
      (options.nodes as NodeAddress[]).forEach((n, i) => checkAddress(`nodes[${i}]`, n, problems));
    }
    if (options.readFrom !== undefined && !['primary', 'replica-preferred'].includes(options.readFrom as string)) {
      problems.push(`readFrom must be 'primary' or 'replica-preferred' (got ${JSON.stringify(options.readFrom)})`);
    }
    if (options.topology !== undefined) checkNumbers('topology', options.topology, {}, TOPOLOGY_RULES, problems);
    if (options.db !== undefined && options.db !== 0) problems.push('db must be 0 in cluster mode');
  }
  const dns = options.dns;
  if (dns === undefined || (mode !== 'replication' && mode !== 'cluster')) return;
  if (!isObject(dns)) {
    problems.push('dns must be an object');
    return;
  }
  if (dns.servers !== undefined && (!Array.isArray(dns.servers) || dns.servers.some((s) => typeof s !== 'string'))) {
    problems.push('dns.servers must be an array of "ip" or "ip:port" strings');
  }
  if (dns.resolve !== undefined && typeof dns.resolve !== 'function') problems.push('dns.resolve must be a function');
  for (const key of ['minIntervalMs', 'maxIntervalMs', 'fastPollMs', 'fastPollForMs'] as const) {
    if (dns[key] !== undefined) checkNumber(`dns.${key}`, dns[key], ms(0), problems);
  }
  if (typeof dns.minIntervalMs === 'number' && typeof dns.maxIntervalMs === 'number' && dns.minIntervalMs > dns.maxIntervalMs) {
    problems.push('dns.minIntervalMs must not exceed dns.maxIntervalMs');
  }
}

function checkCommonOptions(options: Record<string, unknown>, problems: string[]): void {
  for (const key of ['password', 'username', 'keyPrefix'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'string') problems.push(`${key} must be a string`);
  }
  if (options.db !== undefined && (!Number.isInteger(options.db) || (options.db as number) < 0)) {
    problems.push('db must be a non-negative integer');
  }
  for (const key of ['required', 'allowPartialAvailability', 'enableAutoPipelining', 'lazyConnect'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') problems.push(`${key} must be a boolean`);
  }
  if (options.connectionName !== undefined && (typeof options.connectionName !== 'string' || /\s/.test(options.connectionName))) {
    problems.push('connectionName must be a string without spaces (CLIENT SETNAME refuses them)');
  }
  if (options.tls !== undefined && typeof options.tls !== 'boolean' && !isObject(options.tls)) {
    problems.push('tls must be true, false or a TLS options object');
  }
  if (options.logger !== undefined) {
    const l = options.logger as Record<string, unknown>;
    if (!isObject(l) || typeof l.log !== 'function' || typeof l.warn !== 'function' || typeof l.error !== 'function') {
      problems.push('logger must have log, warn and error methods (a Nest LoggerService works)');
    }
  }
  const metrics = options.metrics;
  if (metrics !== undefined) {
    if (!isObject(metrics)) problems.push('metrics must be an object');
    else {
      if (metrics.enabled !== undefined && typeof metrics.enabled !== 'boolean') problems.push('metrics.enabled must be a boolean');
      if (metrics.registry !== undefined && !(isObject(metrics.registry) && typeof metrics.registry.registerMetric === 'function')) {
        problems.push('metrics.registry must be a prom-client Registry');
      }
      if (metrics.prefix !== undefined && (typeof metrics.prefix !== 'string' || !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(metrics.prefix))) {
        problems.push('metrics.prefix must be a valid Prometheus metric name prefix (letters, digits, "_" and ":")');
      }
    }
  }
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
  if (mode === undefined) problems.push(`mode must be one of ${MODES.join(', ')} (got ${JSON.stringify(options.mode)})`);
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
  }) as ResolvedOptions;
}
