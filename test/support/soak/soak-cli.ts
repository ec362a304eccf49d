/**
 * `npm run soak -- --minutes N` (default 10): runs the soak on a fresh lab cluster, prints
 * progress and the report, and exits non-zero when any acceptance figure fails.
 */
import { formatSoakReport, runSoak } from './soak-run.js';

const i = process.argv.indexOf('--minutes');
const minutes = i > 0 ? Number(process.argv[i + 1]) : 10;
if (!Number.isFinite(minutes) || minutes < 1) {
  console.error('usage: npm run soak -- --minutes N   (N >= 1)');
  process.exit(2);
}
const report = await runSoak({ minutes, log: (line) => console.log(`[soak] ${line}`) });
console.log(formatSoakReport(report));
if (process.argv.includes('--json')) console.log(JSON.stringify(report));
process.exitCode = report.failed.length === 0 ? 0 : 1;
