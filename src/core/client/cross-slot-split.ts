import { Command } from 'ioredis';
import { PartialFailureError, type CommandPart } from '../errors/partial-failure.error.js';
import { isResilienceError } from '../errors/resilience.error.js';
import { keySlot } from './key-slot.js';
import type { ClusterModeOptions, CrossSlotOptions } from '../options/resilient-redis-options.js';
import type { ResolvedOptions } from '../options/validate-options.js';
import { replyEncodingOf } from '../connection/ioredis-internals.js';

/** How the replies of the parts become the caller's reply. */
type Merge = 'values' | 'sum' | 'ok';

interface Splittable {
  readonly merge: Merge;
  /** Arguments per key: 1 for key lists, 2 for MSET's key/value pairs. */
  readonly step: 1 | 2;
}

/**
 * The multi-key commands whose effect is the same whether they run once or once per slot,
 * apart from atomicity: each part only reads or writes its own keys.
 */
const SPLITTABLE: ReadonlyMap<string, Splittable> = new Map([
  ['mget', { merge: 'values', step: 1 }],
  ['del', { merge: 'sum', step: 1 }],
  ['unlink', { merge: 'sum', step: 1 }],
  ['exists', { merge: 'sum', step: 1 }],
  ['touch', { merge: 'sum', step: 1 }],
  ['mset', { merge: 'ok', step: 2 }],
]);

/**
 * Sends one part through the client's normal path (routing, breaker, deadline, retries), its
 * write held for the end of the tick, to share one socket write with the other parts for the
 * same node. `slot`: the part's hash slot, already computed, so it is not hashed again.
 */
export type SendCommand = (command: Command, slot: number) => Promise<unknown>;

/** One group of keys that share a slot, before it is sent. */
interface PartPlan {
  readonly slot: number;
  readonly keyIndexes: number[];
  readonly args: Array<Command['args'][number]>;
}

/**
 * Cluster option `crossSlot`: MGET, DEL, UNLINK, EXISTS, TOUCH (and MSET when allowed) whose
 * keys span hash slots are split into one command per slot, sent in parallel through the
 * normal command path (so each part meets its own shard's breaker), and merged back in the
 * caller's key order. Commands whose keys share one slot are left alone.
 */
export class CrossSlotSplitter {
  private readonly splitMset: boolean;

  constructor(
    private readonly clientName: string,
    options: CrossSlotOptions,
    private readonly send: SendCommand,
  ) {
    this.splitMset = options.splitMset === true;
  }

  /** The merged reply of the split command; undefined when `command` is not split. */
  trySplit(command: Command): Promise<unknown> | undefined {
    const kind = SPLITTABLE.get(command.name);
    if (!kind || (command.name === 'mset' && !this.splitMset)) return undefined;
    const plans = planParts(command.args, kind.step);
    if (!plans) return undefined;
    // The same option shape as ioredis's own command methods pass: one shape keeps the
    // Command constructor monomorphic (a second shape made it twice as slow in the profile).
    const options = { errorStack: undefined, keyPrefix: undefined, replyEncoding: replyEncodingOf(command) };
    return new Promise((resolve, reject) => {
      const parts = new PartReplies(this.clientName, command.name, kind.merge, plans, command.args.length / kind.step, resolve, reject);
      // Every part is sent in this tick with its write held until the tick ends: the parts for
      // one node leave in one socket write.
      for (let i = 0; i < plans.length; i++) {
        const plan = plans[i]!;
        this.send(new Command(command.name, plan.args, options), plan.slot).then(
          (value) => parts.ok(i, value),
          (error: unknown) => parts.failed(i, error),
        );
      }
    });
  }
}

/** The replies of a split command's parts as they arrive; settles the caller's promise once all have. */
class PartReplies {
  private readonly replies: unknown[] = [];
  private errors: unknown[] | undefined;
  private left: number;

  constructor(
    private readonly clientName: string,
    private readonly name: string,
    private readonly how: Merge,
    private readonly plans: readonly PartPlan[],
    private readonly keys: number,
    private readonly resolve: (value: unknown) => void,
    private readonly reject: (error: PartialFailureError) => void,
  ) {
    this.left = plans.length;
  }

  ok(i: number, value: unknown): void {
    this.replies[i] = value;
    if (--this.left === 0) this.settled();
  }

  failed(i: number, error: unknown): void {
    (this.errors ??= [])[i] = error;
    if (--this.left === 0) this.settled();
  }

  private settled(): void {
    const failures = this.errors;
    if (!failures) {
      this.resolve(merge(this.how, this.plans, this.replies, this.keys));
      return;
    }
    const parts: CommandPart[] = this.plans.map((p, i) =>
      failures[i] === undefined
        ? { slot: p.slot, keyIndexes: p.keyIndexes, node: undefined, value: this.replies[i] }
        : {
            slot: p.slot,
            keyIndexes: p.keyIndexes,
            node: isResilienceError(failures[i]) ? failures[i].node : undefined,
            error: failures[i],
          },
    );
    this.reject(new PartialFailureError(this.clientName, this.name, parts));
  }
}

/** Parts per slot in order of first appearance; undefined when every key is in one slot. */
function planParts(args: Command['args'], step: 1 | 2): PartPlan[] | undefined {
  // An odd MSET or no keys at all: Redis's own error is the right answer.
  if (args.length < 2 * step || args.length % step !== 0) return undefined;
  const first = keySlot(args[0] as string | Buffer);
  let i = step;
  while (i < args.length && keySlot(args[i] as string | Buffer) === first) i += step;
  if (i >= args.length) return undefined;
  const bySlot = new Map<number, PartPlan>();
  for (let k = 0; k < args.length; k += step) {
    const slot = k < i ? first : keySlot(args[k] as string | Buffer);
    let plan = bySlot.get(slot);
    if (!plan) bySlot.set(slot, (plan = { slot, keyIndexes: [], args: [] }));
    plan.keyIndexes.push(k / step);
    for (let j = 0; j < step; j++) plan.args.push(args[k + j]!);
  }
  return [...bySlot.values()];
}

function merge(how: Merge, plans: readonly PartPlan[], replies: readonly unknown[], keys: number): unknown {
  if (how === 'ok') return 'OK';
  if (how === 'sum') return replies.reduce<number>((n, r) => n + Number(r), 0);
  const out: unknown[] = Array.from({ length: keys });
  plans.forEach((p, i) => {
    const values = replies[i] as unknown[];
    p.keyIndexes.forEach((at, j) => (out[at] = values[j]));
  });
  return out;
}

/** The splitter for a cluster client that opted in; undefined otherwise (the default). */
export function createCrossSlotSplitter(options: ResolvedOptions, send: SendCommand): CrossSlotSplitter | undefined {
  if (options.mode !== 'cluster') return undefined;
  const crossSlot = (options as ClusterModeOptions).crossSlot;
  return crossSlot?.split === true ? new CrossSlotSplitter(options.name, crossSlot, send) : undefined;
}
