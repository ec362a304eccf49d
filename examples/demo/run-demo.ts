/**
 * `npm run demo`: redis-resilience and plain ioredis side by side through failovers.
 *
 * Without arguments it starts a local lab (3x2 cluster, replication pair behind DNS names),
 * injects a hung primary, a crashed primary, a planned cluster failover and a replication
 * failover with a DNS flip, and writes demo-output/{timeline.json,summary.json,chart.svg}.
 * With `--endpoint host:port` it observes a real deployment instead (see demo-args.ts).
 */
import { USAGE, parseDemoArgs } from './demo-args.js';
import { runLabDemo } from './lab-demo.js';
import { runObserveDemo } from './observe-mode.js';

let args;
try {
  args = parseDemoArgs(process.argv.slice(2));
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(2);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const code = args.endpoint ? await runObserveDemo(args) : await runLabDemo(args);
// Clients and servers are closed by now; exit explicitly so a stray timer cannot keep us alive.
process.exit(code);
