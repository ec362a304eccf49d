// Issue 15: the soak's 1-minute version (the full one is `npm run soak -- --minutes 10`). A lab
// cluster under steady load takes a planned failover and a hung primary; afterwards no
// acknowledged write is lost, no call failed outside the fault windows, nothing is pending, heap
// after GC and handle counts stayed flat, and closing leaves no handle behind.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSoakReport, runSoak } from '../support/soak/soak-run.js';

test('one minute of steady load through two faults passes the soak acceptance figures', { timeout: 180_000 }, async () => {
  const report = await runSoak({ minutes: 1 });
  const text = formatSoakReport(report);
  assert.equal(report.faults.length, 2, text);
  assert.ok(report.calls > 5000, `steady load ran (${report.calls} calls)`);
  assert.deepEqual(report.failed, [], text);
});
