import { Command } from 'ioredis';
import type { Endpoint } from '../endpoint/endpoint.js';
import { systemWatchClock, type WatchClock } from './watch-clock.js';

export type { WatchClock } from './watch-clock.js';

/** A replica worth watching: its shard's primary is failing. */
export interface WatchedReplica {
  readonly shard: number;
  readonly replica: Endpoint;
}

/**
 * Mean gap between two ROLE probes of one client, ms: at most 4 probes per client per second,
 * whatever the number of failing shards or replicas (one replica is asked per tick, in turn).
 * In a fleet, every pod pays this, so it is a budget, not a latency knob: with a random phase
 * per client, a promotion is seen within one gap (250 ms) of the replica's win.
 */
export const PROMOTION_POLL_MS = 250;

/** Each gap is drawn from ±this fraction of the mean, so clients that started in step drift apart. */
const GAP_JITTER = 0.1;

/**
 * Watches the replicas of failing shards and reports the moment one of them says it is master.
 * In Redis Cluster a replica only becomes master by winning a failover, which hands it its
 * primary's slots, so that answer is enough to move the shard's traffic at once, while one
 * full read confirms it later. ROLE is a few bytes and goes only to the failing shard's
 * replicas, only while it fails; the first probe of a watch waits a random part of a gap, so a
 * fleet whose breakers all opened at once does not probe in step.
 */
export class PromotionWatch {
  private timer: unknown;
  private readonly asking = new WeakSet<Endpoint>();
  private stopped = false;
  private turn = 0;
  private probes = 0;

  constructor(
    /** Replicas to ask now; an empty list ends the watch until the next `poke()`. */
    private readonly candidates: () => readonly WatchedReplica[],
    private readonly onPromoted: (watched: WatchedReplica) => void,
    private readonly timeoutMs: number,
    private readonly intervalMs = PROMOTION_POLL_MS,
    private readonly clock: WatchClock = systemWatchClock,
  ) {}

  /** Starts watching if a shard is failing and the watch is idle. */
  poke(): void {
    if (this.stopped || this.timer !== undefined) return;
    if (this.candidates().length === 0) return;
    this.arm(this.intervalMs * this.clock.random());
  }

  /** Whether a watch is running (a failing shard has a replica that can answer). */
  get active(): boolean {
    return this.timer !== undefined;
  }

  /** ROLE probes sent so far. */
  get probeCount(): number {
    return this.probes;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number): void {
    this.timer = this.clock.setTimer(() => this.tick(), ms);
  }

  private tick(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const watched = this.candidates();
    if (watched.length === 0) return;
    this.ask(watched[this.turn++ % watched.length]!);
    this.arm(this.intervalMs * (1 - GAP_JITTER + 2 * GAP_JITTER * this.clock.random()));
  }

  private ask(watched: WatchedReplica): void {
    const replica = watched.replica;
    if (this.asking.has(replica) || !replica.ready) return;
    this.asking.add(replica);
    this.probes++;
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
