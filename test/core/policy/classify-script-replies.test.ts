// An error reply to EVAL/EVALSHA/FCALL is the script's answer (issue 12, defect 2): never a node
// fault, never retried, whatever word it starts with. Redis's own replies before running the
// script (routing, state checks) keep their meaning. Property tests over arbitrary replies.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { ReplyError } from 'ioredis';
import { classifyFailure } from '../../../src/core/policy/classify-failure.js';
import { SCENARIO_TRAITS } from '../../../src/core/policy/failure-scenario.js';
import { isReplyBeforeScript } from '../../../src/core/policy/script-reply.js';

const RUNS = { numRuns: 3000 };
const SCRIPT_COMMANDS = ['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro'];
const CODES = [
  'TRYAGAIN',
  'BUSY',
  'CLUSTERDOWN',
  'READONLY',
  'LOADING',
  'MASTERDOWN',
  'MOVED',
  'ASK',
  'NOAUTH',
  'WRONGPASS',
  'NOPERM',
  'OOM',
  'ERR',
  'WRONGTYPE',
  'NOSCRIPT',
  'CROSSSLOT',
  'UNBLOCKED',
  'EXECABORT',
  'MYCODE',
];

/** A reply as ioredis rejects it: a ReplyError carrying the command it answered. */
function reply(message: string, command: string): Error {
  const error = new ReplyError(message) as Error & { command?: unknown };
  error.command = { name: command, args: [] };
  return error;
}

const casing = (name: string): fc.Arbitrary<string> =>
  fc
    .array(fc.boolean(), { minLength: name.length, maxLength: name.length })
    .map((up) => [...name].map((c, i) => (up[i] ? c.toUpperCase() : c)).join(''));
const scriptCommand = fc.constantFrom(...SCRIPT_COMMANDS).chain(casing);
/** What a script can answer: any code word and text, with or without the location Redis appends. */
const scriptReply = fc
  .tuple(fc.constantFrom(...CODES), fc.string({ maxLength: 40 }), fc.boolean())
  .map(([code, text, raised]) => `${code} ${text}${raised ? ' script: 4a1b, on @user_script:1.' : ''}`);

/** Texts redis-server sends before running a script (Redis 7.0 sources and captures). */
const REDIS_OWN: readonly [string, string][] = [
  ['MOVED 3999 127.0.0.1:7001', 'moved'],
  ['ASK 3999 127.0.0.1:7001', 'ask'],
  ['CLUSTERDOWN The cluster is down', 'clusterdown'],
  ['CLUSTERDOWN Hash slot not served', 'clusterdown'],
  ['TRYAGAIN Multiple keys request during rehashing of slot', 'tryagain'],
  ["READONLY You can't write against a read only replica.", 'readonly'],
  ['LOADING Redis is loading the dataset in memory', 'loading'],
  ['BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.', 'loading'],
  ['BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.', 'loading'],
  ["MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.", 'masterdown'],
  ['NOAUTH Authentication required.', 'auth'],
  ['NOSCRIPT No matching script. Please use EVAL.', 'command'],
];

