import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import net from 'node:net';
import { ReplyError } from 'ioredis';
import { classifyFailure } from '../../../src/core/policy/classify-failure.js';
import {
  FAILURE_SCENARIOS,
  SCENARIO_TRAITS,
  type Execution,
  type FailureClass,
  type FailureScenario,
  type Redirect,
} from '../../../src/core/policy/failure-scenario.js';

// The error classes ioredis 6 really rejects with. Its RESP decoder builds SimpleError (a
// ReplyError whose name is 'ReplyError'); the others are not re-exported from its index.
type ErrorClass<A extends unknown[] = [string]> = new (...args: A) => Error;
const require = createRequire(import.meta.url);
const { SimpleError } = require('ioredis/built/resp/errors.js') as { SimpleError: ErrorClass };
const { MaxRetriesPerRequestError } = require('ioredis/built/errors/index.js') as {
  MaxRetriesPerRequestError: ErrorClass<[number]>;
};
const ClusterAllFailedError = (require('ioredis/built/errors/ClusterAllFailedError.js') as { default: ErrorClass<[string, Error?]> })
  .default;
const { AbortError } = require('redis-errors') as { AbortError: ErrorClass };
const Reply = ReplyError as ErrorClass;

/** The DESIGN §3 table, restated here so a change to the implementation's copy is caught. */
const DESIGN_TRAITS: Record<FailureScenario, { counts: boolean; retryable: boolean }> = {
  moved: { counts: false, retryable: true },
  ask: { counts: false, retryable: true },
  tryagain: { counts: false, retryable: true },
  clusterdown: { counts: false, retryable: true },
  readonly: { counts: true, retryable: true },
  loading: { counts: true, retryable: true },
  masterdown: { counts: true, retryable: true },
  connection: { counts: true, retryable: true },
  timeout: { counts: true, retryable: true },
  auth: { counts: false, retryable: false },
  config: { counts: false, retryable: false },
  command: { counts: false, retryable: false },
  'circuit-open': { counts: false, retryable: false },
  overloaded: { counts: false, retryable: false },
  closed: { counts: false, retryable: false },
};

/** A Node system error as net/dns/tls build it: code, errno, syscall, message `syscall CODE`. */
function systemError(code: string, syscall: string, errno = -1): Error {
  return Object.assign(new Error(`${syscall} ${code}`), { code, errno, syscall });
}

function ownError(code: string): Error {
  return Object.assign(new Error(`our ${code}`), { code });
}

interface Case {
  readonly title: string;
  readonly error: unknown;
  readonly sent?: boolean;
  readonly scenario: FailureScenario;
  readonly execution: Execution;
  readonly redirect?: Redirect;
}

