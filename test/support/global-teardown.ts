/**
 * Runs once after a test run (as a plain node script, from scripts/run-tests.mjs): the leak check.
 * Every redis-server this run started must be gone by now. One that is still alive means some
 * test's teardown and the exit handler both failed to stop it: kill it, and fail the run naming
 * the pid, so the leak gets fixed instead of piling up on the machine.
 */
import { listEntries, reapEntry, isRecordedServerAlive, reapOrphans } from './pid-registry.js';
import { isAlive } from './processes.js';
import { waitFor } from './wait.js';

const tag = '[redis-lab teardown]';
// run-tests.mjs passes the run id to test processes only; this script is its direct child.
const runId = process.env.REDIS_RESILIENCE_LAB_RUN ?? String(process.ppid);

const ours = listEntries().filter((e) => e.runId === runId);
// A test process that was killed outright (crash tests do this on purpose) has no exit handler;
// its watchdog kills the server within ~0.5 s. Give watchdogs that grace before judging.
const guarded = ours.filter((e) => isRecordedServerAlive(e) && !isAlive(e.ownerPid) && isAlive(e.watchdogPid));
if (guarded.length > 0) {
  await waitFor(() => guarded.every((e) => !isRecordedServerAlive(e)), {
    timeoutMs: 2000,
    what: 'watchdogs to stop servers of dead test processes',
  }).catch(() => {});
}

const leaked: string[] = [];
for (const entry of ours) {
  if (!isRecordedServerAlive(entry)) {
    reapEntry(entry);
    continue;
  }
  const owner = isAlive(entry.ownerPid) ? `owner pid ${entry.ownerPid} still running` : `owner pid ${entry.ownerPid} gone`;
  leaked.push(`pid ${entry.redisPid} (${entry.host}:${entry.port}, ${owner})`);
  reapEntry(entry);
}
// Leftovers of other, crashed runs: clean them too, but they are not this run's failure.
const orphans = reapOrphans();

if (leaked.length > 0) {
  console.error(`${tag} LEAK: ${leaked.length} lab redis-server process(es) still alive after the run, now killed: ${leaked.join('; ')}`);
  process.exit(1);
}
console.log(
  `${tag} no leaked redis-server processes (${ours.length} registry entr${ours.length === 1 ? 'y' : 'ies'} checked` +
    (orphans.killed.length > 0 ? `, reaped ${orphans.killed.length} from other crashed runs` : '') +
    ')',
);
