import type { Endpoint } from './endpoint.js';
import { ConnectFailedError } from '../errors/connect-failed.error.js';
import type { ResolvedOptions } from '../options/validate-options.js';
import { classifyFailure } from '../policy/classify-failure.js';
import type { FailureScenario } from '../policy/failure-scenario.js';

/**
 * Starts the endpoint's connection and resolves once it is ready. Rejects with
 * `ConnectFailedError` after `policy.connectTimeoutMs`, or at once for errors that retrying
 * can't fix (bad password, bad TLS). The connection keeps retrying in the background either
 * way, so a client created while Redis is down recovers on its own.
 */
export function waitUntilReady(endpoint: Pick<Endpoint, 'client' | 'id'>, options: ResolvedOptions, timeoutMs = options.policy.connectTimeoutMs): Promise<void> {
  const client = endpoint.client;
  if (client.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    let lastError: unknown;
    let lastScenario: FailureScenario = 'connection';
    const cleanup = (): void => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onError);
    };
    const onReady = (): void => {
      cleanup();
      resolve();
    };
    const onError = (error: unknown): void => {
      lastError = error;
      lastScenario = classifyFailure(error).scenario;
      if (lastScenario === 'auth' || lastScenario === 'config') {
        cleanup();
        reject(new ConnectFailedError(options.name, `${endpoint.id} refused the connection (${lastScenario})`, lastScenario, error));
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      reject(new ConnectFailedError(options.name, `${endpoint.id} not ready within ${timeoutMs} ms${why}`, lastScenario, lastError));
    }, timeoutMs);
    client.on('ready', onReady);
    client.on('error', onError);
    if (client.status === 'wait') client.connect().catch(() => {});
  });
}

/** Closes politely (QUIT) when connected, and disconnects at once otherwise. */
export async function closeEndpoint(endpoint: Endpoint): Promise<void> {
  endpoint.close();
  const client = endpoint.client;
  if (client.status === 'ready') {
    await Promise.race([client.quit().catch(() => {}), new Promise((r) => setTimeout(r, 500).unref())]);
  }
  client.disconnect(false);
}