// A table of cases, one row per case.
// prettier-ignore
const REPLY_CASES: Case[] = [
  { title: 'MOVED to an IPv4 node', error: new Reply('MOVED 3999 127.0.0.1:6381'), scenario: 'moved', execution: 'not-executed', redirect: { slot: 3999, host: '127.0.0.1', port: 6381 } },
  { title: 'MOVED to a hostname (cluster with TLS)', error: new Reply('MOVED 16383 node-0002-001.cache.example.com:6380'), scenario: 'moved', execution: 'not-executed', redirect: { slot: 16383, host: 'node-0002-001.cache.example.com', port: 6380 } },
  { title: 'MOVED with an empty host (same node)', error: new Reply('MOVED 123 :6379'), scenario: 'moved', execution: 'not-executed', redirect: { slot: 123, host: '', port: 6379 } },
  { title: 'MOVED to bare IPv6', error: new Reply('MOVED 0 ::1:7000'), scenario: 'moved', execution: 'not-executed', redirect: { slot: 0, host: '::1', port: 7000 } },
  { title: 'MOVED to bracketed IPv6', error: new Reply('MOVED 7 [fe80::1]:7001'), scenario: 'moved', execution: 'not-executed', redirect: { slot: 7, host: 'fe80::1', port: 7001 } },
  { title: 'MOVED from the RESP decoder (SimpleError)', error: new SimpleError('MOVED 5 10.0.0.9:6379'), scenario: 'moved', execution: 'not-executed', redirect: { slot: 5, host: '10.0.0.9', port: 6379 } },
  { title: 'ASK during migration', error: new Reply('ASK 3999 127.0.0.1:6382'), scenario: 'ask', execution: 'not-executed', redirect: { slot: 3999, host: '127.0.0.1', port: 6382 } },
  { title: 'TRYAGAIN', error: new Reply('TRYAGAIN Multiple keys request during rehashing of slot'), scenario: 'tryagain', execution: 'not-executed' },
  { title: 'CLUSTERDOWN, cluster down', error: new Reply('CLUSTERDOWN The cluster is down'), scenario: 'clusterdown', execution: 'not-executed' },
  { title: 'CLUSTERDOWN, slot not served', error: new Reply('CLUSTERDOWN Hash slot not served'), scenario: 'clusterdown', execution: 'not-executed' },
  { title: 'READONLY after failover', error: new Reply("READONLY You can't write against a read only replica."), scenario: 'readonly', execution: 'not-executed' },
  { title: 'READONLY from a script on a replica', error: new Reply("READONLY You can't write against a read only replica. script: 9a1b, on @user_script:1."), scenario: 'readonly', execution: 'not-executed' },
  { title: 'UNBLOCKED by a role change', error: new Reply('UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)'), scenario: 'readonly', execution: 'not-executed' },
  { title: 'LOADING', error: new Reply('LOADING Redis is loading the dataset in memory'), scenario: 'loading', execution: 'not-executed' },
  { title: 'BUSY script', error: new Reply('BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.'), scenario: 'loading', execution: 'not-executed' },
  { title: 'MASTERDOWN', error: new Reply("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."), scenario: 'masterdown', execution: 'not-executed' },
  { title: 'ERR max number of clients', error: new Reply('ERR max number of clients reached'), scenario: 'connection', execution: 'not-executed' },
  { title: 'NOAUTH', error: new Reply('NOAUTH Authentication required.'), scenario: 'auth', execution: 'not-executed' },
  { title: 'WRONGPASS', error: new Reply('WRONGPASS invalid username-password pair or user is disabled.'), scenario: 'auth', execution: 'not-executed' },
  { title: 'NOPERM', error: new Reply("NOPERM User app has no permissions to run the 'flushall' command"), scenario: 'auth', execution: 'not-executed' },
  { title: 'pre-ACL bad password', error: new Reply('ERR invalid password'), scenario: 'auth', execution: 'not-executed' },
  { title: 'NOPROTO', error: new Reply('NOPROTO sorry, this protocol version is not supported.'), scenario: 'config', execution: 'not-executed' },
  { title: 'WRONGTYPE', error: new Reply('WRONGTYPE Operation against a key holding the wrong kind of value'), scenario: 'command', execution: 'not-executed' },
  { title: 'syntax error', error: new Reply('ERR syntax error'), scenario: 'command', execution: 'not-executed' },
  { title: 'unknown command', error: new Reply("ERR unknown command 'FOO', with args beginning with: "), scenario: 'command', execution: 'not-executed' },
  { title: 'wrong arity', error: new Reply("ERR wrong number of arguments for 'get' command"), scenario: 'command', execution: 'not-executed' },
  { title: 'not an integer', error: new Reply('ERR value is not an integer or out of range'), scenario: 'command', execution: 'not-executed' },
  { title: 'NOSCRIPT', error: new Reply('NOSCRIPT No matching script. Please use EVAL.'), scenario: 'command', execution: 'not-executed' },
  { title: 'Redis 6 script error', error: new Reply('ERR Error running script (call to f_3c9a): @user_script:1: attempt to call a nil value'), scenario: 'command', execution: 'executed' },
  { title: 'Redis 7 script error', error: new Reply("ERR user_script:1: Script attempted to access nonexistent global variable 'x' script: 3c9a, on @user_script:1."), scenario: 'command', execution: 'executed' },
  { title: 'WRONGTYPE raised inside a script', error: new Reply('WRONGTYPE Operation against a key holding the wrong kind of value script: 3c9a, on @user_script:1.'), scenario: 'command', execution: 'executed' },
  { title: 'OOM', error: new Reply("OOM command not allowed when used memory > 'maxmemory'."), scenario: 'command', execution: 'not-executed' },
  { title: 'EXECABORT', error: new Reply('EXECABORT Transaction discarded because of previous errors.'), scenario: 'command', execution: 'not-executed' },
  { title: 'CROSSSLOT', error: new Reply("CROSSSLOT Keys in request don't hash to the same slot"), scenario: 'command', execution: 'not-executed' },
  { title: 'UNBLOCKED by CLIENT UNBLOCK', error: new Reply('UNBLOCKED client unblocked via CLIENT UNBLOCK'), scenario: 'command', execution: 'not-executed' },
  { title: 'unrecognised reply (BUSYKEY)', error: new Reply('BUSYKEY Target key name already exists.'), scenario: 'command', execution: 'unknown' },
  { title: 'unrecognised reply (MISCONF)', error: new Reply('MISCONF Redis is configured to save RDB snapshots, but it is currently unable to persist to disk.'), scenario: 'command', execution: 'unknown' },
  { title: "a script's own error_reply", error: new Reply('MYAPP quota exceeded'), scenario: 'command', execution: 'unknown' },
  // A reply error is proof the server answered, whatever the caller believes was sent.
  { title: 'reply errors ignore context', error: new Reply('LOADING Redis is loading the dataset in memory'), sent: false, scenario: 'loading', execution: 'not-executed' },
];

