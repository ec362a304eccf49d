import { Command } from 'ioredis';
import type { Endpoint } from '../endpoint/endpoint.js';

/** A replica worth watching: its shard's primary is failing. */
export interface WatchedReplica {
  readonly shard: number;
  readonly replica: Endpoint;
}

/**
 * How often the replicas of a failing shard are asked for their ROLE, ms. ROLE is a few bytes
 * and goes only to the failing shard's replicas, only while it fails, so polling this fast is
 * cheap even on a 500-shard cluster (unlike CLUSTER SLOTS, whose reply grows with the cluster).
 */
export const PROMOTION_POLL_MS = 50;

/**
 * Watches the replicas of failing shards and reports the moment one of them says it is master.
 * In Redis Cluster a replica only becomes master by winning a failover, which hands it its
 * primary's slots, so that answer is enough to move the shard's traffic at once — within one
 * poll of the promotion rather than one topology poll — while a full refresh confirms it.
 */
export class PromotionWatch {
  private timer: NodeJS.Timeout | undefined;
  private readonly asking = new WeakSet<Endpoint>();
  private stopped = false;

  constructor(
    /** Replicas to ask now; an empty list ends the watch until the next `poke()`. */
    private readonly candidates: () => readonly WatchedReplica[],
    private readonly onPromoted: (watched: WatchedReplica) => void,
    private readonly timeoutMs: number,
    private readonly intervalMs = PROMOTION_POLL_MS,
  ) {}

  /** Starts watching if a shard is failing and the watch is idle. */
  poke(): void {
    if (this.stopped || this.timer) return;
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const watched = this.candidates();
    if (watched.length === 0) return;
    for (const w of watched) this.ask(w);
    this.timer = setTimeout(() => this.tick(), this.intervalMs).unref();
  }

  private ask(watched: WatchedReplica): void {
    const replica = watched.replica;
    if (this.asking.has(replica) || !replica.ready) return;
    this.asking.add(replica);
    const command = new Command('role', [], { replyEncoding: 'utf8' });
    command.setTimeout(this.timeoutMs);
    (replica.client.sendCommand(command) as Promise<unknown>).then(
      (reply) => {
        this.asking.delete(replica);
        if (!this.stopped && Array.isArray(reply) && reply[0] === 'master') this.onPromoted(watched);
      },
      () => this.asking.delete(replica),
    );
  }
}
