// Starts the cluster example: `node .build/examples/nestjs-cluster/main.js` (see README.md).
import { createClusterApp } from './create-app.js';
import { readConfig } from './config.js';

const app = await createClusterApp(readConfig());
// SIGTERM: readiness answers 503 for SHUTDOWN_GRACE_MS, then HTTP closes, then Redis closes, exit 0.
app.enableShutdownHooks([], { useProcessExit: true });
await app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1');
console.log(`nestjs-cluster example listening on ${await app.getUrl()}`);
