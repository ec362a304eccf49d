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

function checkNumbers<T extends object>(
  where: string,
  given: unknown,
  preset: Readonly<T>,
  rules: Partial<Record<keyof T, { min: number; max?: number; integer?: boolean }>>,
  problems: string[],
): T {
  if (given === undefined) return { ...preset };
  if (!isObject(given)) {
    problems.push(`${where} must be an object`);
    return { ...preset };
  }
  const out = { ...preset } as Record<string, number>;
  for (const [key, value] of Object.entries(given)) {
    if (!(key in preset)) {
      problems.push(`${where}.${key} is not a known option (known: ${Object.keys(preset).join(', ')})`);
      continue;
    }
    if (value === undefined) continue;
    const rule = rules[key as keyof T] ?? { min: 0 };
    if (typeof value !== 'number' || Number.isNaN(value)) {
      problems.push(`${where}.${key} must be a number (got ${typeof value})`);
      continue;
    }
    if (rule.integer && !Number.isInteger(value)) problems.push(`${where}.${key} must be an integer (got ${value})`);
    if (value < rule.min) problems.push(`${where}.${key} must be >= ${rule.min} (got ${value})`);
    if (rule.max !== undefined && value > rule.max) problems.push(`${where}.${key} must be <= ${rule.max} (got ${value})`);
    out[key] = value;
  }
  return out as T;
}

/**
 * Validates user options and merges the mode's presets. Throws one `InvalidOptionsError`
 * that lists every problem found.
 */
export function resolveOptions(options: unknown): ResolvedOptions {
  const problems: string[] = [];
  if (!isObject(options)) throw new InvalidOptionsError(['options must be an object']);
  const name = options.name === undefined ? 'default' : options.name;
  if (typeof name !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(name)) {
    problems.push('name must be 1-64 characters of letters, digits, "_", ".", ":" or "-"');
  }
  const mode = options.mode as Mode;
  if (!MODES.includes(mode)) {
    problems.push(`mode must be one of ${MODES.join(', ')} (got ${JSON.stringify(options.mode)})`);
    throw new InvalidOptionsError(problems, typeof name === 'string' ? name : undefined);
  }
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
  }
  for (const key of ['password', 'username', 'keyPrefix'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'string') problems.push(`${key} must be a string`);
  }
  if (options.db !== undefined && (!Number.isInteger(options.db) || (options.db as number) < 0)) {
    problems.push('db must be a non-negative integer');
  }
  if (mode === 'cluster' && options.db !== undefined && options.db !== 0) problems.push('db must be 0 in cluster mode');
  for (const key of ['required', 'allowPartialAvailability', 'enableAutoPipelining'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') problems.push(`${key} must be a boolean`);
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
  const dns = options.dns as Record<string, unknown> | undefined;
  if (dns !== undefined) {
    if (!isObject(dns)) problems.push('dns must be an object');
    else {
      if (dns.servers !== undefined && (!Array.isArray(dns.servers) || dns.servers.some((s) => typeof s !== 'string'))) {
        problems.push('dns.servers must be an array of "ip" or "ip:port" strings');
      }
      if (dns.resolve !== undefined && typeof dns.resolve !== 'function') problems.push('dns.resolve must be a function');
    }
  }

  const policy = checkNumbers('policy', options.policy, policyPresets[mode], {
    attemptTimeoutMs: { min: 1 },
    totalTimeoutMs: { min: 1 },
    maxAttempts: { min: 1, max: 20, integer: true },
    backoffBaseMs: { min: 0 },
    backoffMaxMs: { min: 0 },
    maxQueueLength: { min: 0, integer: true },
    blockingGraceMs: { min: 0 },
    closeDrainMs: { min: 0 },
    connectTimeoutMs: { min: 1 },
    reconnectMaxMs: { min: 1 },
  }, problems);
  if (policy.attemptTimeoutMs > policy.totalTimeoutMs) {
    problems.push(`policy.attemptTimeoutMs (${policy.attemptTimeoutMs}) must not exceed policy.totalTimeoutMs (${policy.totalTimeoutMs})`);
  }
  if (policy.backoffBaseMs > policy.backoffMaxMs) problems.push('policy.backoffBaseMs must not exceed policy.backoffMaxMs');
  const breaker = checkNumbers('breaker', options.breaker, breakerPresets[mode], {
    errorThresholdPercentage: { min: 1, max: 100 },
    volumeThreshold: { min: 1, integer: true },
    consecutiveFailuresToOpen: { min: 1, integer: true },
    rollingWindowMs: { min: 100, integer: true },
    resetTimeoutMs: { min: 1 },
  }, problems);

  if (problems.length > 0) throw new InvalidOptionsError(problems, typeof name === 'string' ? name : undefined);
  return Object.freeze({
    ...(options as unknown as ResilientRedisOptions),
    name: name as string,
    policy: Object.freeze(policy),
    breaker: Object.freeze(breaker),
    required: (options.required as boolean | undefined) ?? true,
  }) as ResolvedOptions;
}
