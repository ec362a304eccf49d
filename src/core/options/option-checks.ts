import { isIP } from 'node:net';

/**
 * Building blocks of the options validator. Every check appends human-readable problems
 * instead of throwing, so one `InvalidOptionsError` can list them all.
 *
 * Problems never quote a string the user gave: a misplaced URL or token (`port:
 * 'redis://:secret@host'`) would otherwise end up in logs through the error message. Numbers
 * and booleans are quoted (they cannot hold a secret), strings and objects only by kind.
 */

/** The largest delay Node's timers accept (about 24.8 days); a larger one fires after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

export interface NumberRule {
  min: number;
  max?: number;
  integer?: boolean;
  /** Why `min` is what it is, appended to the problem: a floor without a reason reads as arbitrary. */
  floorReason?: string;
}

/** A millisecond rule from `min` up to the timer limit. */
export const ms = (min: number, floorReason?: string): NumberRule => ({ min, max: MAX_TIMER_MS, ...(floorReason ? { floorReason } : {}) });

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What a value is, for a problem text, without ever quoting a string's content. */
export function describeValue(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return 'a string';
  return typeof v === 'object' ? 'an object' : typeof v;
}

/** Own enumerable string keys that are not in `known` (typos such as `metrics.enable`). */
export function checkKnownKeys(where: string, given: Record<string, unknown>, known: readonly string[], problems: string[]): void {
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) problems.push(`${where}.${key} is not a known option (known: ${known.join(', ')})`);
  }
}

export function checkNumber(where: string, value: unknown, rule: NumberRule, problems: string[]): boolean {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    problems.push(`${where} must be a finite number (got ${describeValue(value)})`);
    return false;
  }
  const before = problems.length;
  if (rule.integer && !Number.isInteger(value)) problems.push(`${where} must be an integer (got ${value})`);
  if (value < rule.min) problems.push(`${where} must be >= ${rule.min} (got ${value})${rule.floorReason ? `: ${rule.floorReason}` : ''}`);
  if (rule.max !== undefined && value > rule.max) problems.push(`${where} must be <= ${rule.max} (got ${value})`);
  return problems.length === before;
}

/**
 * Checks an object of numbers against `rules` and merges it over `defaults`; unknown keys are
 * problems too. Only own rules count: a key such as `toString` or `__proto__` is unknown, not
 * a rule inherited from Object.prototype.
 */
export function checkNumbers<T extends object>(
  where: string,
  given: unknown,
  defaults: Readonly<T>,
  rules: Readonly<Record<string, NumberRule>>,
  problems: string[],
): T {
  const out = { ...defaults } as Record<string, number>;
  if (given === undefined) return out as T;
  if (!isObject(given)) {
    problems.push(`${where} must be an object`);
    return out as T;
  }
  for (const [key, value] of Object.entries(given)) {
    if (!Object.hasOwn(rules, key)) {
      problems.push(`${where}.${key} is not a known option (known: ${Object.keys(rules).join(', ')})`);
      continue;
    }
    if (value === undefined) continue;
    if (checkNumber(`${where}.${key}`, value, rules[key]!, problems)) out[key] = value as number;
  }
  return out as T;
}

const ADDRESS_KEYS = ['host', 'port'];

export function checkAddress(where: string, v: unknown, problems: string[]): void {
  if (!isObject(v)) {
    problems.push(`${where} must be an object { host, port }`);
    return;
  }
  checkKnownKeys(where, v, ADDRESS_KEYS, problems);
  if (typeof v.host !== 'string' || v.host.length === 0) problems.push(`${where}.host must be a non-empty string`);
  if (!Number.isInteger(v.port) || (v.port as number) < 1 || (v.port as number) > 65535) {
    problems.push(`${where}.port must be an integer from 1 to 65535 (got ${describeValue(v.port)})`);
  }
}

/**
 * Whether `server` is a DNS server address Node's resolver accepts: an IP, `ipv4:port` or
 * `[ipv6]:port`. Checked here because `Resolver.setServers` throws a bare TypeError at connect.
 */
export function isDnsServerAddress(server: unknown): boolean {
  if (typeof server !== 'string') return false;
  if (isIP(server) !== 0) return true;
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(server) ?? /^([^:]+):(\d{1,5})$/.exec(server);
  if (!m) return false;
  const port = Number(m[2]);
  return isIP(m[1]!) !== 0 && port >= 1 && port <= 65535;
}
