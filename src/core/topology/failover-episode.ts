/**
 * The fleet budget of full topology reads through one failover: at most two, however long it
 * lasts. The first piece of evidence (a connection lost, timeouts, a breaker opening,
 * CLUSTERDOWN) costs one read, which tells whether the layout already moved. Further evidence
 * in the same episode costs none: a failover shows as a replica saying ROLE master (adopted
 * locally), and the one confirming read comes once the promotion is in.
 *
 * An episode lasts while a shard is degraded, while its confirming read is pending, and for
 * `quietMs` after the last piece of evidence (a flapping connection is one episode, not many).
 */
export class FailoverEpisode {
  private quietUntil = Number.NEGATIVE_INFINITY;
  private confirming = false;
  private reads = 0;

  constructor(
    private readonly quietMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Whether an episode is running. `degraded`: a shard's primary is failing right now. */
  active(degraded: boolean): boolean {
    return degraded || this.confirming || this.now() < this.quietUntil;
  }

  /**
   * Records evidence of trouble; true when it should cost a full read (it opens an episode).
   */
  admit(degraded: boolean): boolean {
    const opens = !this.active(degraded);
    this.quietUntil = this.now() + this.quietMs;
    if (opens) this.reads = 1;
    return opens;
  }

  /** A promotion was adopted locally: one confirming read is due. */
  beginConfirm(): void {
    this.confirming = true;
    this.quietUntil = this.now() + this.quietMs;
  }

  /** The confirming read ran (whatever its outcome). */
  endConfirm(): void {
    if (this.confirming) this.reads++;
    this.confirming = false;
  }

  get confirmPending(): boolean {
    return this.confirming;
  }

  /** Full reads this episode has cost so far. */
  get readCount(): number {
    return this.reads;
  }
}
