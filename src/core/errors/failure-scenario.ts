/**
 * The vocabulary of failures. Every error seen on the command path is mapped to exactly one
 * {@link FailureScenario} by `classifyFailure`, and the rest of the library (retry, breaker,
 * topology refresh, DNS re-resolution, metrics labels) decides on the scenario, never on raw
 * error text. See DESIGN §3 for the table this encodes.
 */

/**
 * What went wrong, at the granularity the policies need.
 *
 * - `moved` / `ask`: cluster redirection; the slot lives (or is moving) elsewhere.
 * - `tryagain`: multi-key command during a slot migration.
 * - `clusterdown`: failover vote in progress, or a slot is not served.
 * - `readonly`: a write reached a demoted primary (typical after a managed failover, where the
 *   old primary stays up as a replica and the DNS name has not moved yet).
 * - `loading` / `masterdown`: the node is up but cannot serve yet (dataset loading, script
 *   running, or a replica whose link to its primary is down).
 * - `connection`: the socket failed (refused, reset, closed).
 * - `timeout`: no reply within the attempt deadline (hung host, black-holed packets).
 * - `auth` / `config`: credentials or TLS are wrong; retrying cannot help.
 * - `command`: the caller's own error (WRONGTYPE, syntax, script error, OOM...).
 * - `circuit-open`: our breaker for that shard rejected the call.
 * - `overloaded`: our bounded wait queue overflowed.
 * - `closed`: the client was closed before or while the call was made.
 */
export type FailureScenario =
  | 'moved'
  | 'ask'
  | 'tryagain'
  | 'clusterdown'
  | 'readonly'
  | 'loading'
  | 'masterdown'
  | 'connection'
  | 'timeout'
  | 'auth'
  | 'config'
  | 'command'
  | 'circuit-open'
  | 'overloaded'
  | 'closed';

/**
 * Was the command executed on the server?
 *
 * - `not-executed`: certainly not; any command may be retried.
 * - `unknown`: it may have run (a timeout, or a reset after it was written); only reads and
 *   idempotent writes may be retried.
 * - `executed`: the server ran it (possibly in part, as with a failing Lua script); never retried.
 */
export type Execution = 'not-executed' | 'unknown' | 'executed';

/** Every scenario, in table order; handy for metrics pre-registration and exhaustive tests. */
export const FAILURE_SCENARIOS: readonly FailureScenario[] = Object.freeze([
  'moved',
  'ask',
  'tryagain',
  'clusterdown',
  'readonly',
  'loading',
  'masterdown',
  'connection',
  'timeout',
  'auth',
  'config',
  'command',
  'circuit-open',
  'overloaded',
  'closed',
]);
