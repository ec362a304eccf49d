import type { Execution, FailureScenario } from '../errors/failure-scenario.js';

export type { Execution, FailureScenario } from '../errors/failure-scenario.js';
export { FAILURE_SCENARIOS } from '../errors/failure-scenario.js';

/** Target of a MOVED or ASK redirection, as the server reported it. */
export interface Redirect {
  /** Hash slot, 0–16383. */
  readonly slot: number;
  /**
   * Host or IP as sent by the server, without IPv6 brackets. Empty when the server sent
   * `:port` (its preferred endpoint is unknown): it means the node that replied.
   */
  readonly host: string;
  readonly port: number;
}

/**
 * The result of classifying one error. Objects returned by `classifyFailure` may be shared
 * and are frozen: treat them as values.
 */
export interface FailureClass {
  readonly scenario: FailureScenario;
  readonly execution: Execution;
  /** Whether this failure is evidence that the shard is unhealthy. User errors never are. */
  readonly countsAgainstBreaker: boolean;
  /**
   * Whether retrying can help at all, before command safety is considered. Combine with
   * `isRetrySafe(name, args, execution)` to decide an actual retry.
   */
  readonly retryable: boolean;
  /** For `moved` and `ask` when the reply could be parsed. */
  readonly redirect?: Redirect;
}

/**
 * What each scenario implies for the breaker and for retries: the DESIGN §3 table, as data.
 * `classifyFailure` copies these onto every {@link FailureClass}.
 */
export const SCENARIO_TRAITS: Readonly<Record<FailureScenario, { readonly countsAgainstBreaker: boolean; readonly retryable: boolean }>> =
  Object.freeze({
    // Redirections are the cluster working as intended, not a sick shard.
    moved: { countsAgainstBreaker: false, retryable: true },
    ask: { countsAgainstBreaker: false, retryable: true },
    tryagain: { countsAgainstBreaker: false, retryable: true },
    // A failover vote, or a 2-shard cluster that went down entirely. It is cluster-wide, not
    // evidence against the shard that answered: with cluster-require-full-coverage (the Redis
    // default) every healthy shard answers CLUSTERDOWN while one failed primary awaits
    // promotion. Counting it would trip healthy shards' breakers; retrying within the
    // deadline rides through the window instead, and service resumes the moment the cluster
    // is ok again, with no half-open probe to wait for.
    clusterdown: { countsAgainstBreaker: false, retryable: true },
    // READONLY after a managed failover: retry once the endpoint is re-resolved.
    readonly: { countsAgainstBreaker: true, retryable: true },
    loading: { countsAgainstBreaker: true, retryable: true },
    masterdown: { countsAgainstBreaker: true, retryable: true },
    connection: { countsAgainstBreaker: true, retryable: true },
    timeout: { countsAgainstBreaker: true, retryable: true },
    // Wrong credentials or TLS settings do not heal by retrying, and are not a shard outage.
    auth: { countsAgainstBreaker: false, retryable: false },
    config: { countsAgainstBreaker: false, retryable: false },
    // A user error must never trip a breaker, or one bad caller takes a shard down for everyone.
    command: { countsAgainstBreaker: false, retryable: false },
    // Our own rejections: feeding them back into the breaker would keep it open forever, and
    // retrying into a full queue or an open circuit only adds load.
    'circuit-open': { countsAgainstBreaker: false, retryable: false },
    overloaded: { countsAgainstBreaker: false, retryable: false },
    closed: { countsAgainstBreaker: false, retryable: false },
  });
