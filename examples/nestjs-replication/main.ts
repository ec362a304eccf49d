// Starts the replication example: `node .build/examples/nestjs-replication/main.js` (see README.md).
import { createReplicationApp } from './create-app.js';
import { readConfig } from './config.js';

const app = await createReplicationApp(readConfig());
app.enableShutdownHooks([], { useProcessExit: true });
await app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1');
console.log(`nestjs-replication example listening on ${await app.getUrl()}`);
