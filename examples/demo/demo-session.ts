/**
 * What both demo runs (lab and observe) share: the clock, the log, the closing report, and
 * making sure every process started is stopped, on success, on failure and on Ctrl-C.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Lab, errorText, withTimeout } from '../../test/support/lab.js';
import { OURS, PLAIN, type EventSink, type LoggedEvent } from './demo-clients.js';
import { DEFINITIONS, type ScenarioResult, formatTable, shortfalls } from './demo-report.js';
import { writeDemoOutput } from './demo-output.js';
import type { RunnerContext } from './scenario-runner.js';

/** How long a stopped scenario waits for calls in flight before counting them as hung. */
export const SETTLE_MS = 3000;

/** The clock, the log and the event log of one demo run. */
export class DemoSession implements EventSink, RunnerContext {
  readonly originMs = performance.now();
  readonly events: LoggedEvent[] = [];
  readonly settleMs = SETTLE_MS;

  log(line: string): void {
    console.log(line);
  }

  /** Seconds since the start, for messages. */
  elapsedS(): string {
    return ((performance.now() - this.originMs) / 1000).toFixed(1);
  }
}

/**
 * Makes sure redis-server is installed, and reaps servers a crashed earlier run left behind,
 * by running the test lab's own global setup (it installs Debian's package as root).
 */
export function ensureRedisServer(): void {
  const setup = fileURLToPath(new URL('../../test/support/global-setup.js', import.meta.url));
  const result = spawnSync(process.execPath, [setup], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('the lab setup failed (see the line above): redis-server is needed for the demo');
}

/**
 * Ctrl-C (and SIGTERM) tear the lab down, bounded, then exit 130. Installed before the lab
 * starts anything, so the pid registry's own signal hook stands aside; its exit hook and the
 * per-server watchdogs stay armed as the safety nets behind this one. A second Ctrl-C exits at
 * once (the exit hook still kills every server this process started).
 */
export function installSignalTeardown(lab: Lab, before: () => Promise<void> = async () => {}): () => void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      console.error(`\n${signal} again: exiting now (the exit hook kills the lab's servers)`);
      process.exit(130);
    }
    stopping = true;
    console.error(`\n${signal}: stopping the clients and tearing the lab down...`);
    void withTimeout(before(), 5000, 'closing the clients')
      .catch(() => {})
      .then(() => withTimeout(lab.teardown(), 30_000, 'lab teardown'))
      .then(
        () => console.error('lab torn down: every process stopped'),
        (error: unknown) => console.error(`lab teardown: ${errorText(error)}`),
      )
      .finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

const kinds = (m: Record<string, number>): string =>
  Object.entries(m)
    .map(([kind, n]) => `${kind} x${n}`)
    .join(', ');

/** Prints the closing table, definitions, notes and verdicts; writes demo-output/. Returns the file paths. */
export function finishReport(
  session: DemoSession,
  results: ScenarioResult[],
  options: { run: 'lab' | 'observe'; title: string; outDir: string; setup: Record<string, unknown> },
): string[] {
  session.log(`\n=== results (${options.title}) ===\n`);
  session.log(formatTable(results, OURS, PLAIN));
  session.log('definitions:');
  for (const [field, text] of Object.entries(DEFINITIONS)) session.log(`  ${field}: ${text}`);
  for (const r of results) {
    session.log(`\n${r.name}: ${r.title}`);
    session.log(`  recovery lag measured against: ${r.reference}`);
    for (const note of r.notes) session.log(`  note: ${note}`);
    if (r.error) session.log(`  ERROR: ${r.error}`);
    for (const [client, d] of Object.entries(r.clients)) {
      const codes =
        Object.entries(d.errorsByCode)
          .map(([code, n]) => `${code} x${n}`)
          .join(', ') || 'none';
      session.log(`  ${client}: ${d.calls} calls, p99 ${d.p99Ms} ms, max ${d.maxMs} ms, hung ${d.hung}, errors: ${codes}`);
      if (Object.keys(d.victimErrorKinds).length > 0) session.log(`    errors on the group(s) hit, by kind: ${kinds(d.victimErrorKinds)}`);
      if (Object.keys(d.healthyErrorKinds).length > 0) session.log(`    errors on healthy groups, by kind: ${kinds(d.healthyErrorKinds)}`);
      if (d.lostWriteKeys.length > 0)
        session.log(`    lost writes: ${d.lostWriteKeys.slice(0, 5).join('; ')}${d.lostWriteKeys.length > 5 ? ' ...' : ''}`);
    }
  }
  const files = writeDemoOutput(options.outDir, {
    run: options.run,
    title: options.title,
    setup: options.setup,
    results,
    events: session.events,
  });
  session.log(`\nwrote ${files.join(', ')}`);
  if (options.run === 'lab') {
    const behind = results.filter((r) => {
      const a = r.clients[OURS];
      const b = r.clients[PLAIN];
      return !a || !b || shortfalls(a, b).length > 0;
    });
    session.log(
      behind.length === 0
        ? `verdict: ${OURS} ahead of or level with plain ioredis on every figure of every fault`
        : `verdict: ${OURS} NOT ahead on ${behind.map((r) => r.name).join(', ')} (see the table)`,
    );
  }
  return files;
}
