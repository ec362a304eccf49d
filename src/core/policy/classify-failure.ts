import { ErrorCodes } from '../errors/error-codes.js';
import { SCENARIO_TRAITS, type Execution, type FailureClass, type FailureScenario, type Redirect } from './failure-scenario.js';

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
}

/** Two precomputed answers: when the command provably was not sent, and otherwise. */
interface Rule {
  readonly unsent: FailureClass;
  readonly otherwise: FailureClass;
}

function freezeClass(scenario: FailureScenario, execution: Execution): FailureClass {
  return Object.freeze({ scenario, execution, ...SCENARIO_TRAITS[scenario] });
}

/** The outcome does not depend on whether the command was written. */
function fixed(scenario: FailureScenario, execution: Execution): Rule {
  const value = freezeClass(scenario, execution);
  return { unsent: value, otherwise: value };
}

/** Transport failure that may have hit after the command was written. */
function bySent(scenario: FailureScenario): Rule {
  return { unsent: freezeClass(scenario, 'not-executed'), otherwise: freezeClass(scenario, 'unknown') };
}

const NOT_EXECUTED_CONNECTION = fixed('connection', 'not-executed');
const MAYBE_SENT_CONNECTION = bySent('connection');
const MAYBE_SENT_TIMEOUT = bySent('timeout');
const CONFIG = fixed('config', 'not-executed');
const AUTH = fixed('auth', 'not-executed');
// A Redis command either applies atomically or is rejected before it runs, so an error reply
// from an ordinary command means nothing happened.
const REJECTED_COMMAND = fixed('command', 'not-executed');
// Redis does not roll back a script's earlier writes when a later call in it fails.
const SCRIPT_ERROR = fixed('command', 'executed');
// An error reply we do not recognise may come from a script's error_reply after writes.
const UNRECOGNISED_REPLY = fixed('command', 'unknown');
const READONLY = fixed('readonly', 'not-executed');
const MOVED = fixed('moved', 'not-executed');
const ASK = fixed('ask', 'not-executed');

/** Many codes, one rule: keeps the tables below one line per decision. */
function each(codes: readonly string[], rule: Rule): (readonly [string, Rule])[] {
  return codes.map((code) => [code, rule] as const);
}

