import type { FailureClass, Redirect } from './failure-scenario.js';
import { isReplyBeforeScript, isScriptCommand } from './script-reply.js';
import {
  type Rule,
  ASK,
  BY_CODE,
  BY_IOREDIS_MESSAGE,
  BY_IOREDIS_PREFIX,
  BY_REPLY_PREFIX,
  CONFIG,
  ERR_REPLY_PREFIXES,
  MAYBE_SENT_CONNECTION,
  MOVED,
  READONLY,
  REJECTED_COMMAND,
  SCRIPT_ERROR,
  UNRECOGNISED_REPLY,
} from './failure-signal-table.js';

/**
 * Maps any error seen on the command path to a {@link FailureClass} (DESIGN §3). Called on every
 * failed attempt, so it is table driven: at most one `Map` lookup per signal (`code`, first word
 * of a server reply, exact ioredis message) and, apart from MOVED/ASK redirect targets, it
 * returns shared frozen objects instead of allocating.
 */

/** What the caller knows about the failed attempt. */
export interface ClassifyContext {
  /**
   * Whether ioredis had written the command to the socket. `false` proves a transport failure
   * could not have executed it. Left undefined, such failures count as `unknown`: taking an
   * unsent INCR for a sent one only costs a failed call, the reverse costs a double write.
   */
  readonly sent?: boolean;
  /**
   * The name of the command that failed, in any case. It matters for scripts: an error reply
   * to EVAL, EVALSHA or FCALL (and their _RO forms) is the script's answer unless it is one of
   * the few texts Redis sends before running it (see `script-reply.ts`), so it is a `command`
   * error that was `executed`, whatever word it starts with. Left undefined, the name ioredis
   * puts on its reply errors (`error.command.name`) is used.
   */
  readonly command?: string;
}

const REDIRECTIONS_PREFIX = 'Too many Cluster redirections. Last error: ';
const MAX_CAUSE_DEPTH = 8;

interface ErrorLike {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly syscall?: unknown;
  readonly cause?: unknown;
  /** ioredis sets `{ name, args }` on every ReplyError. */
  readonly command?: { readonly name?: unknown } | null;
}

/**
 * Classifies one failed attempt.
 *
 * Looks at the error itself first and then down its `cause` chain (our own errors wrap the
 * ioredis error), taking the first one it recognises. An error nothing recognises is treated
 * as a `connection` failure with `unknown` execution: an unexplained failure on the Redis path
 * is more likely infrastructure than caller error, and `unknown` keeps unsafe writes from
 * being replayed. Programmer errors (`TypeError`, `RangeError`) are the exception: they are
 * `command` errors, so a bad argument never trips a breaker.
 *
 * @param error - whatever the attempt rejected with.
 * @param context - what the caller knows; see {@link ClassifyContext}.
 */
export function classifyFailure(error: unknown, context?: ClassifyContext): FailureClass {
  const unsentKnown = context?.sent === false;
  const named = context?.command;
  const script = named === undefined ? undefined : isScriptCommand(named);
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && typeof current === 'object' && current !== null; depth++) {
    const found = classifyOne(current as ErrorLike, unsentKnown, script ?? ranScript(current as ErrorLike));
    if (found !== undefined) return found;
    current = (current as ErrorLike).cause;
  }
  if (typeof error === 'object' && error !== null) {
    const name = (error as ErrorLike).name;
    if (name === 'TypeError' || name === 'RangeError') return REJECTED_COMMAND.otherwise;
  }
  return unsentKnown ? MAYBE_SENT_CONNECTION.unsent : MAYBE_SENT_CONNECTION.otherwise;
}

function ranScript(error: ErrorLike): boolean {
  const name = error.command?.name;
  return typeof name === 'string' && isScriptCommand(name);
}

function pick(rule: Rule, unsent: boolean): FailureClass {
  return unsent ? rule.unsent : rule.otherwise;
}

