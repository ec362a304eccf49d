// Per-call traces of a cluster client's routing decisions, to explain a slow call: which node
// each attempt went to, what failed, what the call then waited on (a retry's ready signal, a
// router recovery, a failover hold) and when that wait ended. Calls are told apart with
// AsyncLocalStorage, so the client under test is observed from outside, unchanged.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ClusterRouter } from '../../src/core/client/cluster-router.js';
import type { ProbeClient } from '../support/load-probe.js';

/** One step of one call: performance.now ms and what happened. */
export interface TraceStep {
  readonly at: number;
  readonly what: string;
}

export interface CallTrace {
  readonly key: string;
  readonly start: number;
  readonly steps: TraceStep[];
}

/** Wraps `router`'s decision points and `client`'s calls; traces are keyed by call start. */
export class CallTracer {
  private readonly storage = new AsyncLocalStorage<CallTrace>();
  readonly traces: CallTrace[] = [];

  constructor(router: ClusterRouter) {
    this.wrapRouter(router);
  }

  /** `client`, with every call traced. */
  wrap(client: ProbeClient): ProbeClient {
    return {
      get: (key) => this.run(key, () => client.get(key)),
      set: (key, value) => this.run(key, () => client.set(key, value)),
    };
  }

  private run<T>(key: string, call: () => Promise<T>): Promise<T> {
    const trace: CallTrace = { key, start: performance.now(), steps: [] };
    this.traces.push(trace);
    return this.storage.run(trace, call);
  }

  private note(what: string): void {
    this.storage.getStore()?.steps.push({ at: performance.now(), what });
  }

  /** Notes when `promise` (a wait the router handed out) settles; returns it unchanged. */
  private watch(kind: string, promise: Promise<void> | undefined): Promise<void> | undefined {
    if (!promise) return promise;
    const trace = this.storage.getStore();
    this.note(`${kind}:wait`);
    void promise.then(() => trace?.steps.push({ at: performance.now(), what: `${kind}:released` }));
    return promise;
  }

  private wrapRouter(router: ClusterRouter): void {
    const route = router.route.bind(router);
    const onFailure = router.onFailure.bind(router);
    const readySignal = router.readySignal.bind(router);
    const pending = router.pending.bind(router);
    const hold = router.failoverInProgress.bind(router);
    router.route = (command, isRead, previous) => {
      const target = route(command, isRead, previous);
      this.note(`route:${target.label}:${target.breaker.state}${target.ready ? '' : ':not-ready'}`);
      return target;
    };
    router.onFailure = (endpoint, failure) => {
      this.note(`failed:${failure.scenario}`);
      onFailure(endpoint, failure);
    };
    router.readySignal = (endpoint, failure) => this.watch('signal', readySignal(endpoint, failure));
    router.pending = (previous) => this.watch('pending', pending(previous));
    router.failoverInProgress = (endpoint) => this.watch('hold', hold(endpoint));
  }

  /** The trace of the call on one of `keys` that started at `start` (the probe's record). */
  find(start: number, keys: ReadonlySet<string>): CallTrace | undefined {
    // The probe takes its own timestamp right before the call: the trace's is within a few µs,
    // and a group uses each of its keys once per many ticks.
    return this.traces.find((t) => Math.abs(t.start - start) < 0.5 && keys.has(t.key));
  }
}

/** One line per step, relative to `origin` ms. */
export function describeTrace(trace: CallTrace, origin: number): string {
  return trace.steps.map((s) => `${(s.at - origin).toFixed(1)} ${s.what}`).join(' | ');
}
