import type { Endpoint } from '../endpoint/endpoint.js';
import type { ReadFrom } from '../options/resilient-redis-options.js';
import type { FailureClass } from '../policy/failure-scenario.js';

/** How long reads avoid a reader that answered LOADING or MASTERDOWN (they go to the primary). */
export const READER_AVOID_MS = 1000;

/** The part of an endpoint the read placement looks at. */
export type ReadTarget = Pick<Endpoint, 'ready' | 'breaker' | 'acceptsTraffic'>;

/**
 * Where a replication-mode read goes, by `readFrom`:
 * - `primary`: always the primary (the router opens no reader connection at all);
 * - `replica-preferred`: the reader while it is usable, else the primary;
 * - `primary-preferred`: the primary, and the reader while the primary's breaker is open, its
 *   connection is down, or it just failed this read (a timeout, a refused connection).
 *
 * A pure decision over the two endpoints' state, so it can be tested without a server. Also
 * remembers that the reader asked to be avoided (LOADING, MASTERDOWN) and for how long.
 */
export class ReplicationReads {
  private readerAvoidUntil = 0;

  constructor(
    readonly readFrom: ReadFrom,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether reads may use a reader at all: with `primary` the router does not connect one. */
  static usesReader(readFrom: ReadFrom): boolean {
    return readFrom !== 'primary';
  }

  /** The endpoint for a read. `previous`: the last failure of this call, if any. */
  route<E extends ReadTarget>(primary: E, reader: E | undefined, previous: FailureClass | undefined): E {
    switch (this.readFrom) {
      case 'primary':
        return primary;
      case 'replica-preferred':
        return reader && this.readerUsable(reader) ? reader : primary;
      case 'primary-preferred': {
        const primaryDown = !usable(primary) || (previous !== undefined && previous.countsAgainstBreaker);
        return primaryDown && reader && this.readerUsable(reader) ? reader : primary;
      }
    }
  }

  /** Where a read goes when `from`'s breaker refused it: the other endpoint, if it can take it. */
  fallback<E extends ReadTarget>(from: E, primary: E | undefined, reader: E | undefined): E | undefined {
    if (!ReplicationReads.usesReader(this.readFrom)) return undefined;
    if (from === reader && primary && primary.breaker.state !== 'open') return primary;
    if (from === primary && reader?.acceptsTraffic) return reader;
    return undefined;
  }

  /** The reader answered LOADING or MASTERDOWN: reads go to the primary for a while. */
  avoidReader(): void {
    this.readerAvoidUntil = this.now() + READER_AVOID_MS;
  }

  private readerUsable(reader: ReadTarget): boolean {
    if (!reader.ready) return false;
    // opossum lets one call through a half-open breaker and rejects the rest at once; a read
    // must not be that rejection. The endpoint probes itself (PING) when it half-opens, so
    // reads go to the primary until the probe has closed it.
    if (reader.breaker.state !== 'closed') return false;
    if (this.readerAvoidUntil === 0) return true;
    if (this.now() < this.readerAvoidUntil) return false;
    this.readerAvoidUntil = 0;
    return true;
  }
}

/** Connected and not cut off by its breaker (as `Endpoint.usable`). */
function usable(endpoint: ReadTarget): boolean {
  return endpoint.ready && endpoint.breaker.state !== 'open';
}
