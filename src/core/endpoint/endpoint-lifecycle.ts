import type { Endpoint } from './endpoint.js';
import { destroySockets } from '../connection/ioredis-internals.js';
import { isClientClosedError } from '../errors/client-closed.error.js';
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
export function waitUntilReady(
  endpoint: Pick<Endpoint, 'client' | 'id'>,
  options: ResolvedOptions,
  timeoutMs = options.policy.connectTimeoutMs,
): Promise<void> {
  const client = endpoint.client;
  if (client.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    let lastError: unknown;
    let lastScenario: FailureScenario = 'connection';
    const cleanup = (): void => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onError);
      client.off('end', onEnd);
    };
    // Closed while we wait (close() during connect, or the endpoint retired by a topology
    // change): settle now rather than hold a timer until the connect timeout.
    const onEnd = (): void => {
      cleanup();
      reject(new ConnectFailedError(options.name, `the connection to ${endpoint.id} was closed before it was ready`, 'connection'));
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
    client.on('end', onEnd);
    if (client.status === 'end') onEnd();
    // A connection made after close() refuses to connect: that is an answer too.
    else if (client.status === 'wait') {
      client.connect().catch((error: unknown) => {
        if (!isClientClosedError(error)) return;
        cleanup();
        reject(error);
      });
    }
  });
}

/** How long a polite close waits for QUIT's reply before dropping the connection. */
const QUIT_WAIT_MS = 500;

/** Closes politely (QUIT) when connected, and disconnects at once otherwise. */
export function closeEndpoint(endpoint: Endpoint): Promise<void> {
  // Once per endpoint: a swap giving up on a candidate and close() may both close it, and a
  // second disconnect would start ioredis's 2 s socket timer again.
  let closing = closings.get(endpoint);
  if (!closing) closings.set(endpoint, (closing = closeOnce(endpoint)));
  return closing;
}

const closings = new WeakMap<Endpoint, Promise<void>>();

async function closeOnce(endpoint: Endpoint): Promise<void> {
  // A connection we close on purpose is not a lost one: no `connection.lost` for it.
  endpoint.markLost();
  endpoint.close();
  const client = endpoint.client;
  if (client.status === 'ready') {
    // Bounded: a hung node never answers QUIT. The timer is cleared, not just unref'd, so
    // nothing of ours is left pending once close() has resolved.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([client.quit().catch(() => {}), new Promise((r) => (timer = setTimeout(r, QUIT_WAIT_MS)))]);
    clearTimeout(timer);
  }
  client.disconnect(false);
  // ioredis ends the socket gracefully and keeps it (and a 2 s timer) until the server's FIN:
  // a hung node never sends one. QUIT has been answered or given up on, so drop it now, and
  // resolve once the handle is really closed: nothing of ours is open when close() resolves.
  destroySockets(client);
  if (client.status !== 'end') {
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      client.once('end', done);
      timer = setTimeout(done, QUIT_WAIT_MS);
    });
  }
}