/** By `error.code`: our own errors, Node socket and DNS errors, TLS verification errors. */
const BY_CODE: ReadonlyMap<string, Rule> = new Map<string, Rule>([
  [ErrorCodes.circuitOpen, fixed('circuit-open', 'not-executed')],
  [ErrorCodes.queueFull, fixed('overloaded', 'not-executed')],
  [ErrorCodes.clientClosed, fixed('closed', 'not-executed')],
  // Our attempt timer fires whether the command is still queued or already on the wire.
  [ErrorCodes.commandTimeout, MAYBE_SENT_TIMEOUT],
  [ErrorCodes.crossSlot, REJECTED_COMMAND],
  ...each([ErrorCodes.invalidOptions, ErrorCodes.unknownClient], CONFIG),
  // The connection was never established or the name did not resolve: nothing was sent.
  // ERR_TLS_HANDSHAKE_TIMEOUT is a slow network, not a bad certificate.
  ...each(
    ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ERR_TLS_HANDSHAKE_TIMEOUT'],
    NOT_EXECUTED_CONNECTION,
  ),
  ...each(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'ENODATA', 'ESERVFAIL', 'EREFUSED', 'ETIMEOUT'], NOT_EXECUTED_CONNECTION),
  // An established connection broke: the command may have reached the server.
  ...each(
    ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ENETDOWN', 'ENETRESET', 'EHOSTDOWN'],
    MAYBE_SENT_CONNECTION,
  ),
  ...each(['ERR_SOCKET_CLOSED', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END'], MAYBE_SENT_CONNECTION),
  // OpenSSL certificate verification failures (ERR_TLS_* and ERR_SSL_* match by prefix).
  ...each(
    [
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN',
      'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'CERT_REVOKED',
      'CERT_SIGNATURE_FAILURE', 'CERT_CHAIN_TOO_LONG', 'UNABLE_TO_GET_ISSUER_CERT',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_DECRYPT_CERT_SIGNATURE', 'INVALID_CA',
      'INVALID_PURPOSE', 'PATH_LENGTH_EXCEEDED', 'HOSTNAME_MISMATCH',
    ],
    CONFIG,
  ),
]);

/** By the first word of a server error reply. MOVED, ASK, ERR and UNBLOCKED are parsed apart. */
const BY_REPLY_PREFIX: ReadonlyMap<string, Rule> = new Map<string, Rule>([
  ['TRYAGAIN', fixed('tryagain', 'not-executed')],
  ['CLUSTERDOWN', fixed('clusterdown', 'not-executed')],
  ['READONLY', READONLY],
  ['LOADING', fixed('loading', 'not-executed')],
  // A long script blocks the node like a dataset load does: wait it out with backoff.
  ['BUSY', fixed('loading', 'not-executed')],
  ['MASTERDOWN', fixed('masterdown', 'not-executed')],
  ...each(['NOAUTH', 'WRONGPASS', 'NOPERM'], AUTH),
  ['NOPROTO', CONFIG],
  ...each(['WRONGTYPE', 'NOSCRIPT', 'OOM', 'EXECABORT', 'CROSSSLOT'], REJECTED_COMMAND),
]);

/** `ERR ...` replies that are not the caller's fault. Everything else under ERR is. */
const ERR_REPLY_PREFIXES: readonly (readonly [string, Rule])[] = [
  // Sent on connect when maxclients is hit: the node is unusable, like a refused connection.
  ['ERR max number of clients reached', NOT_EXECUTED_CONNECTION],
  // Pre-ACL servers (Redis < 6) report a bad password this way instead of WRONGPASS.
  ['ERR invalid password', AUTH],
  ['ERR Client sent AUTH, but no password is set', AUTH],
  ['ERR AUTH ', AUTH],
];

/** Errors ioredis builds itself, by exact message. */
const BY_IOREDIS_MESSAGE: ReadonlyMap<string, Rule> = new Map<string, Rule>([
  // commandTimeout is armed before the offline-queue check, so it also fires on unsent commands.
  ['Command timed out', MAYBE_SENT_TIMEOUT],
  // Rejects both queued commands and ones in flight on the socket that just closed.
  ['Connection is closed.', MAYBE_SENT_CONNECTION],
  // Partially answered pipelines and transactions after a close: the rest was on the wire.
  ['Command aborted due to connection close', fixed('connection', 'unknown')],
  ["Stream isn't writeable and enableOfflineQueue options is false", NOT_EXECUTED_CONNECTION],
  ["Cluster isn't ready and enableOfflineQueue options is false", NOT_EXECUTED_CONNECTION],
  ['None of startup nodes is available', NOT_EXECUTED_CONNECTION],
  ['Failed to refresh slots cache.', NOT_EXECUTED_CONNECTION],
  ['Cluster is disconnected.', NOT_EXECUTED_CONNECTION],
  ['Cluster is disconnecting.', NOT_EXECUTED_CONNECTION],
  ['Node is disconnected', NOT_EXECUTED_CONNECTION],
  ['No master node is available for the pipeline', NOT_EXECUTED_CONNECTION],
  ['No subscriber for the cluster', NOT_EXECUTED_CONNECTION],
  ['Connection is discarded because a new connection is made', NOT_EXECUTED_CONNECTION],
  ['Connection is aborted', NOT_EXECUTED_CONNECTION],
  // The ioredis client was ended on purpose (our close, or a drained client after a swap).
  ['Cluster is ended.', fixed('closed', 'not-executed')],
  // Misuse of the API rather than a Redis failure: must not trip a breaker.
  ['Connection in subscriber mode, only subscriber commands may be used', REJECTED_COMMAND],
  ["Connection is in monitoring mode, can't process commands.", REJECTED_COMMAND],
  ['All the keys in a pipeline command should belong to the same slot', REJECTED_COMMAND],
  ['All keys in the pipeline should belong to the same slots allocation group', REJECTED_COMMAND],
  ['Possible CROSSSLOT error: All channels must hash to the same slot', REJECTED_COMMAND],
  ['Redis is already connecting/connected', REJECTED_COMMAND],
]);

/** Errors ioredis builds with a variable tail, by prefix. */
const BY_IOREDIS_PREFIX: readonly (readonly [string, Rule])[] = [
  // MaxRetriesPerRequestError flushes the command queue too, and ioredis keeps the commands
  // written on the dead socket there for resending: some of them may have run.
  ['Reached the max retries per request limit', MAYBE_SENT_CONNECTION],
  // socketTimeout destroys a socket that went silent with replies outstanding: a hung host.
  ['Socket timeout. ', MAYBE_SENT_TIMEOUT],
];

const REDIRECTIONS_PREFIX = 'Too many Cluster redirections. Last error: ';
const MAX_CAUSE_DEPTH = 8;

interface ErrorLike {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly syscall?: unknown;
  readonly cause?: unknown;
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
 * @param context - what the caller knows; see {@link ClassifyContext.sent}.
 */
export function classifyFailure(error: unknown, context?: ClassifyContext): FailureClass {
  const unsentKnown = context?.sent === false;
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && typeof current === 'object' && current !== null; depth++) {
    const found = classifyOne(current as ErrorLike, unsentKnown);
    if (found !== undefined) return found;
    current = (current as ErrorLike).cause;
  }
  if (typeof error === 'object' && error !== null) {
    const name = (error as ErrorLike).name;
    if (name === 'TypeError' || name === 'RangeError') return REJECTED_COMMAND.otherwise;
  }
  return unsentKnown ? MAYBE_SENT_CONNECTION.unsent : MAYBE_SENT_CONNECTION.otherwise;
}

function pick(rule: Rule, unsent: boolean): FailureClass {
  return unsent ? rule.unsent : rule.otherwise;
}

function classifyOne(error: ErrorLike, unsentKnown: boolean): FailureClass | undefined {
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
  return classifyMessage(message, error.name === 'ReplyError', unsentKnown);
}

function classifyMessage(message: string, isReply: boolean, unsentKnown: boolean): FailureClass | undefined {
  const fromReply = classifyReply(message);
  if (fromReply !== undefined) return fromReply;
  const exact = BY_IOREDIS_MESSAGE.get(message);
  if (exact !== undefined) return pick(exact, unsentKnown);
  for (const [prefix, rule] of BY_IOREDIS_PREFIX) {
    if (message.startsWith(prefix)) return pick(rule, unsentKnown);
  }
  if (message.startsWith(REDIRECTIONS_PREFIX)) {
    // ioredis gave up after maxRedirections and glued the last error on as `Name: message`.
    return classifyEmbedded(message.slice(REDIRECTIONS_PREFIX.length), unsentKnown);
  }
  // Any other error reply is the server refusing this caller's command.
  return isReply ? withScriptCheck(UNRECOGNISED_REPLY.otherwise, message) : undefined;
}

function classifyEmbedded(text: string, unsentKnown: boolean): FailureClass | undefined {
  const colon = text.indexOf(': ');
  const head = colon > 0 ? text.slice(0, colon) : '';
  if (head.endsWith('Error') && !head.includes(' ')) {
    return classifyMessage(text.slice(colon + 2), head === 'ReplyError', unsentKnown);
  }
  return classifyMessage(text, false, unsentKnown);
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
  return (
    message.includes('user_script') ||
    message.includes('Error running script') ||
    message.includes('user_function')
  );
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

/** Parses the target of a MOVED or ASK reply; exported for the topology refresher. */
export function parseRedirect(message: string): Redirect | undefined {
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
