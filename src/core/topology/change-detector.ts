import { Command } from 'ioredis';
import type { Endpoint } from '../endpoint/endpoint.js';
import { systemWatchClock, type WatchClock } from './watch-clock.js';

/**
 * The few `CLUSTER INFO` fields that move when the slot map may have: a failover or a
 * resharding bumps `cluster_current_epoch`, a node joining or leaving changes
 * `cluster_known_nodes`, and slots being (un)assigned change `cluster_slots_assigned`.
 */
export interface ClusterFingerprint {
  readonly epoch: number;
  readonly knownNodes: number;
  readonly slotsAssigned: number;
  readonly state: string;
}

/** Parses the fields of a `CLUSTER INFO` reply we watch; undefined when they are not there. */
export function parseClusterInfo(reply: unknown): ClusterFingerprint | undefined {
  if (typeof reply !== 'string') return undefined;
  const fields = new Map<string, string>();
  for (const line of reply.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0) fields.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  const num = (name: string): number => {
    const raw = fields.get(name);
    return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  };
  const epoch = num('cluster_current_epoch');
  const knownNodes = num('cluster_known_nodes');
  const slotsAssigned = num('cluster_slots_assigned');
  if (![epoch, knownNodes, slotsAssigned].every(Number.isFinite)) return undefined;
  return { epoch, knownNodes, slotsAssigned, state: fields.get('cluster_state') ?? '' };
}

/**
 * Whether `now` says the layout may differ from the one read alongside `baseline`. The epoch
 * only counts when it grew: gossip spreads it within a second or so, and a node that has not
 * heard of the last bump yet must not look like a change. The counts are compared as they are.
 */
export function layoutMayDiffer(baseline: ClusterFingerprint, now: ClusterFingerprint): boolean {
  return now.epoch > baseline.epoch || now.knownNodes !== baseline.knownNodes || now.slotsAssigned !== baseline.slotsAssigned;
}

/**
 * Asks one node for `CLUSTER INFO`. Its reply is a few hundred bytes whatever the cluster's
 * size, where `CLUSTER SLOTS` grows with every shard and replica: this is the cheap check
 * between two full reads.
 */
export async function readFingerprint(endpoint: Endpoint, timeoutMs: number): Promise<ClusterFingerprint | undefined> {
  const command = new Command('cluster', ['INFO'], { replyEncoding: 'utf8' });
  command.setTimeout(timeoutMs);
  return parseClusterInfo(await endpoint.client.sendCommand(command));
}

/**
 * Samples one node's fingerprint every `intervalMs()` (±20 %, so a fleet spreads out) and hands
 * it over; the keeper decides whether it is worth a full read. Sticks to one node while it
 * stays healthy, so successive samples compare one node's view with itself.
 */
export class ChangeWatch {
  private timer: unknown;
  private busy = false;
  private stopped = false;
  private node: Endpoint | undefined;
  private samples = 0;

  constructor(
    /** Whether `e` can be asked now (connected, breaker closed). */
    private readonly usable: (e: Endpoint) => boolean,
    /** Nodes to pick a new one from, best first. */
    private readonly candidates: () => readonly Endpoint[],
    private readonly onSample: (fingerprint: ClusterFingerprint) => void,
    private readonly timeoutMs: number,
    private readonly intervalMs: () => number,
    /** No node can be asked: the keeper falls back to a full refresh, which resolves the seeds. */
    private readonly onNoNode: () => void = () => {},
    private readonly clock: WatchClock = systemWatchClock,
  ) {}

  start(): void {
    if (!this.stopped) this.arm();
  }

  /** Samples sooner than scheduled (the keeper's interval just got shorter). */
  hurry(): void {
    if (this.stopped) return;
    this.arm();
  }

  /** Samples taken so far. */
  get sampleCount(): number {
    return this.samples;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = this.clock.setTimer(() => this.tick(), this.intervalMs() * (0.8 + 0.4 * this.clock.random()));
  }

  private tick(): void {
    this.timer = undefined;
    if (this.stopped) return;
    this.arm();
    if (this.busy) return;
    if (!this.node || !this.usable(this.node)) this.node = this.candidates().find((e) => this.usable(e));
    const node = this.node;
    if (!node) {
      this.onNoNode();
      return;
    }
    this.busy = true;
    this.samples++;
    readFingerprint(node, this.timeoutMs).then(
      (fingerprint) => {
        this.busy = false;
        if (fingerprint && !this.stopped) this.onSample(fingerprint);
      },
      () => {
        this.busy = false;
        if (this.node === node) this.node = undefined;
      },
    );
  }
}
