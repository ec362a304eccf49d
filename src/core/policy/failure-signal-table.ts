import { ErrorCodes } from '../errors/error-codes.js';
import { SCENARIO_TRAITS, type Execution, type FailureClass, type FailureScenario } from './failure-scenario.js';

// The signal tables behind classifyFailure (DESIGN §3), as data: one line per decision.

/** Two precomputed answers: when the command provably was not sent, and otherwise. */
export interface Rule {
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
export const MAYBE_SENT_CONNECTION = bySent('connection');
const MAYBE_SENT_TIMEOUT = bySent('timeout');
export const CONFIG = fixed('config', 'not-executed');
const AUTH = fixed('auth', 'not-executed');
// A Redis command either applies atomically or is rejected before it runs, so an error reply
// from an ordinary command means nothing happened.
export const REJECTED_COMMAND = fixed('command', 'not-executed');
// Redis does not roll back a script's earlier writes when a later call in it fails.
export const SCRIPT_ERROR = fixed('command', 'executed');
// An error reply we do not recognise may come from a script's error_reply after writes.
export const UNRECOGNISED_REPLY = fixed('command', 'unknown');
export const READONLY = fixed('readonly', 'not-executed');
export const MOVED = fixed('moved', 'not-executed');
export const ASK = fixed('ask', 'not-executed');

/** Many codes, one rule: keeps the tables below one line per decision. */
function each(codes: readonly string[], rule: Rule): (readonly [string, Rule])[] {
  return codes.map((code) => [code, rule] as const);
}

/** By `error.code`: our own errors, Node socket and DNS errors, TLS verification errors. */
export const BY_CODE: ReadonlyMap<string, Rule> = new Map<string, Rule>([
  [ErrorCodes.circuitOpen, fixed('circuit-open', 'not-executed')],
  [ErrorCodes.queueFull, fixed('overloaded', 'not-executed')],
  [ErrorCodes.clientClosed, fixed('closed', 'not-executed')],
  // Our attempt timer fires whether the command is still queued or already on the wire.
  [ErrorCodes.commandTimeout, MAYBE_SENT_TIMEOUT],
  [ErrorCodes.crossSlot, REJECTED_COMMAND],
  ...each([ErrorCodes.invalidOptions, ErrorCodes.unknownClient], CONFIG),
  // The connection was never established or the name did not resolve: nothing was sent.
  // ERR_TLS_HANDSHAKE_TIMEOUT is a slow network, not a bad certificate.
  ...each(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ERR_TLS_HANDSHAKE_TIMEOUT'], NOT_EXECUTED_CONNECTION),
  ...each(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'ENODATA', 'ESERVFAIL', 'EREFUSED', 'ETIMEOUT'], NOT_EXECUTED_CONNECTION),
  // An established connection broke: the command may have reached the server.
  ...each(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ENETDOWN', 'ENETRESET', 'EHOSTDOWN'], MAYBE_SENT_CONNECTION),
  ...each(['ERR_SOCKET_CLOSED', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END'], MAYBE_SENT_CONNECTION),
  // OpenSSL certificate verification failures (ERR_TLS_* and ERR_SSL_* match by prefix).
  ...each(
    [
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'CERT_HAS_EXPIRED',
      'CERT_NOT_YET_VALID',
      'CERT_UNTRUSTED',
      'CERT_REJECTED',
      'CERT_REVOKED',
      'CERT_SIGNATURE_FAILURE',
      'CERT_CHAIN_TOO_LONG',
      'UNABLE_TO_GET_ISSUER_CERT',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
      'INVALID_CA',
      'INVALID_PURPOSE',
      'PATH_LENGTH_EXCEEDED',
      'HOSTNAME_MISMATCH',
    ],
    CONFIG,
  ),
]);

/** By the first word of a server error reply. MOVED, ASK, ERR and UNBLOCKED are parsed apart. */
export const BY_REPLY_PREFIX: ReadonlyMap<string, Rule> = new Map<string, Rule>([
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
export const ERR_REPLY_PREFIXES: readonly (readonly [string, Rule])[] = [
  // Sent on connect when maxclients is hit: the node is unusable, like a refused connection.
  ['ERR max number of clients reached', NOT_EXECUTED_CONNECTION],
  // Pre-ACL servers (Redis < 6) report a bad password this way instead of WRONGPASS.
  ['ERR invalid password', AUTH],
  ['ERR Client sent AUTH, but no password is set', AUTH],
  ['ERR AUTH ', AUTH],
];

/** Errors ioredis builds itself, by exact message. */
export const BY_IOREDIS_MESSAGE: ReadonlyMap<string, Rule> = new Map<string, Rule>([
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
export const BY_IOREDIS_PREFIX: readonly (readonly [string, Rule])[] = [
  // MaxRetriesPerRequestError flushes the command queue too, and ioredis keeps the commands
  // written on the dead socket there for resending: some of them may have run.
  ['Reached the max retries per request limit', MAYBE_SENT_CONNECTION],
  // socketTimeout destroys a socket that went silent with replies outstanding: a hung host.
  ['Socket timeout. ', MAYBE_SENT_TIMEOUT],
];