function classifyOne(error: ErrorLike, unsentKnown: boolean, script: boolean): FailureClass | undefined {
  const code = error.code;
  if (typeof code === 'string') {
    // ioredis's own connectTimeout error and Node's connect errors carry syscall 'connect'.
    const unsent = unsentKnown || error.syscall === 'connect' || error.syscall === 'getaddrinfo';
    const rule = BY_CODE.get(code);
    if (rule !== undefined) return pick(rule, unsent);
    if (code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_')) return CONFIG.otherwise;
  }
  const message = error.message;
  if (typeof message !== 'string') return undefined;
  return classifyMessage(message, error.name === 'ReplyError', unsentKnown, script);
}

function classifyMessage(message: string, isReply: boolean, unsentKnown: boolean, script: boolean): FailureClass | undefined {
  // A script's own error reply is its answer, not the node's state (see script-reply.ts).
  if (script && isReply && !isReplyBeforeScript(message)) return SCRIPT_ERROR.otherwise;
  const fromReply = classifyReply(message);
  if (fromReply !== undefined) return fromReply;
  const exact = BY_IOREDIS_MESSAGE.get(message);
  if (exact !== undefined) return pick(exact, unsentKnown);
  for (const [prefix, rule] of BY_IOREDIS_PREFIX) {
    if (message.startsWith(prefix)) return pick(rule, unsentKnown);
  }
  if (message.startsWith(REDIRECTIONS_PREFIX)) {
    // ioredis gave up after maxRedirections and glued the last error on as `Name: message`.
    return classifyEmbedded(message.slice(REDIRECTIONS_PREFIX.length), unsentKnown, script);
  }
  // Any other error reply is the server refusing this caller's command.
  return isReply ? withScriptCheck(UNRECOGNISED_REPLY.otherwise, message) : undefined;
}

function classifyEmbedded(text: string, unsentKnown: boolean, script: boolean): FailureClass | undefined {
  const colon = text.indexOf(': ');
  const head = colon > 0 ? text.slice(0, colon) : '';
  if (head.endsWith('Error') && !head.includes(' ')) {
    return classifyMessage(text.slice(colon + 2), head === 'ReplyError', unsentKnown, script);
  }
  return classifyMessage(text, false, unsentKnown, script);
}

/**
 * Server replies, by the first word: the error code Redis chose. Known codes are trusted even
 * on an error that is not a ReplyError (a wrapper that kept the text); unknown ones are left
 * to the caller, which knows whether the text came from the server.
 */
function classifyReply(message: string): FailureClass | undefined {
  const space = message.indexOf(' ');
  const token = space === -1 ? message : message.slice(0, space);
  if (token === 'MOVED') return redirectClass('moved', message);
  if (token === 'ASK') return redirectClass('ask', message);
  let rule = BY_REPLY_PREFIX.get(token);
  if (rule === undefined) {
    if (token === 'ERR') rule = errRule(message);
    else if (token === 'UNBLOCKED') rule = unblockedRule(message);
    else return undefined;
  }
  return withScriptCheck(rule.otherwise, message);
}

function withScriptCheck(found: FailureClass, message: string): FailureClass {
  return found.scenario === 'command' && isScriptError(message) ? SCRIPT_ERROR.otherwise : found;
}

function errRule(message: string): Rule {
  for (const [prefix, rule] of ERR_REPLY_PREFIXES) {
    if (message.startsWith(prefix)) return rule;
  }
  return REJECTED_COMMAND;
}

/**
 * A primary demoted while a client waited in BLPOP and friends gets
 * `UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)`:
 * the same failover evidence as READONLY, and nothing was popped. CLIENT UNBLOCK ... ERROR
 * sends UNBLOCKED too, and that one is the caller's business.
 */
function unblockedRule(message: string): Rule {
  return message.includes('instance state changed') ? READONLY : REJECTED_COMMAND;
}

function isScriptError(message: string): boolean {
  // Redis 6 wraps script failures in "Error running script"; Redis 7 appends the script
  // location ("... script: <sha>, on @user_script:1.") and reports Lua errors as user_script.
  return message.includes('user_script') || message.includes('Error running script') || message.includes('user_function');
}

/**
 * `MOVED <slot> <host>:<port>` / `ASK <slot> <host>:<port>`. The host may be an IPv4 address,
 * a hostname (cluster with TLS announces hostnames), a bare IPv6 address (Redis does not
 * bracket it, so the port follows the last colon) or empty (`:6379`, meaning the node that
 * replied). A reply that does not parse keeps its scenario but has no `redirect`: the caller
 * should refresh the topology instead of following it.
 */
function redirectClass(scenario: 'moved' | 'ask', message: string): FailureClass {
  const base = scenario === 'moved' ? MOVED.otherwise : ASK.otherwise;
  const redirect = parseRedirect(message);
  return redirect === undefined ? base : Object.freeze({ ...base, redirect });
}

/** Parses the target of a MOVED or ASK reply (`MOVED <slot> <host>:<port>`). */
function parseRedirect(message: string): Redirect | undefined {
  const first = message.indexOf(' ');
  const second = first === -1 ? -1 : message.indexOf(' ', first + 1);
  if (second === -1) return undefined;
  const slot = parseDecimal(message.slice(first + 1, second));
  if (slot < 0 || slot > 16383) return undefined;
  let end = message.indexOf(' ', second + 1);
  if (end === -1) end = message.length;
  const endpoint = message.slice(second + 1, end);
  const colon = endpoint.lastIndexOf(':');
  if (colon === -1) return undefined;
  const port = parseDecimal(endpoint.slice(colon + 1));
  if (port < 1 || port > 65535) return undefined;
  let host = endpoint.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return { slot, host, port };
}

/** Non-negative integer of at most 5 digits, or -1. Stricter than Number(''), which is 0. */
function parseDecimal(text: string): number {
  if (text.length === 0 || text.length > 5) return -1;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}
