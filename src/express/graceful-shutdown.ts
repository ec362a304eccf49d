import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { createConsoleLogger, type ResilienceLogger } from '../core/events/resilience-logger.js';
import type { Resilience } from './create-resilience.js';

/** Options of {@link attachGracefulShutdown}. */
export interface GracefulShutdownOptions {
  /** Signals that start the shutdown. @default ['SIGTERM', 'SIGINT'] */
  signals?: readonly NodeJS.Signals[];
  /**
   * Time between failing readiness and closing the listener, in ms. The load balancer only
   * stops sending traffic after it sees a failed probe; closing at once would refuse the
   * requests it still routes here. Set it to your probe period times the failure threshold.
   * @default 0
   */
  readinessGraceMs?: number;
  /** Longest wait for in-flight HTTP requests before their sockets are closed, in ms. @default 10000 */
  drainMs?: number;
  /** `true` calls `process.exit(code)` at the end; a function is called instead; `false` does nothing. @default true */
  exit?: boolean | ((code: number) => void);
  /** Where the sequence logs its steps. @default a console logger on stderr */
  logger?: ResilienceLogger;
}

/** Handle returned by {@link attachGracefulShutdown}. */
export interface GracefulShutdown {
  /** Runs the sequence now (as a signal would). Resolves with the exit code; runs once. */
  shutdown(reason?: string): Promise<number>;
  /** Removes the signal handlers. */
  detach(): void;
}

/**
 * Stops accepting connections and resolves once open requests finished (true) or were cut
 * after `drainMs` (false).
 */
function closeServer(server: Server, drainMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let cut = false;
    // A keep-alive socket that finishes its last request after close() started stays open
    // until its idle timeout (seconds) unless swept: close it as soon as it is idle.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    const timer = setTimeout(() => {
      cut = true;
      server.closeAllConnections();
    }, drainMs);
    // The callback also fires (with ERR_SERVER_NOT_RUNNING) when the server was not listening.
    server.close(() => {
      clearTimeout(timer);
      clearInterval(sweep);
      resolve(!cut);
    });
    server.closeIdleConnections();
  });
}

/**
 * Shuts an HTTP server and its Redis clients down in the order that loses no request:
 * 1. readiness turns to `shutting_down` (503), so the load balancer stops routing here;
 * 2. after `readinessGraceMs`, the listener closes and in-flight requests finish (up to
 *    `drainMs`), answering with `Connection: close` so keep-alive clients go elsewhere;
 * 3. the Redis clients drain their in-flight calls and close (after HTTP, because the
 *    requests still running need Redis);
 * 4. the process exits with 0, or 1 if a step failed.
 */
export function attachGracefulShutdown(
  server: Server,
  resilience: Pick<Resilience, 'registry' | 'close'>,
  options: GracefulShutdownOptions = {},
): GracefulShutdown {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const logger = options.logger ?? createConsoleLogger('redis-resilience:shutdown');
  let running: Promise<number> | undefined;
  // Responses not yet started when the shutdown begins tell their clients to reconnect
  // elsewhere, so keep-alive sockets end with their request instead of idling.
  const open = new Set<ServerResponse>();
  const markClosing = (_req: IncomingMessage, res: ServerResponse): void => {
    if (running) {
      res.setHeader('Connection', 'close');
      return;
    }
    open.add(res);
    res.once('close', () => open.delete(res));
  };
  server.prependListener('request', markClosing);

  const sequence = async (reason: string): Promise<number> => {
    try {
      logger.log(`shutdown started (${reason}): readiness now reports shutting_down`);
      resilience.registry.markShuttingDown();
      for (const res of open) if (!res.headersSent) res.setHeader('Connection', 'close');
      open.clear();
      if ((options.readinessGraceMs ?? 0) > 0) await delay(options.readinessGraceMs!);
      const drained = await closeServer(server, options.drainMs ?? 10_000);
      if (!drained) logger.warn(`shutdown: HTTP requests still open after ${options.drainMs ?? 10_000} ms were cut off`);
      else logger.log('shutdown: HTTP server closed, every request answered');
      await resilience.close();
      logger.log('shutdown: Redis clients closed');
      return 0;
    } catch (error) {
      logger.error(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
  };

  const shutdown = (reason = 'requested'): Promise<number> => {
    running ??= sequence(reason).then((code) => {
      if (options.exit === false) return code;
      if (typeof options.exit === 'function') options.exit(code);
      else process.exit(code);
      return code;
    });
    return running;
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    if (running) {
      logger.warn(`${signal} received while shutting down; still draining`);
      return;
    }
    void shutdown(signal);
  };
  for (const s of signals) process.on(s, onSignal);

  return {
    shutdown,
    detach() {
      for (const s of signals) process.off(s, onSignal);
      server.off('request', markClosing);
    },
  };
}
