import type { Endpoint } from './endpoint.js';

/** Whether a watched transaction may be sent on `endpoint`. */
export type WatchCheck = (endpoint: Endpoint) => boolean;

/**
 * The WATCH a client has outstanding, and where. WATCH holds on one connection until EXEC,
 * DISCARD, UNWATCH or the connection closing. A transaction that follows it must run on that
 * connection, unbroken, and must never be re-sent once its outcome is unknown: the first EXEC
 * consumed the WATCH, so a second would commit without the check (a lost update reported as
 * success). Its profile is therefore never retry-safe, and it aborts (null, as EXEC does when
 * a watched key changed) where the WATCH no longer holds.
 */
export class WatchState {
  private endpoint: Endpoint | undefined;
  private epoch = 0;

  /** A WATCH succeeded on `endpoint`. */
  watched(endpoint: Endpoint): void {
    this.endpoint = endpoint;
    this.epoch = endpoint.connectionEpoch;
  }

  /** EXEC, DISCARD or UNWATCH was sent: the WATCH is used up either way. */
  clear(): void {
    this.endpoint = undefined;
  }

  /** The check for the transaction about to run, if a WATCH is outstanding; clears it. */
  take(): WatchCheck | undefined {
    const endpoint = this.endpoint;
    if (!endpoint) return undefined;
    const epoch = this.epoch;
    this.endpoint = undefined;
    return (target) => target === endpoint && target.connectionEpoch === epoch && target.ready;
  }
}
