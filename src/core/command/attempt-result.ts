import type { FailureClass } from '../policy/failure-scenario.js';
import type { QueueFullError } from '../errors/queue-full.error.js';
import type { Endpoint } from './endpoint.js';

/**
 * Why an attempt was not made, or not completed, by our own decision. Nothing reached the
 * server, so none of these is evidence against the node.
 * - `open`: the breaker is open (or the endpoint already refused this call once);
 * - `busy`: a half-open breaker has its one probe in flight;
 * - `deadline`: too little of the call's budget is left for an attempt;
 * - `queue-full`: too many calls already wait for this node to be ready;
 * - `closed`: the client is closing;
 * - `retired`: the endpoint was swapped out by a failover while the call waited;
 * - `shed`: the breaker opened while the call waited for the connection.
 */
export type RefusalReason = 'open' | 'busy' | 'deadline' | 'queue-full' | 'closed' | 'retired' | 'shed';

/** What one attempt came to, as data: the loop decides what follows in one place. */
export type AttemptResult<T> =
  | { readonly kind: 'ok'; readonly endpoint: Endpoint; readonly value: T }
  | {
      readonly kind: 'refused';
      readonly endpoint: Endpoint;
      readonly reason: RefusalReason;
      /** For `open` / `busy`: when the breaker lets a probe through. */
      readonly retryAfterMs?: number;
      /** For `queue-full`: the error to give the caller. */
      readonly error?: QueueFullError;
    }
  | { readonly kind: 'failed'; readonly endpoint: Endpoint; readonly failure: FailureClass; readonly error: unknown };
