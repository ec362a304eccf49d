import { hasFlag, list } from '@ioredis/commands';
import { lookupCommand } from './command-name.js';
import { WordSet } from './option-words.js';

/**
 * Which commands hold their connection while the server waits (DESIGN §3, "Blocking commands
 * get their own timeout semantics"). A blocked connection answers nothing else, so the
 * command path must not mistake a healthy wait for a hung node, nor cut it short with an
 * ordinary attempt timeout.
 */

/** How a blocking command blocks: always, or only when an option asks for it. */
type Blocking = 'always' | 'with-block-option';

// From the `blocking` flag of @ioredis/commands: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BZPOPMIN,
// BZPOPMAX, BLMPOP, BZMPOP, WAIT, WAITAOF, XREAD and XREADGROUP. The stream reads block only
// with BLOCK; without it they answer at once like any read.
const BLOCKING: ReadonlyMap<string, Blocking> = new Map(
  list
    .filter((name) => hasFlag(name, 'blocking'))
    .map((name) => [name, name === 'xread' || name === 'xreadgroup' ? 'with-block-option' : 'always'] as const),
);

const BLOCK = new WordSet(['BLOCK']);
const STREAMS = new WordSet(['STREAMS']);

/**
 * Whether `name` (any case) blocks its connection on the server. `args` are the arguments
 * after the name; for XREAD and XREADGROUP the answer depends on a BLOCK option before
 * STREAMS. Without `args` the answer is whether the command can block at all.
 *
 * @example
 * isBlockingCommand('BLPOP', ['q', 3]);                       // true
 * isBlockingCommand('xread', ['COUNT', 1, 'STREAMS', 's', 0]); // false
 * isBlockingCommand('xread', ['BLOCK', 0, 'STREAMS', 's', '$']); // true
 */
export function isBlockingCommand(name: string, args?: readonly unknown[]): boolean {
  const blocking = lookupCommand(BLOCKING, name);
  if (blocking === undefined) return false;
  if (blocking === 'always' || args === undefined) return true;
  for (const arg of args) {
    // Stream names and ids follow STREAMS; a stream may well be called "block".
    if (STREAMS.has(arg)) return false;
    if (BLOCK.has(arg)) return true;
  }
  return false;
}