// A table of cases, one row per case.
// prettier-ignore
const IOREDIS_CASES: Case[] = [
  { title: 'commandTimeout, sent unknown', error: new Error('Command timed out'), scenario: 'timeout', execution: 'unknown' },
  { title: 'commandTimeout, written', error: new Error('Command timed out'), sent: true, scenario: 'timeout', execution: 'unknown' },
  { title: 'commandTimeout, still queued', error: new Error('Command timed out'), sent: false, scenario: 'timeout', execution: 'not-executed' },
  { title: 'Connection is closed, sent unknown', error: new Error('Connection is closed.'), scenario: 'connection', execution: 'unknown' },
  { title: 'Connection is closed, written', error: new Error('Connection is closed.'), sent: true, scenario: 'connection', execution: 'unknown' },
  { title: 'Connection is closed, never written', error: new Error('Connection is closed.'), sent: false, scenario: 'connection', execution: 'not-executed' },
  { title: 'offline queue disabled', error: new Error("Stream isn't writeable and enableOfflineQueue options is false"), sent: true, scenario: 'connection', execution: 'not-executed' },
  { title: 'cluster offline queue disabled', error: new Error("Cluster isn't ready and enableOfflineQueue options is false"), scenario: 'connection', execution: 'not-executed' },
  { title: 'max retries per request', error: new MaxRetriesPerRequestError(20), scenario: 'connection', execution: 'unknown' },
  { title: 'max retries per request, never written', error: new MaxRetriesPerRequestError(1), sent: false, scenario: 'connection', execution: 'not-executed' },
  { title: 'aborted pipeline tail', error: new AbortError('Command aborted due to connection close'), sent: false, scenario: 'connection', execution: 'unknown' },
  { title: 'slots refresh failed everywhere', error: new ClusterAllFailedError('Failed to refresh slots cache.', new Error('Connection is closed.')), scenario: 'connection', execution: 'not-executed' },
  { title: 'no startup node', error: new Error('None of startup nodes is available'), scenario: 'connection', execution: 'not-executed' },
  { title: 'socketTimeout', error: new Error("Socket timeout. Expecting data, but didn't receive any in 5000ms."), scenario: 'timeout', execution: 'unknown' },
  { title: 'connectTimeout', error: Object.assign(new Error('connect ETIMEDOUT'), { errorno: 'ETIMEDOUT', code: 'ETIMEDOUT', syscall: 'connect' }), scenario: 'connection', execution: 'not-executed' },
  { title: 'cluster ended', error: new AbortError('Cluster is ended.'), scenario: 'closed', execution: 'not-executed' },
  { title: 'subscriber mode misuse', error: new Error('Connection in subscriber mode, only subscriber commands may be used'), scenario: 'command', execution: 'not-executed' },
  { title: 'pipeline across slots', error: new Error('All the keys in a pipeline command should belong to the same slot'), scenario: 'command', execution: 'not-executed' },
  { title: 'redirections exhausted on CLUSTERDOWN', error: new Error(`Too many Cluster redirections. Last error: ${String(new Reply('CLUSTERDOWN The cluster is down'))}`), scenario: 'clusterdown', execution: 'not-executed' },
  { title: 'redirections exhausted on MOVED', error: new Error(`Too many Cluster redirections. Last error: ${String(new Reply('MOVED 9 10.0.0.2:6379'))}`), scenario: 'moved', execution: 'not-executed', redirect: { slot: 9, host: '10.0.0.2', port: 6379 } },
  { title: 'redirections exhausted on a closed connection', error: new Error(`Too many Cluster redirections. Last error: ${String(new Error('Connection is closed.'))}`), scenario: 'connection', execution: 'unknown' },
];

