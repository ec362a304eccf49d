/** Why a wait for readiness ended without the node becoming ready. */
export class WaitExpired {
  /**
   * `retired`: the endpoint was swapped out (failover); `shed`: its breaker opened while the
   * call waited. Either way the call was not sent and may be routed again.
   */
  constructor(readonly reason: 'deadline' | 'closed' | 'retired' | 'shed') {}
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Calls waiting for one node's connection to become ready: a FIFO with a deadline per
 * waiter. The endpoint bounds it (maxQueueLength) and decides when it is released.
 */
export class WaitQueue {
  private readonly waiters: Waiter[] = [];

  get length(): number {
    return this.waiters.length;
  }

  /** Resolves when `release()` is called, or rejects with WaitExpired('deadline') at `deadline` (performance.now ms). */
  wait(deadline: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, timer: undefined };
      // A call that blocks forever by request (BLPOP 0) has no deadline: setTimeout would
      // clamp Infinity to 1 ms and expire the wait at once.
      if (Number.isFinite(deadline)) {
        waiter.timer = setTimeout(
          () => {
            const i = this.waiters.indexOf(waiter);
            if (i >= 0) this.waiters.splice(i, 1);
            reject(new WaitExpired('deadline'));
          },
          Math.max(0, deadline - performance.now()),
        );
      }
      this.waiters.push(waiter);
    });
  }

  /** The connection is ready: every waiter goes on. */
  release(): void {
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.resolve();
    }
  }

  /** Every waiter gives up, for `reason`; none was sent. */
  reject(reason: 'closed' | 'retired' | 'shed'): void {
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new WaitExpired(reason));
    }
  }
}
