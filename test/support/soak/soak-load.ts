/**
 * The soak's steady load: a fixed rate of SET and GET over a fixed key set, aggregated as it
 * goes (a 10-minute run must not measure its own growing record array as a heap leak). Keeps
 * the newest acknowledged value of every key, to read back at the end, and the failures with
 * their start time, to compare with the fault windows.
 */
import { type ProbeClient, findLostWrites } from '../load-probe.js';

export interface SoakFailure {
  /** performance.now() when the call was issued. */
  at: number;
  code: string;
}

/** More than this many failures means something is badly wrong; stop recording details. */
const MAX_FAILURES_KEPT = 50_000;

export class SoakLoad {
  calls = 0;
  ok = 0;
  readonly failures: SoakFailure[] = [];
  private readonly acked = new Map<string, number>();
  private readonly pending = new Set<Promise<void>>();
  private readonly keys: string[];
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;

  constructor(
    private readonly client: ProbeClient,
    keyCount: number,
    private readonly ratePerSecond: number,
  ) {
    // Distinct hash tags spread the keys over every shard.
    this.keys = Array.from({ length: keyCount }, (_, i) => `soak:{${i}}`);
  }

  start(): void {
    const tickMs = 10;
    let carry = 0;
    this.timer = setInterval(() => {
      carry += (this.ratePerSecond * tickMs) / 1000;
      const n = Math.floor(carry);
      carry -= n;
      for (let i = 0; i < n; i++) this.issue();
    }, tickMs);
  }

  get inFlight(): number {
    return this.pending.size;
  }

  private issue(): void {
    const value = ++this.seq;
    // Every key is both written and read: writes take the even numbers, reads the odd ones.
    const key = this.keys[Math.floor(value / 2) % this.keys.length]!;
    const write = value % 2 === 0;
    const at = performance.now();
    this.calls++;
    const call = write ? this.client.set(key, String(value)) : this.client.get(key);
    const p: Promise<void> = call
      .then(
        () => {
          this.ok++;
          if (write && (this.acked.get(key) ?? 0) < value) this.acked.set(key, value);
        },
        (error: unknown) => {
          const e = error as { code?: unknown; message?: unknown };
          const code = typeof e.code === 'string' ? e.code : String(e.message ?? e).slice(0, 40);
          if (this.failures.length < MAX_FAILURES_KEPT) this.failures.push({ at, code });
        },
      )
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Stops issuing and waits up to `settleMs` for calls in flight; returns how many never settled. */
  async stop(settleMs: number): Promise<number> {
    clearInterval(this.timer);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(this.pending), new Promise((r) => (timer = setTimeout(r, settleMs)))]);
    clearTimeout(timer);
    return this.pending.size;
  }

  /** Keys whose value is older than the newest acknowledged write. */
  lostWrites(read: (key: string) => Promise<string | null>): Promise<string[]> {
    return findLostWrites(this.acked, read);
  }

  get ackedKeys(): number {
    return this.acked.size;
  }
}