// A table of cases, one row per case.
// prettier-ignore
const SYSTEM_CASES: Case[] = [
  { title: 'ECONNREFUSED', error: Object.assign(systemError('ECONNREFUSED', 'connect', -111), { address: '127.0.0.1', port: 6379 }), scenario: 'connection', execution: 'not-executed' },
  { title: 'EHOSTUNREACH', error: systemError('EHOSTUNREACH', 'connect', -113), scenario: 'connection', execution: 'not-executed' },
  { title: 'ENETUNREACH', error: systemError('ENETUNREACH', 'connect', -101), scenario: 'connection', execution: 'not-executed' },
  { title: 'ENOTFOUND', error: Object.assign(systemError('ENOTFOUND', 'getaddrinfo', -3008), { hostname: 'redis.test' }), scenario: 'connection', execution: 'not-executed' },
  { title: 'EAI_AGAIN', error: systemError('EAI_AGAIN', 'getaddrinfo', -3001), scenario: 'connection', execution: 'not-executed' },
  { title: 'ECONNREFUSED even if the caller thinks it was sent', error: systemError('ECONNREFUSED', 'connect', -111), sent: true, scenario: 'connection', execution: 'not-executed' },
  { title: 'ECONNRESET mid-stream', error: systemError('ECONNRESET', 'read', -104), scenario: 'connection', execution: 'unknown' },
  { title: 'ECONNRESET before writing', error: systemError('ECONNRESET', 'read', -104), sent: false, scenario: 'connection', execution: 'not-executed' },
  { title: 'EPIPE', error: systemError('EPIPE', 'write', -32), scenario: 'connection', execution: 'unknown' },
  { title: 'ETIMEDOUT on an open socket', error: systemError('ETIMEDOUT', 'read', -110), scenario: 'connection', execution: 'unknown' },
  { title: 'TLS hostname mismatch', error: Object.assign(new Error("Hostname/IP does not match certificate's altnames"), { code: 'ERR_TLS_CERT_ALTNAME_INVALID', reason: 'Host: redis.test. is not cert', host: 'redis.test' }), scenario: 'config', execution: 'not-executed' },
  ...['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'SELF_SIGNED_CERT_IN_CHAIN'].map(
    (code): Case => ({ title: code, error: Object.assign(new Error(code.toLowerCase()), { code }), scenario: 'config', execution: 'not-executed' }),
  ),
  { title: 'ERR_SSL_* (TLS to a plain port)', error: Object.assign(new Error('wrong version number'), { code: 'ERR_SSL_WRONG_VERSION_NUMBER', library: 'SSL routines' }), scenario: 'config', execution: 'not-executed' },
  { title: 'other ERR_TLS_*', error: Object.assign(new Error('renegotiation'), { code: 'ERR_TLS_RENEGOTIATION_DISABLED' }), scenario: 'config', execution: 'not-executed' },
  { title: 'TLS handshake timeout is the network', error: Object.assign(new Error('TLS handshake timeout'), { code: 'ERR_TLS_HANDSHAKE_TIMEOUT' }), scenario: 'connection', execution: 'not-executed' },
];

