/** Timers and randomness of the topology watches, injectable so schedules test without waiting. */
export interface WatchClock {
  setTimer(run: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  random(): number;
}

/** Node timers, unref'd: a pending probe never keeps a process alive. */
export const systemWatchClock: WatchClock = {
  setTimer: (run, ms) => setTimeout(run, ms).unref(),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
  random: Math.random,
};
