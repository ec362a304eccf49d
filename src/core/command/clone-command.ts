import { Command } from 'ioredis';

interface CommandInternals {
  replyEncoding?: BufferEncoding | null;
}

/**
 * A fresh copy of `command` for a retry: an ioredis Command settles once and arms its
 * timeout timer once. Arguments are already key-prefixed and transformed, so the copy gets
 * no key prefix again.
 */
export function cloneCommand(command: Command): Command {
  const encoding = (command as unknown as CommandInternals).replyEncoding;
  const copy = new Command(command.name, command.args as never[], { replyEncoding: encoding ?? null });
  copy.isReadOnly = command.isReadOnly;
  return copy;
}
