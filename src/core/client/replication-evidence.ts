import type { Endpoint } from '../endpoint/endpoint.js';
import type { FailureClass } from '../policy/failure-scenario.js';

/** Timeouts on one endpoint within the window that count as evidence of a failover. */
export const TIMEOUTS_TO_RERESOLVE = 2;
export const TIMEOUT_WINDOW_MS = 1000;

/** Which of the two names an endpoint currently stands for. */
export type ReplicationSlot = 'primary' | 'reader';

/** What the replication router can do about a failure; the evidence decides which. */
export interface ReplicationReactions {
  /** The endpoint each name currently stands for. */
  current(slot: ReplicationSlot): Endpoint | undefined;
  /** Re-resolve the name now and poll it fast for a while. */
  poke(slot: ReplicationSlot): void;
  /** The primary answered READONLY: ask it for its new master and go there. */
  followDemotion(primary: Endpoint): void;
  /** A call timed out on the primary: ask whether a planned failover is under way. */
  inspectPrimary(primary: Endpoint): void;
  /** The reader is loading its dataset or cut off from its primary: reads avoid it. */
  avoidReader(): void;
}

/**
 * Replication mode: what a failure on the primary or the reader is evidence of, and the
 * reaction it calls for. A pure decision (no I/O of its own), so it is tested without a server:
 * - READONLY: a demoted primary; follow it to the master it names, and re-resolve;
 * - LOADING / MASTERDOWN: a reader that cannot serve yet is avoided; on the primary, re-resolve;
 * - a timeout: on the primary, check for a hand-over; two within a second on one node (a hung
 *   host, not one slow reply) re-resolve its name;
 * - anything else that counts against the breaker (a refused connection): re-resolve.
 * Failures that are not the node's fault, or on an endpoint already swapped out, are ignored.
 */
export class ReplicationEvidence {
  private readonly timeouts = new WeakMap<Endpoint, { since: number; count: number }>();

  constructor(
    private readonly react: ReplicationReactions,
    private readonly now: () => number = Date.now,
  ) {}

  onFailure(endpoint: Endpoint, failure: FailureClass): void {
    if (!failure.countsAgainstBreaker) return;
    const slot = this.slotOf(endpoint);
    // A failure on a swapped-out endpoint is old news: its call is retried on the new one.
    if (!slot) return;
    const isPrimary = slot === 'primary';
    switch (failure.scenario) {
      case 'readonly':
        if (isPrimary) this.react.followDemotion(endpoint);
        this.react.poke(slot);
        return;
      case 'loading':
      case 'masterdown':
        // A replica loading its dataset or cut off from its primary: reads go to the primary.
        if (isPrimary) this.react.poke(slot);
        else this.react.avoidReader();
        return;
      case 'timeout':
        if (isPrimary) this.react.inspectPrimary(endpoint);
        if (this.repeatedTimeout(endpoint)) this.react.poke(slot);
        return;
      default:
        this.react.poke(slot);
    }
  }

  private slotOf(endpoint: Endpoint): ReplicationSlot | undefined {
    if (endpoint === this.react.current('primary')) return 'primary';
    if (endpoint === this.react.current('reader')) return 'reader';
    return undefined;
  }

  /** One slow reply proves little; two within the window on one node is a hung host. */
  private repeatedTimeout(endpoint: Endpoint): boolean {
    const now = this.now();
    const seen = this.timeouts.get(endpoint);
    if (!seen || now - seen.since > TIMEOUT_WINDOW_MS) {
      this.timeouts.set(endpoint, { since: now, count: 1 });
      return TIMEOUTS_TO_RERESOLVE <= 1;
    }
    return ++seen.count >= TIMEOUTS_TO_RERESOLVE;
  }
}
