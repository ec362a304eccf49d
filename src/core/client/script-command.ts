import { definedScript } from '../connection/ioredis-internals.js';
import { attachCallback } from './node-callback.js';

type Callback = (error: Error | null, result?: unknown) => void;

/**
 * Replaces the methods `defineCommand` made for `name`. ioredis's version ties a callback to
 * the script command's first attempt; ours ties it to the promise the caller gets, so the
 * callback agrees with it after a retry or a refusal. In a pipeline (where the result comes
 * from `exec()`) the callback stays with the command, as in ioredis.
 */
export function defineScript(host: object, name: string): void {
  const script = definedScript(host, name);
  const make = (encoding: BufferEncoding | null) =>
    function (this: { isPipeline?: boolean }, ...args: unknown[]): unknown {
      const callback = typeof args.at(-1) === 'function' ? (args.pop() as Callback) : undefined;
      if (this.isPipeline) return script.execute(this, args, { replyEncoding: encoding }, callback);
      return attachCallback(script.execute(this, args, { replyEncoding: encoding }) as Promise<unknown>, callback);
    };
  const target = host as Record<string, unknown>;
  target[name] = make('utf8');
  target[`${name}Buffer`] = make(null);
}
