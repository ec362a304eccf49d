/**
 * Runs one scenario for every client side by side: the same open-loop load (the test lab's
 * LoadProbe) on each, a fault script, then a bounded stop. Calls that never settle (plain
 * ioredis on a SIGSTOPed node has no command timeout) are counted as hung, never waited for
 * beyond the settle bound, so every scenario ends in bounded time.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { LoadProbe, type CallRecord, type GroupReport, type ProbeClient, type ProbeGroup } from '../../test/support/load-probe.js';
import { type Moment, errorText, now, withTimeout } from '../../test/support/lab.js';
import type { Mark, ScenarioResult } from './demo-report.js';
import { rawCalls, summarizeClient, successSeries } from './scenario-metrics.js';
import { TrackedClient } from './tracked-client.js';

/** One client under test. */
export interface DemoClient {
  /** `redis-resilience` or `ioredis`. */
  label: string;
  client: ProbeClient;
  /** Key prefix, so the clients never write each other's keys (lost-write checks stay exact). */
  keyPrefix: string;
}

/** One stream of load: a mix over some key groups. */
export interface LoadPlan {
  groups: ProbeGroup[];
  mix: 'mixed' | 'write' | 'read';
}

/** The load for one client, and which groups the fault hits. */
export interface ScenarioPlan {
  loads: LoadPlan[];
  victims: string[];
}

/** What a fault script can do while the load runs. */
export interface FaultContext {
  /** Prints one indented line under the progress output. */
  say(text: string): void;
  /** Marks a moment on the chart (default: now). */
  mark(label: string, kind: Mark['kind'], at?: Moment): void;
  /** The fault is injected now: impact is counted from here. `label` is short (the chart's). */
  faultNow(label: string, detail: string): void;
  /** The server side serves the hit keys again (promotion seen by ROLE): the recovery-lag reference. */
  servedAgain(at: Moment, label: string, detail: string): void;
  /** Keeps the load running for a fixed time (a load phase, not a wait for state). */
  hold(ms: number): Promise<void>;
}

/** A scenario, ready to run. */
export interface ScenarioSpec {
  name: string;
  title: string;
  deployment: ScenarioResult['deployment'];
  deadlineMs: number;
  /** Calls per second per group. */
  ratePerGroup: number;
  /** Load before the fault. */
  warmupMs: number;
  /** Load for one client, given its key prefix. */
  plan(prefix: string): Promise<ScenarioPlan>;
  /** Injects the fault, waits for the server side, holds, repairs. */
  inject(ctx: FaultContext): Promise<void>;
  /** Reads a key's current value from the server, for the lost-write check. */
  verify(key: string): Promise<string | null>;
  reference: string;
  notes: string[];
}

/** Demo-wide settings shared by every scenario. */
export interface RunnerContext {
  /** performance.now() when the demo started: the chart's zero. */
  originMs: number;
  /** How long a stopped scenario waits for calls in flight before counting them as hung. */
  settleMs: number;
  log(line: string): void;
}

