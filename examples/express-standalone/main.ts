// Starts the Express example: `node .build/examples/express-standalone/main.js` (see README.md).
import type { AddressInfo } from 'node:net';
import { attachGracefulShutdown } from 'redis-resilience/express';
import { readConfig } from './config.js';
import { createStandaloneApp } from './create-app.js';

const config = readConfig();
const { app, resilience } = createStandaloneApp(config);
// A Redis outage at boot does not stop the app: readiness reports it until Redis is back.
for (const { name, error } of await resilience.connect()) {
  console.warn(`redis client "${name}" not connected yet: ${(error as Error).message}`);
}
const server = app.listen(config.http.port, config.http.host, () => {
  const { address, port } = server.address() as AddressInfo;
  // One JSON line on stdout, so scripts (and the tests) can find the port when PORT=0.
  console.log(JSON.stringify({ listening: `http://${address}:${port}`, pid: process.pid }));
});
attachGracefulShutdown(server, resilience, {
  readinessGraceMs: config.shutdownGraceMs,
  drainMs: config.drainMs,
  ...(config.logger ? { logger: config.logger } : {}),
});
