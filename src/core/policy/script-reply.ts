import { hasCommand } from './command-name.js';

/**
 * Telling a script's own error reply from Redis refusing to run the script (issue 12, defect 2).
 *
 * Why a separate rule: an error reply from an ordinary command is Redis refusing it, and its
 * first word (TRYAGAIN, BUSY, READONLY...) says why. A script's error reply says nothing of the
 * kind. It is whatever the script chose to answer, possibly after it wrote, and Redis passes it
 * on verbatim: `return redis.error_reply('TRYAGAIN later')` and `return {err = 'BUSY x'}` reach
 * the client as `-TRYAGAIN later` and `-BUSY x`, byte for byte (checked against redis-server
 * 7.0 in test/integration/classify-real-errors.test.ts). Errors raised inside the script
 * (`error()`, a failing `redis.call`) come back with the script location appended
 * (`... script: <sha>, on @user_script:1.`), and a plain Lua error as `ERR user_script:1: ...`.
 *
 * Redis's own replies to a script command are few and fixed: the routing and state checks it
 * makes before running anything (MOVED, ASK, CLUSTERDOWN, TRYAGAIN, CROSSSLOT, READONLY on a
 * replica for a script that declares writes, LOADING, BUSY while another script runs,
 * MASTERDOWN, NOAUTH, NOPERM, OOM), and the argument checks (NOSCRIPT, unknown function,
 * compile errors, numkeys). So the rule: for a script command, an error reply is Redis's own
 * only if it is exactly one of those texts; anything else is the script's answer, which
 * counts as executed, is never retried and never counts against a breaker. One exception:
 * READONLY raised inside a script means the node is a replica, where nothing can have been
 * written. A future Redis
 * text we do not know yet falls on the safe side (not retried, not a node fault); a script
 * that forges one of Redis's exact texts is classified as that text, which is its choice.
 */

/** EVAL, EVALSHA, FCALL and their read-only forms: commands that run user code. */
const SCRIPT_COMMANDS: ReadonlySet<string> = new Set(['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro']);

/** Whether `name` (any case) runs a script or function whose error replies are its own. */
export function isScriptCommand(name: string): boolean {
  return hasCommand(SCRIPT_COMMANDS, name);
}

/** Texts Redis sends, in full, before running a script. */
const EXACT: ReadonlySet<string> = new Set([
  'CLUSTERDOWN The cluster is down',
  'CLUSTERDOWN Hash slot not served',
  'CLUSTERDOWN The cluster is down and only accepts read commands',
  'TRYAGAIN Multiple keys request during rehashing of slot',
  "CROSSSLOT Keys in request don't hash to the same slot",
  "READONLY You can't write against a read only replica.",
  "READONLY You can't write against a read only slave.",
  'LOADING Redis is loading the dataset in memory',
  "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
  'NOAUTH Authentication required.',
  "OOM command not allowed when used memory > 'maxmemory'.",
  'NOSCRIPT No matching script. Please use EVAL.',
  'ERR Function not found',
  "ERR Number of keys can't be greater than number of args",
  "ERR Number of keys can't be negative",
]);

/** Texts Redis sends before running a script whose tail varies (script kind, user, command). */
const PREFIXES: readonly string[] = [
  // "... You can only call SCRIPT KILL or SHUTDOWN NOSAVE." / "FUNCTION KILL" / "a module command."
  'BUSY Redis is busy running a ',
  'NOPERM ',
  'ERR Error compiling script',
  'ERR wrong number of arguments for ',
];

/** Where Redis appends the script location to an error raised inside the script. */
const RAISED_IN_SCRIPT = ' script: ';

/**
 * Errors raised inside a script that still prove nothing was written: a replica refuses every
 * write, so a script that met READONLY (an EVAL that reached a demoted primary after a
 * failover) wrote nothing before or after it. It stays failover evidence and may be retried
 * on the new primary.
 */
const REFUSED_EVERY_WRITE: ReadonlySet<string> = new Set([
  "READONLY You can't write against a read only replica.",
  "READONLY You can't write against a read only slave.",
]);

/** `MOVED <slot> <host>:<port>` / `ASK ...`, with nothing after the address. */
const REDIRECT = /^(?:MOVED|ASK) \d{1,5} \S*:\d{1,5}$/;

/**
 * Whether an error reply to a script command came from Redis itself, before the script ran;
 * `false` means the script produced it.
 */
export function isReplyBeforeScript(message: string): boolean {
  if (EXACT.has(message)) return true;
  const raised = message.indexOf(RAISED_IN_SCRIPT);
  if (raised !== -1) return REFUSED_EVERY_WRITE.has(message.slice(0, raised));
  for (const prefix of PREFIXES) {
    if (message.startsWith(prefix)) return true;
  }
  return REDIRECT.test(message);
}