// A table of cases, one row per case.
// prettier-ignore
const OWN_CASES: Case[] = [
  { title: 'our breaker', error: ownError('ERR_CIRCUIT_OPEN'), scenario: 'circuit-open', execution: 'not-executed' },
  { title: 'our queue', error: ownError('ERR_QUEUE_FULL'), scenario: 'overloaded', execution: 'not-executed' },
  { title: 'our close', error: ownError('ERR_CLIENT_CLOSED'), scenario: 'closed', execution: 'not-executed' },
  { title: 'our attempt timeout', error: ownError('ERR_COMMAND_TIMEOUT'), scenario: 'timeout', execution: 'unknown' },
  { title: 'our attempt timeout while queued', error: ownError('ERR_COMMAND_TIMEOUT'), sent: false, scenario: 'timeout', execution: 'not-executed' },
  { title: 'wrapper: cause decides', error: Object.assign(new Error('gave up', { cause: new Reply("READONLY You can't write against a read only replica.") }), { code: 'ERR_RETRIES_EXHAUSTED' }), scenario: 'readonly', execution: 'not-executed' },
  { title: 'wrapper two levels deep', error: new Error('outer', { cause: new Error('middle', { cause: new Error('Command timed out') }) }), scenario: 'timeout', execution: 'unknown' },
  { title: 'the error itself before its cause', error: Object.assign(new Error('open', { cause: systemError('ECONNREFUSED', 'connect') }), { code: 'ERR_CIRCUIT_OPEN' }), scenario: 'circuit-open', execution: 'not-executed' },
  { title: 'unrecognised error', error: new Error('something odd happened'), scenario: 'connection', execution: 'unknown' },
  { title: 'unrecognised error, never written', error: new Error('something odd happened'), sent: false, scenario: 'connection', execution: 'not-executed' },
  { title: 'unrecognised code', error: systemError('EWHATEVER', 'read'), scenario: 'connection', execution: 'unknown' },
  { title: 'TypeError from a bad argument', error: new TypeError('Invalid argument'), scenario: 'command', execution: 'not-executed' },
  { title: 'RangeError', error: new RangeError('out of range'), scenario: 'command', execution: 'not-executed' },
  { title: 'a thrown string', error: 'boom', scenario: 'connection', execution: 'unknown' },
  { title: 'undefined', error: undefined, scenario: 'connection', execution: 'unknown' },
  { title: 'null', error: null, scenario: 'connection', execution: 'unknown' },
  { title: 'an object without message', error: { foo: 1 }, scenario: 'connection', execution: 'unknown' },
];

const ALL_CASES = [...REPLY_CASES, ...IOREDIS_CASES, ...SYSTEM_CASES, ...OWN_CASES];

function check(found: FailureClass, expected: Case): void {
  const traits = DESIGN_TRAITS[expected.scenario];
  assert.equal(found.scenario, expected.scenario, 'scenario');
  assert.equal(found.execution, expected.execution, 'execution');
  assert.equal(found.countsAgainstBreaker, traits.counts, 'countsAgainstBreaker');
  assert.equal(found.retryable, traits.retryable, 'retryable');
  assert.deepEqual(found.redirect, expected.redirect, 'redirect');
}

