/** Pacing of a hedged request. */
export interface HedgeOptions {
  /** Ask the next candidate when the ones asked so far have not answered within this, ms. */
  readonly staggerMs: number;
  /** Give up on everyone after this, ms. */
  readonly timeoutMs: number;
}

/** Why no candidate answered: the errors seen, first one first. */
export class NoAnswerError extends Error {
  constructor(
    message: string,
    readonly errors: readonly unknown[],
  ) {
    super(message);
    this.name = 'NoAnswerError';
  }
}

/**
 * Asks `candidates` in order, one more every `staggerMs` (or at once when one fails), and
 * resolves with the first answer. A hung candidate — a SIGSTOPed node keeps its socket open
 * and never replies — therefore costs one stagger, not one full timeout, and a healthy
 * cluster is asked exactly once per refresh. Rejects with `NoAnswerError` when every
 * candidate failed or `timeoutMs` passed.
 */
export function firstAnswer<C, T>(
  candidates: readonly C[],
  ask: (candidate: C) => Promise<T>,
  options: HedgeOptions,
): Promise<{ value: T; from: C }> {
  if (candidates.length === 0) return Promise.reject(new NoAnswerError('no candidate to ask', []));
  return new Promise((resolve, reject) => {
    const errors: unknown[] = [];
    let next = 0;
    let pending = 0;
    let done = false;
    let stagger: NodeJS.Timeout | undefined;
    const finish = (): void => {
      done = true;
      clearTimeout(stagger);
      clearTimeout(overall);
    };
    const overall = setTimeout(() => {
      if (done) return;
      finish();
      reject(new NoAnswerError(`no answer within ${options.timeoutMs} ms from ${next} of ${candidates.length} asked`, errors));
    }, options.timeoutMs);
    const launch = (): void => {
      if (done || next >= candidates.length) return;
      const candidate = candidates[next++]!;
      pending++;
      clearTimeout(stagger);
      if (next < candidates.length) stagger = setTimeout(launch, options.staggerMs);
      let asked: Promise<T>;
      try {
        asked = ask(candidate);
      } catch (error) {
        asked = Promise.reject(error);
      }
      asked.then(
        (value) => {
          if (done) return;
          finish();
          resolve({ value, from: candidate });
        },
        (error: unknown) => {
          pending--;
          if (done) return;
          errors.push(error);
          if (next < candidates.length) launch();
          else if (pending === 0) {
            finish();
            reject(new NoAnswerError(`all ${candidates.length} asked failed`, errors));
          }
        },
      );
    };
    launch();
  });
}