describe('classifyFailure for script commands', () => {
  it('any error reply a script produces is its answer: command, executed, not counted, not retryable', () => {
    fc.assert(
      fc.property(scriptCommand, scriptReply, fc.boolean(), (command, message, viaContext) => {
        fc.pre(!isReplyBeforeScript(message));
        const found = viaContext
          ? classifyFailure(new ReplyError(message), { sent: true, command })
          : classifyFailure(reply(message, command), { sent: true });
        assert.deepEqual(
          { scenario: found.scenario, execution: found.execution, counts: found.countsAgainstBreaker, retryable: found.retryable },
          { scenario: 'command', execution: 'executed', counts: false, retryable: false },
          message,
        );
      }),
      RUNS,
    );
  });

  it('an error raised inside the script (location appended) is its own, except READONLY from a replica', () => {
    fc.assert(
      fc.property(fc.constantFrom(...REDIS_OWN.filter(([, s]) => s !== 'readonly')), scriptCommand, ([text], command) => {
        const raised = `${text} script: 6ed3c494, on @user_script:1.`;
        assert.equal(isReplyBeforeScript(raised), false);
        assert.equal(classifyFailure(reply(raised, command)).execution, 'executed');
      }),
      RUNS,
    );
  });

  it("Redis's own replies before the script runs keep their meaning, exactly as for any command", () => {
    fc.assert(
      fc.property(fc.constantFrom(...REDIS_OWN), scriptCommand, ([text, scenario], command) => {
        const asScript = classifyFailure(reply(text, command));
        const asGet = classifyFailure(reply(text, 'get'));
        assert.equal(asScript.scenario, scenario, text);
        assert.deepEqual(asScript, asGet, text);
        assert.notEqual(asScript.execution, 'executed');
      }),
      RUNS,
    );
  });

  it('READONLY raised inside a script on a replica: nothing was written, it is failover evidence and retryable', () => {
    fc.assert(
      fc.property(scriptCommand, fc.stringMatching(/^[0-9a-f]{8,40}$/), (command, sha) => {
        const found = classifyFailure(
          reply(`READONLY You can't write against a read only replica. script: ${sha}, on @user_script:1.`, command),
        );
        assert.equal(found.scenario, 'readonly');
        assert.equal(found.execution, 'not-executed');
        // A script's own READONLY-looking answer is not that text.
        assert.equal(classifyFailure(reply(`READONLY from the script ${sha}`, command)).scenario, 'command');
      }),
      RUNS,
    );
  });

  it('the examples from the issue: TRYAGAIN and BUSY from a script are neither retried nor a node fault', () => {
    for (const text of [
      'TRYAGAIN please retry',
      'BUSY not now',
      'CLUSTERDOWN fake',
      "READONLY You can't write against a read only replica",
    ]) {
      const found = classifyFailure(reply(text, 'eval'));
      assert.equal(found.scenario, 'command', text);
      assert.equal(found.execution, 'executed', text);
      assert.equal(found.countsAgainstBreaker, false, text);
      // The same text from an ordinary command is Redis's state, as before.
      assert.notEqual(classifyFailure(reply(text, 'get')).scenario, 'command', text);
    }
  });
});

describe('classifyFailure over arbitrary error replies', () => {
  const anyCommand = fc.oneof(
    scriptCommand,
    fc.constantFrom('get', 'set', 'incr', 'GET', 'cluster', 'nosuch'),
    fc.string({ maxLength: 8 }),
  );
  const anyReply = fc.oneof(scriptReply, fc.string({ maxLength: 60 }), fc.constantFrom(...REDIS_OWN.map(([t]) => t)));

  it('is total and consistent: a frozen class whose traits are its scenario’s', () => {
    fc.assert(
      fc.property(anyReply, anyCommand, fc.option(fc.boolean(), { nil: undefined }), (message, command, sent) => {
        const found = classifyFailure(reply(message, command), { sent });
        assert.ok(Object.isFrozen(found));
        assert.equal(found.countsAgainstBreaker, SCENARIO_TRAITS[found.scenario].countsAgainstBreaker);
        assert.equal(found.retryable, SCENARIO_TRAITS[found.scenario].retryable);
        // A reply is an answer: it never says the connection is broken.
        assert.notEqual(found.scenario, 'connection');
        assert.notEqual(found.scenario, 'timeout');
      }),
      RUNS,
    );
  });

  it('a reply that may come from a script after it wrote is never both retryable and executed', () => {
    fc.assert(
      fc.property(anyReply, anyCommand, (message, command) => {
        const found = classifyFailure(reply(message, command));
        if (found.execution !== 'not-executed') assert.equal(found.retryable && found.execution === 'executed', false);
      }),
      RUNS,
    );
  });
});