interface ClientRun {
  demo: DemoClient;
  tracked: TrackedClient;
  probes: LoadProbe[];
  groups: string[];
  victims: string[];
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1).padStart(6)}s`;

/**
 * Runs `spec` for every client and returns what each of them felt. A failed fault step (say, a
 * promotion that never came) still stops the load and reports; it is recorded in `error`.
 */
export async function runScenario(spec: ScenarioSpec, clients: readonly DemoClient[], ctx: RunnerContext): Promise<ScenarioResult> {
  const runs: ClientRun[] = [];
  for (const demo of clients) {
    const plan = await spec.plan(`${demo.keyPrefix}-${spec.name}`);
    const tracked = new TrackedClient(
      demo.client,
      plan.loads.flatMap((l) => l.groups),
    );
    const probes = plan.loads.map(
      (l) => new LoadProbe({ client: tracked, groups: l.groups, mix: l.mix, deadlineMs: spec.deadlineMs, ratePerGroup: spec.ratePerGroup }),
    );
    runs.push({ demo, tracked, probes, groups: plan.loads.flatMap((l) => l.groups.map((g) => g.name)), victims: plan.victims });
  }
  const marks: Mark[] = [];
  const rel = (mono: number): number => Math.round((mono - ctx.originMs) / 10) / 100;
  let faultAt: number | undefined;
  let servedAt: number | undefined;
  const startedAt = performance.now();
  ctx.log(`\n=== ${spec.name}: ${spec.title} ===`);
  for (const run of runs) for (const p of run.probes) p.start();
  // One progress line per second: per client, calls that settled OK / with an error in that
  // second, and calls in flight now (hung calls pile up here).
  const ticker = setInterval(() => {
    const parts = runs.map((r) => {
      const line = `${r.demo.label} ok ${String(r.tracked.second.ok).padStart(4)} err ${String(r.tracked.second.errors).padStart(4)} in-flight ${String(r.tracked.inFlightCount).padStart(4)}`;
      r.tracked.second.ok = 0;
      r.tracked.second.errors = 0;
      return line;
    });
    ctx.log(`[${seconds(performance.now() - ctx.originMs)}] ${spec.name.padEnd(20)} ${parts.join(' | ')}`);
  }, 1000);
  const fault: FaultContext = {
    say: (text) => ctx.log(`[${seconds(performance.now() - ctx.originMs)}]   >> ${text}`),
    mark: (label, kind, at = now()) => marks.push({ label, kind, tS: rel(at.monoMs) }),
    faultNow(label, detail) {
      const at = now();
      faultAt ??= at.monoMs;
      marks.push({ label, kind: 'fault', tS: rel(at.monoMs) });
      this.say(`fault: ${label} ${detail}`);
    },
    servedAgain(at, label, detail) {
      servedAt = at.monoMs;
      marks.push({ label, kind: 'server', tS: rel(at.monoMs) });
      const after = faultAt === undefined ? '' : ` (${((at.monoMs - faultAt) / 1000).toFixed(2)} s after the fault)`;
      this.say(`server side: ${detail}${after}`);
    },
    hold: (ms) => delay(ms),
  };
  let failure: unknown;
  try {
    await delay(spec.warmupMs);
    await spec.inject(fault);
  } catch (error) {
    // Still stop the load and report what was measured; the caller decides what to do.
    failure = error;
    fault.say(`scenario step failed: ${errorText(error)}`);
  }
  // Stop issuing on every client at once, then wait (bounded) for calls in flight.
  await Promise.all(runs.flatMap((r) => r.probes.map((p) => p.stop(ctx.settleMs))));
  clearInterval(ticker);
  const stoppedAt = performance.now();
  const effectiveFault = faultAt ?? startedAt;
  const result: ScenarioResult = {
    name: spec.name,
    title: spec.title,
    deployment: spec.deployment,
    deadlineMs: spec.deadlineMs,
    startS: rel(startedAt),
    endS: rel(stoppedAt),
    marks,
    reference: spec.reference,
    clients: {},
    series: {},
    calls: {},
    notes: [...spec.notes],
    ...(failure === undefined ? {} : { error: errorText(failure) }),
  };
  for (const run of runs) {
    const hung = run.tracked.inFlight();
    const records: CallRecord[] = run.probes.flatMap((p) => p.records);
    const reports: GroupReport[] = run.probes.flatMap((p) => p.report(effectiveFault, servedAt));
    const lost: string[] = [];
    let acknowledged = 0;
    for (const p of run.probes) {
      acknowledged += p.acknowledgedWrites;
      try {
        lost.push(
          ...(await withTimeout(
            p.lostWrites((k) => spec.verify(k)),
            15_000,
            'lost-write check',
          )),
        );
      } catch (error) {
        result.notes.push(`${run.demo.label}: lost-write check failed: ${errorText(error)}`);
      }
    }
    result.clients[run.demo.label] = summarizeClient({
      records,
      hung,
      reports,
      victimGroups: run.victims,
      faultAt: effectiveFault,
      stoppedAt,
      deadlineMs: spec.deadlineMs,
      lostWriteKeys: lost,
      acknowledgedWrites: acknowledged,
      errorKinds: run.tracked.errorKinds,
    });
    if (servedAt === undefined) result.clients[run.demo.label]!.recoveryLagS = null;
    result.series[run.demo.label] = successSeries(records, hung, ctx.originMs, spec.deadlineMs);
    result.calls![run.demo.label] = { groups: run.groups, calls: rawCalls(records, hung, run.groups, ctx.originMs) };
  }
  return result;
}
