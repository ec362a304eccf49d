import type { Endpoint } from '../endpoint/endpoint.js';
import type { FailoverEpisode } from './failover-episode.js';

/**
 * The one full read that confirms a promotion adopted from ROLE, a little after it (jittered,
 * so that a fleet's clients do not read in step). It asks the promoted replica first: that
 * node bumped the epoch itself, so its answer is the newest (a node gossip has not reached yet
 * would hand the change detector an old baseline, and cost one more read).
 */
export class PromotionConfirm {
  private timer: NodeJS.Timeout | undefined;
  /** The replica whose promotion was adopted last, until the confirming read asks it. */
  private from: Endpoint | undefined;
  private stopped = false;

  constructor(
    /** Mean delay before the read, ms: drawn from [0.5, 1.5) times this. */
    private readonly delayMs: number,
    private readonly episode: FailoverEpisode,
    /** Starts the confirming read (the refresher's `promotion-confirm` trigger). */
    private readonly read: () => Promise<boolean>,
  ) {}

  /** `replica` was promoted: confirm it with one read, unless one is already scheduled. */
  schedule(replica: Endpoint): void {
    this.from = replica;
    if (this.stopped || this.timer) return;
    this.episode.beginConfirm();
    const delay = this.delayMs * (0.5 + Math.random());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.read().finally(() => this.episode.endConfirm());
    }, delay).unref();
  }

  /** The nodes the confirming read asks, the promoted replica first; it is asked first once. */
  order(candidates: Endpoint[]): Endpoint[] {
    const first = this.from;
    this.from = undefined;
    return first && candidates.includes(first) ? [first, ...candidates.filter((e) => e !== first)] : candidates;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