describe('classifyFailure', () => {
  for (const [group, cases] of [
    ['server replies', REPLY_CASES],
    ['ioredis errors', IOREDIS_CASES],
    ['socket, DNS and TLS errors', SYSTEM_CASES],
    ['our own errors, causes and fallbacks', OWN_CASES],
  ] as const) {
    describe(group, () => {
      for (const c of cases) {
        it(`${c.title}${c.sent === undefined ? '' : ` (sent: ${c.sent})`}`, () => {
          check(classifyFailure(c.error, c.sent === undefined ? undefined : { sent: c.sent }), c);
        });
      }
    });
  }

  it('produces every scenario of the DESIGN table somewhere above', () => {
    const seen = new Set(ALL_CASES.map((c) => c.scenario));
    assert.deepEqual(
      [...FAILURE_SCENARIOS].filter((s) => !seen.has(s)),
      [],
    );
  });

  it('never lets a user error count against the breaker or be retried', () => {
    for (const c of ALL_CASES) {
      const found = classifyFailure(c.error, { sent: c.sent });
      if (found.scenario === 'command') assert.ok(!found.countsAgainstBreaker && !found.retryable, c.title);
    }
  });

  it('classifies a real ECONNREFUSED from the net module', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const error = await new Promise<Error>((resolve) => {
      net.connect(port, '127.0.0.1').once('error', resolve);
    });
    assert.equal((error as NodeJS.ErrnoException).code, 'ECONNREFUSED');
    check(classifyFailure(error), { title: 'real', error, scenario: 'connection', execution: 'not-executed' });
  });

  it('returns shared frozen values, allocating only for redirects', () => {
    const a = classifyFailure(new Reply('LOADING Redis is loading the dataset in memory'));
    const b = classifyFailure(new Reply('LOADING Redis is loading the dataset in memory'));
    assert.equal(a, b);
    assert.ok(Object.isFrozen(a));
    const moved = classifyFailure(new Reply('MOVED 1 10.0.0.1:6379'));
    assert.ok(Object.isFrozen(moved));
  });

  it('stops on a cause cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.assign(a, { cause: b });
    assert.equal(classifyFailure(a).scenario, 'connection');
  });

  it('keeps the scenario but drops a redirect it cannot parse', () => {
    for (const message of [
      'MOVED __proto__ 1.2.3.4:6379',
      'MOVED 16384 h:1',
      'MOVED 1 h:0',
      'MOVED 1 h:65536',
      'MOVED 1 h',
      'MOVED 1',
      'MOVED',
      'MOVED -1 h:1',
      'MOVED 1 h:',
    ]) {
      const found = classifyFailure(new Reply(message));
      assert.equal(found.scenario, 'moved', message);
      assert.equal(found.redirect, undefined, message);
    }
    assert.equal(classifyFailure(new Reply('ASK x h:1')).scenario, 'ask');
  });
});

describe('redirect targets', () => {
  it('parses the target of MOVED and ASK into the class', () => {
    assert.deepEqual(classifyFailure(new Reply('MOVED 3999 127.0.0.1:6381')).redirect, { slot: 3999, host: '127.0.0.1', port: 6381 });
    assert.deepEqual(classifyFailure(new Reply('ASK 0 :6379')).redirect, { slot: 0, host: '', port: 6379 });
    assert.equal(classifyFailure(new Reply('MOVED 3999')).redirect, undefined);
  });
});

describe('failure scenarios', () => {
  it('the traits table matches the DESIGN table', () => {
    for (const scenario of FAILURE_SCENARIOS) {
      const { counts, retryable } = DESIGN_TRAITS[scenario];
      assert.deepEqual(SCENARIO_TRAITS[scenario], { countsAgainstBreaker: counts, retryable }, scenario);
    }
    assert.equal(Object.keys(SCENARIO_TRAITS).length, FAILURE_SCENARIOS.length);
  });
});
