import type { Endpoint } from '../endpoint/endpoint.js';

/**
 * Recent attempt timeouts per endpoint: enough of them within the window call for a refresh
 * (the node may be hung, the map may be wrong), and a node that timed out lately is suspect:
 * a refresh asks it for the topology last.
 */
export class TimeoutTally {
  private readonly recent = new WeakMap<Endpoint, number[]>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Counts one timeout on `endpoint`; returns how many it had within the window. */
  note(endpoint: Endpoint): number {
    const now = this.now();
    const list = (this.recent.get(endpoint) ?? []).filter((t) => now - t < this.windowMs);
    list.push(now);
    this.recent.set(endpoint, list);
    return list.length;
  }

  /** Timed out within the last five windows: maybe hung. */
  suspect(endpoint: Endpoint): boolean {
    const last = this.recent.get(endpoint)?.at(-1);
    return last !== undefined && this.now() - last < this.windowMs * 5;
  }
}
