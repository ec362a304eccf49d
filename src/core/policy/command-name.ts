/**
 * The one place command names are normalised. Redis treats names case-insensitively, and so
 * must every name-based table here (safety, read/write, blocking, pub/sub, scripts): a caller
 * writing `call('BLPOP', ...)` or `call('Subscribe', ...)` gets the same treatment as
 * ioredis's own lower-case method names.
 */

/**
 * The lower-case key under which the tables store `name`: `name` itself, not a copy, when it
 * has no upper-case ASCII letter (ioredis's method names), so the hot path allocates nothing.
 */
export function normalizeCommandName(name: string): string {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if ((c >= 65 && c <= 90) || c > 127) return name.toLowerCase();
  }
  return name;
}

/**
 * `table.get(name)`, case-insensitively. Tables are keyed by the lower-case name; the first
 * lookup hits for ioredis's own (lower-case) names without allocating a new string.
 */
export function lookupCommand<V>(table: ReadonlyMap<string, V>, name: string): V | undefined {
  const hit = table.get(name);
  if (hit !== undefined) return hit;
  const lower = normalizeCommandName(name);
  return lower === name ? undefined : table.get(lower);
}

/** Case-insensitive membership in a set of lower-case names. */
export function hasCommand(names: ReadonlySet<string>, name: string): boolean {
  if (names.has(name)) return true;
  const lower = normalizeCommandName(name);
  return lower !== name && names.has(lower);
}
