import type { EventBus } from '../events/event-bus.js';
import type { FailureScenario } from '../policy/failure-scenario.js';

/**
 * An endpoint's failover episode, as the command path and the routers record it: when its
 * failure began (reported once as `failover.detected`, ended once as `failover.recovered`),
 * when its connection was lost, how many calls hold for the failover to finish, and whether
 * its wait queue already overflowed in this episode. The endpoint is one of these; the
 * connection, breaker and queue it adds are in endpoint.ts.
 */
export class FailoverEpisode {
  /** Wall-clock ms when the current failure episode began, 0 when there is none. */
  private failingSinceMs = 0;
  /** Wall-clock ms when the connection was last lost, 0 while connected. */
  private lostAtMs = 0;
  /** Calls waiting for this node's failover to finish (policy.holdDuringFailoverMs). */
  private holders = 0;
  /** Set while the wait queue overflows, so the overflow is reported once per episode. */
  private overflowing = false;

  constructor(
    /** Address currently connected to, `host:port`. */
    readonly id: string,
    /** Where the episode is reported (failover.detected / .recovered). */
    private readonly events: Pick<EventBus, 'emit'> | undefined,
  ) {}

  /** Wall-clock ms when the current failure episode began (0: none). */
  get failingSince(): number {
    return this.failingSinceMs;
  }

  /**
   * A failure episode begins: its breaker opened, or the router saw its node demoted or hung.
   * Reported once per episode (a breaker re-opening after a failed probe is the same one).
   */
  markFailing(scenario?: FailureScenario): void {
    if (this.failingSinceMs !== 0) return;
    this.failingSinceMs = Date.now();
    this.events?.emit(scenario ? { type: 'failover.detected', node: this.id, scenario } : { type: 'failover.detected', node: this.id });
  }

  /**
   * The episode is over: the node serves again (its breaker closed) or its traffic moved to a
   * successor (a promoted replica, a new primary address). Reported once, with its length.
   */
  markRecovered(): void {
    if (this.failingSinceMs === 0) return;
    const durationMs = Date.now() - this.failingSinceMs;
    this.failingSinceMs = 0;
    this.events?.emit({ type: 'failover.recovered', node: this.id, durationMs });
  }

  /** Wall-clock ms when the connection was lost, 0 while connected (or never lost). */
  get lostAt(): number {
    return this.lostAtMs;
  }

  /** The connection closed. True the first time, so that the loss is reported once. */
  markLost(): boolean {
    if (this.lostAtMs !== 0) return false;
    this.lostAtMs = Date.now();
    return true;
  }

  /** The connection is ready again. True when it had been lost (a reconnect, not the first connect). */
  markConnected(): boolean {
    if (this.lostAtMs === 0) return false;
    this.lostAtMs = 0;
    return true;
  }

  /** Calls waiting for this node's failover (policy.holdDuringFailoverMs). */
  get holding(): number {
    return this.holders;
  }

  /** One more call waits for the failover, unless `limit` already do. */
  beginHold(limit: number): boolean {
    if (this.holders >= limit) return false;
    this.holders++;
    return true;
  }

  endHold(): void {
    this.holders--;
  }

  /**
   * Counts an overflow of the wait queue; true for the first one of an episode (the queue
   * drains when the node is ready again), so that it is reported once.
   */
  noteOverflow(): boolean {
    if (this.overflowing) return false;
    this.overflowing = true;
    return true;
  }

  /** The wait queue drained (the node is ready again): the next overflow is reported. */
  protected overflowEnded(): void {
    this.overflowing = false;
  }
}
