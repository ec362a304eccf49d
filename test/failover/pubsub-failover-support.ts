// Shared steps of the pub/sub and script failover tests: a steady publisher whose every
// acknowledged message is numbered, a log of what the subscriber received, and the figures the
// tests assert (duplicates, messages lost after the subscriber was back, the delivery gap).
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResilienceEvent } from '../../src/index.js';
import { waitFor } from '../support/lab.js';

/** One acknowledged PUBLISH. */
interface Published {
  readonly seq: number;
  /** Date.now() when the PUBLISH was sent. */
  readonly sentAt: number;
}

/** Publishes `0, 1, 2...` one after another, every `intervalMs`, until stopped. */
export class SteadyPublisher {
  readonly acked: Published[] = [];
  errors = 0;
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly publish: (message: string) => Promise<unknown>,
    private readonly intervalMs = 5,
  ) {}

  start(): void {
    this.running = true;
    this.loop = (async () => {
      for (let seq = 0; this.running; seq++) {
        const sentAt = Date.now();
        try {
          await this.publish(String(seq));
          this.acked.push({ seq, sentAt });
        } catch {
          this.errors++;
        }
        await sleep(this.intervalMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

/** What a subscriber received: seq to the first Date.now() it arrived at, and repeats. */
export class ReceivedLog {
  readonly at = new Map<number, number>();
  duplicates = 0;

  add(message: string): void {
    const seq = Number(message);
    if (this.at.has(seq)) this.duplicates++;
    else this.at.set(seq, Date.now());
  }
}

export interface DeliveryReport {
  /** Acknowledged messages sent after `backAt` that never arrived. */
  readonly lostAfterBack: number[];
  /** Longest silence between two consecutive deliveries while the publisher ran, ms. */
  readonly longestSilenceMs: number;
  /** Acknowledged messages not delivered at all (during the switch: at-most-once). */
  readonly undelivered: number;
  readonly delivered: number;
  readonly duplicates: number;
}

/** Compares what was acknowledged with what arrived. */
export function deliveryReport(publisher: SteadyPublisher, log: ReceivedLog, backAt: number): DeliveryReport {
  const lostAfterBack = publisher.acked.filter((p) => p.sentAt >= backAt && !log.at.has(p.seq)).map((p) => p.seq);
  const times = [...log.at.values()].toSorted((a, b) => a - b);
  let longestSilenceMs = 0;
  for (let i = 1; i < times.length; i++) longestSilenceMs = Math.max(longestSilenceMs, times[i]! - times[i - 1]!);
  return {
    lostAfterBack,
    longestSilenceMs,
    undelivered: publisher.acked.filter((p) => !log.at.has(p.seq)).length,
    delivered: log.at.size,
    duplicates: log.duplicates,
  };
}

/**
 * Once the subscriber is back (at `backAt`): waits for half a second of deliveries after it,
 * stops the publisher, lets the last messages land, and reports.
 */
export async function reportAfterMove(publisher: SteadyPublisher, log: ReceivedLog, backAt: number): Promise<DeliveryReport> {
  await waitFor(() => [...log.at.values()].some((t) => t > backAt + 500) || undefined, {
    timeoutMs: 5000,
    what: 'delivery after the move',
  });
  await publisher.stop();
  await waitFor(() => deliveryReport(publisher, log, backAt).lostAfterBack.length === 0 || undefined, {
    timeoutMs: 2000,
    what: 'the last messages',
  }).catch(() => undefined);
  return deliveryReport(publisher, log, backAt);
}

/** The `pubsub.resubscribed` events of one family. */
export function resubscribed(events: readonly ResilienceEvent[], family: 'classic' | 'sharded') {
  return events.filter(
    (e): e is Extract<ResilienceEvent, { type: 'pubsub.resubscribed' }> => e.type === 'pubsub.resubscribed' && e.family === family,
  );
}

/**
 * EVAL of a script that INCRs a counter and appends the call's id to a list: the list shows
 * every execution, so a call that ran twice (a duplicated effect) or an acknowledged call that
 * did not run (a lost write) are both visible afterwards.
 */
export const COUNTING_SCRIPT = "redis.call('RPUSH', KEYS[2], ARGV[1]); return redis.call('INCR', KEYS[1])";

/** Steady EVALs of {@link COUNTING_SCRIPT}; remembers which calls were acknowledged. */
export class ScriptLoad {
  readonly acked = new Set<string>();
  readonly failures = new Map<string, number>();
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly evalOnce: (id: string) => Promise<unknown>,
    private readonly concurrency = 4,
    private readonly intervalMs = 5,
  ) {}

  start(): void {
    this.running = true;
    this.loops = Array.from({ length: this.concurrency }, (_, worker) =>
      (async () => {
        for (let n = 0; this.running; n++) {
          const id = `${worker}-${n}`;
          try {
            await this.evalOnce(id);
            this.acked.add(id);
          } catch (error) {
            const code = (error as { code?: string }).code ?? (error as Error).message.split(' ')[0] ?? 'error';
            this.failures.set(code, (this.failures.get(code) ?? 0) + 1);
          }
          await sleep(this.intervalMs);
        }
      })(),
    );
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Checks the list the script appended to: ids that ran twice, acknowledged ids that never ran. */
  verify(executions: readonly string[], counter: number): { duplicated: string[]; lost: string[]; counterMatches: boolean } {
    const seen = new Set<string>();
    const duplicated: string[] = [];
    for (const id of executions) {
      if (seen.has(id)) duplicated.push(id);
      seen.add(id);
    }
    const lost = [...this.acked].filter((id) => !seen.has(id));
    return { duplicated, lost, counterMatches: counter === executions.length };
  }

  /**
   * Reads the execution list and the counter from `node`, prints the run's figures under
   * `scenario`, and asserts every acknowledged EVAL ran exactly once.
   */
  async assertRanOnce(
    node: { command(name: string, ...args: (string | number)[]): Promise<unknown> },
    keys: { ids: string; counter: string },
    scenario: string,
  ): Promise<void> {
    const executions = ((await node.command('LRANGE', keys.ids, 0, -1)) as string[]).map(String);
    const verdict = this.verify(executions, Number(await node.command('GET', keys.counter)));
    console.log(
      JSON.stringify({
        scenario,
        acked: this.acked.size,
        executions: executions.length,
        failures: Object.fromEntries(this.failures),
        duplicated: verdict.duplicated.length,
        lost: verdict.lost.length,
      }),
    );
    assert.deepEqual(verdict.duplicated, [], 'no script ran twice');
    assert.deepEqual(verdict.lost, [], 'every acknowledged EVAL ran');
    assert.ok(verdict.counterMatches, 'the counter equals the executions');
  }
}
