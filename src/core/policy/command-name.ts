/**
 * The one place command names are normalised. Redis treats names case-insensitively, and so
 * must every name-based table here (safety, read/write, blocking, pub/sub, scripts): a caller
 * writing `call('BLPOP', ...)` or `call('Subscribe', ...)` gets the same treatment as
 * ioredis's own lower-case method names.
 */

/** The lower-case key under which the tables store `name`. */
export function normalizeCommandName(name: string): string {
  return name.toLowerCase();
}

/**
 * `table.get(name)`, case-insensitively. Tables are keyed by the lower-case name; the first
 * lookup hits for ioredis's own (lower-case) names without allocating a new string.
 */
export function lookupCommand<V>(table: ReadonlyMap<string, V>, name: string): V | undefined {
  return table.get(name) ?? table.get(normalizeCommandName(name));
}

/** Case-insensitive membership in a set of lower-case names. */
export function hasCommand(names: ReadonlySet<string>, name: string): boolean {
  return names.has(name) || names.has(normalizeCommandName(name));
}
