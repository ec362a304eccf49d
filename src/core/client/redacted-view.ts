import { inspect } from 'node:util';

/** What a secret looks like in any output of ours. */
export const REDACTED = '[redacted]';

/** Option keys whose values are credentials or key material (password, TLS private key). */
const SECRET_KEYS: ReadonlySet<string> = new Set(['password', 'key', 'pfx', 'passphrase']);

/**
 * A plain copy of an options object fit for logs and JSON: secrets replaced, functions and
 * class instances (logger, resolver, metrics registry) named rather than walked into.
 */
export function redactOptions(value: unknown, depth = 0): unknown {
  if (typeof value === 'function') return '[function]';
  if (value === null || typeof value !== 'object') return value;
  if (depth > 4) return '[object]';
  if (Array.isArray(value)) return value.map((v) => redactOptions(v, depth + 1));
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto !== Object.prototype && proto !== null) return `[${value.constructor?.name ?? 'object'}]`;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    out[k] = SECRET_KEYS.has(k) ? REDACTED : redactOptions(v, depth + 1);
  }
  return out;
}

/**
 * Gives `target` a `toJSON` and a `util.inspect` view built by `view`, as non-enumerable
 * properties so a spread copy (duplicate) does not carry them. Both hide secrets: the raw
 * object holds the password because the connections need it.
 */
export function hideSecrets<T extends object>(target: T, view: () => unknown): T {
  Object.defineProperty(target, 'toJSON', { value: view, enumerable: false, configurable: true });
  Object.defineProperty(target, inspect.custom, {
    value: (depth: number, options: object) => inspect(view(), { ...options, depth }),
    enumerable: false,
    configurable: true,
  });
  return target;
}
