import type { Command } from 'ioredis';

type NodeCallback = (error: Error | null, result?: unknown) => void;

interface CallbackInternals {
  callback?: NodeCallback | undefined;
  initPromise(): void;
}

/**
 * Takes the node-style callback off an ioredis Command. ioredis ties the callback to the
 * command's own promise, which is one attempt: the call may instead fail before any attempt
 * (breaker open, client closed) or succeed on a retry with a copy of the command. Returns the
 * callback so the caller can tie it to the promise the caller sees.
 */
export function detachCallback(command: Command): NodeCallback | undefined {
  const internals = command as unknown as CallbackInternals;
  const callback = internals.callback;
  if (typeof callback !== 'function') return undefined;
  internals.callback = undefined;
  // A fresh promise without the callback: the old one is dropped, never settled.
  internals.initPromise();
  return callback;
}

/**
 * Calls `callback` exactly once with what `promise` settles to, as ioredis does. An exception
 * thrown by the callback surfaces as an uncaught exception, not as a rejection of the caller's
 * promise, again as in ioredis.
 */
export function attachCallback<T>(promise: Promise<T>, callback: NodeCallback | undefined): Promise<T> {
  if (!callback) return promise;
  promise
    .then(
      (result) => callback(null, result),
      (error: Error) => callback(error),
    )
    .catch((thrown: unknown) => {
      process.nextTick(() => {
        throw thrown;
      });
    });
  return promise;
}
