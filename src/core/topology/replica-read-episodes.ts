import type { Command } from 'ioredis';
import type { Endpoint } from '../endpoint/endpoint.js';
import type { EventBus } from '../events/event-bus.js';

interface Episode {
  readonly primary: string;
  readonly endpoint: Endpoint;
  readonly okAtStart: number;
  readonly startedAt: number;
  reads: number;
}

/**
 * `readFrom: 'primary-preferred'`: tracks, per shard, the stretch of time its reads go to a
 * replica because the primary is down, and emits one event when it starts and one when it
 * ends, never one per read (a busy shard would flood `events$`). Each such read the replica
 * serves is counted on it (`commands_total{fallback="primary-down"}`).
 */
export class ReplicaReadEpisodes {
  private readonly open = new Map<string, Episode>();

  constructor(private readonly bus: EventBus) {}

  /** `command`, a read of shard `label`, goes to `replica` because `primary` is down. */
  rerouted(label: string, primary: Endpoint, replica: Endpoint, command: Command): void {
    countWhenServed(command, replica);
    const episode = this.open.get(label);
    if (episode) {
      episode.reads++;
      return;
    }
    this.open.set(label, { primary: primary.id, endpoint: primary, okAtStart: primary.stats.ok, startedAt: performance.now(), reads: 1 });
    this.bus.emit({ type: 'replica_reads.started', node: primary.id, replica: replica.id });
  }

  /**
   * A read of shard `label` goes to `primary` again. The episode ends once that is a new
   * primary (the promoted replica) or the old one has served since: a hung primary still
   * looks up until its breaker opens, and a read sent to it then proves nothing.
   */
  served(label: string, primary: Endpoint): void {
    if (this.open.size === 0) return;
    const episode = this.open.get(label);
    if (!episode || (episode.endpoint === primary && primary.stats.ok <= episode.okAtStart)) return;
    this.open.delete(label);
    this.bus.emit({
      type: 'replica_reads.ended',
      node: episode.primary,
      reads: episode.reads,
      durationMs: Math.round(performance.now() - episode.startedAt),
    });
  }
}

/**
 * Counts `command` on `replica` once it succeeds there (the attempt loop counts the same
 * success in `ok`); a failed attempt is counted by the loop alone, as for any read.
 */
function countWhenServed(command: Command, replica: Endpoint): void {
  command.promise.then(
    () => void replica.stats.primaryDownReads++,
    () => {},
  );
}
