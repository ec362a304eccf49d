// classifyFailure is only as good as its knowledge of the errors ioredis really produces. Each
// error here is captured from plain ioredis against a real redis-server in the scenario it
// names, then classified: scenario, whether it ran, whether it counts against the breaker.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis, ReplyError, type RedisOptions } from 'ioredis';
import { classifyFailure, type FailureClass } from '../../src/index.js';
import { type ClusterLab, type RedisNode, createLab, slotOfKey, waitFor } from '../support/lab.js';
import { allocatePort, releasePort } from '../support/ports.js';

type Expected = Pick<FailureClass, 'scenario' | 'execution' | 'countsAgainstBreaker'>;

/** Resolves with what `work` rejected with; fails the test if it resolved. */
async function failureOf(work: Promise<unknown>): Promise<Error> {
  return work.then(
    (value) => assert.fail(`expected a failure, got ${JSON.stringify(value)}`),
    (error: unknown) => {
      assert.ok(error instanceof Error, `an Error, got ${String(error)}`);
      return error;
    },
  );
}

function assertClass(error: Error, expected: Expected, pattern: RegExp): FailureClass {
  assert.match(`${error.name}: ${error.message}`, pattern, 'captured the error the scenario names');
  const found = classifyFailure(error);
  assert.deepEqual(
    { scenario: found.scenario, execution: found.execution, countsAgainstBreaker: found.countsAgainstBreaker },
    expected,
    `${error.name}: ${error.message}`,
  );
  return found;
}

const idOf = async (n: RedisNode): Promise<string> => String(await n.command('CLUSTER', 'MYID'));

const userError: Expected = { scenario: 'command', execution: 'not-executed', countsAgainstBreaker: false };
const authError: Expected = { scenario: 'auth', execution: 'not-executed', countsAgainstBreaker: false };

describe('classifyFailure on real ioredis errors', { timeout: 90_000 }, () => {
  const lab = createLab();
  let node: RedisNode;
  let plain: Redis;
  const client = (options: RedisOptions): Redis => lab.client({ maxRetriesPerRequest: 0, ...options });

  before(async () => {
    node = await lab.standalone();
    plain = client(node.clientOptions());
    await plain.rpush('cre:list', 'a');
  });
  after(() => lab.teardown());

  test('user errors: WRONGTYPE, syntax, arity, unknown command, NOSCRIPT, EXECABORT, OOM', { timeout: 10_000 }, async () => {
    assertClass(await failureOf(plain.get('cre:list')), userError, /^ReplyError: WRONGTYPE/);
    assertClass(await failureOf(plain.call('SET', 'cre:k', 'v', 'XX', 'NX')), userError, /^ReplyError: ERR syntax error/);
    assertClass(await failureOf(plain.call('SET', 'cre:k')), userError, /^ReplyError: ERR wrong number of arguments/);
    assertClass(await failureOf(plain.call('NOSUCHCOMMAND', 'x')), userError, /^ReplyError: ERR unknown command/);
    assertClass(await failureOf(plain.evalsha('0123456789abcdef0123456789abcdef01234567', 0)), userError, /^ReplyError: NOSCRIPT/);
    assertClass(await failureOf(plain.multi().set('cre:m', '1').call('SET', 'cre:m').exec()), userError, /^ReplyError: EXECABORT/);
    const oomNode = await lab.standalone({ extraConfig: { maxmemory: '1', 'maxmemory-policy': 'noeviction' } });
    const oom = client(oomNode.clientOptions());
    assertClass(await failureOf(oom.set('cre:oom', 'x')), userError, /^ReplyError: OOM command not allowed/);
  });

  test('script errors ran on the server: executed, never retried', { timeout: 10_000 }, async () => {
    const executed: Expected = { scenario: 'command', execution: 'executed', countsAgainstBreaker: false };
    // A failing call inside a script, after an earlier write in it that stays applied.
    assertClass(
      await failureOf(
        plain.eval("redis.call('SET', KEYS[2], 'x'); return redis.call('INCR', KEYS[1])", 2, 'cre:list', 'cre:script-side-effect'),
      ),
      executed,
      /^ReplyError: WRONGTYPE .*script/,
    );
    assert.equal(await plain.get('cre:script-side-effect'), 'x', 'the earlier write in the script was applied');
    assertClass(await failureOf(plain.eval("error('boom')", 0)), executed, /^ReplyError: ERR user_script:1: .*boom/);
  });

  test(
    "a script's error reply is passed verbatim: its answer, executed, whatever code word it starts with",
    { timeout: 10_000 },
    async () => {
      const executed: Expected = { scenario: 'command', execution: 'executed', countsAgainstBreaker: false };
      for (const word of ['TRYAGAIN', 'BUSY', 'CLUSTERDOWN', 'READONLY', 'LOADING', 'MASTERDOWN', 'MOVED 1 127.0.0.1:1']) {
        const script = `redis.call('INCR', KEYS[1]); return redis.error_reply('${word} from the script')`;
        const error = await failureOf(plain.eval(script, 1, 'cre:script-counter'));
        assertClass(error, executed, new RegExp(`^ReplyError: ${word} from the script$`));
      }
      // The same through error() with a table: Redis appends the script location.
      assertClass(await failureOf(plain.eval("error({err = 'TRYAGAIN raised'})", 0)), executed, /^ReplyError: TRYAGAIN raised script: /);
      assertClass(await failureOf(plain.fcall('cre-no-such-function', 0)), userError, /^ReplyError: ERR Function not found/);
      assert.equal(await plain.get('cre:script-counter'), '7', 'every script ran its INCR before answering with an error');
    },
  );

  test('auth: NOAUTH, WRONGPASS, NOPERM', { timeout: 10_000 }, async () => {
    const secured = await lab.standalone({ password: 'lab-secret' });
    const anonymous = client({ ...secured.clientOptions(), password: undefined, enableReadyCheck: false });
    assertClass(await failureOf(anonymous.get('k')), authError, /^ReplyError: NOAUTH/);
    // A wrong password fails the connection handshake: ioredis reports it as an 'error' event.
    const wrong = client({ ...secured.clientOptions(), password: 'wrong-password', lazyConnect: true, retryStrategy: () => null });
    const handshake: Error[] = [];
    wrong.on('error', (e: Error) => handshake.push(e));
    await wrong.connect().catch(() => undefined);
    const wrongpass = handshake.find((e) => /WRONGPASS/.test(e.message));
    assert.ok(wrongpass, `a WRONGPASS error event (${handshake.map(String).join('; ')})`);
    assertClass(wrongpass, authError, /^ReplyError: WRONGPASS/);
    const admin = client(secured.clientOptions());
    await admin.call('ACL', 'SETUSER', 'reader', 'on', '>reader-pw', '~*', '+get');
    const reader = client({ ...secured.clientOptions(), username: 'reader', password: 'reader-pw' });
    assertClass(await failureOf(reader.set('k', 'v')), authError, /^ReplyError: NOPERM/);
  });

  test('READONLY from a replica; MASTERDOWN from a replica that lost its primary', { timeout: 15_000 }, async () => {
    const replica = await lab.standalone({ extraConfig: { 'replica-serve-stale-data': 'no' } });
    await replica.command('REPLICAOF', node.host, node.port);
    await waitFor(async () => (await replica.info('replication')).master_link_status === 'up', {
      timeoutMs: 5000,
      what: 'replica link up',
    });
    const toReplica = client(replica.clientOptions());
    assertClass(
      await failureOf(toReplica.set('cre:k', 'v')),
      { scenario: 'readonly', execution: 'not-executed', countsAgainstBreaker: true },
      /^ReplyError: READONLY/,
    );
    // An EVAL that reaches a replica (a demoted primary) runs and meets READONLY at its first
    // write; a replica refuses every write, so nothing ran: failover evidence, retryable.
    assertClass(
      await failureOf(toReplica.eval("redis.call('INCR', KEYS[1]); return 1", 1, 'cre:k')),
      { scenario: 'readonly', execution: 'not-executed', countsAgainstBreaker: true },
      /^ReplyError: READONLY You can't write against a read only replica\. script: /,
    );
    // Point it at a port where nothing listens: its link goes down and stale reads are refused.
    const dead = await allocatePort({ hosts: ['127.0.0.1'] });
    lab.defer(() => releasePort(dead));
    await replica.command('REPLICAOF', '127.0.0.1', dead);
    assertClass(
      await failureOf(toReplica.get('cre:k')),
      { scenario: 'masterdown', execution: 'not-executed', countsAgainstBreaker: true },
      /^ReplyError: MASTERDOWN/,
    );
  });

  test('BUSY while a script runs past busy-reply-threshold; LOADING while a dataset loads', { timeout: 20_000 }, async () => {
    const busyNode = await lab.standalone({ extraConfig: { 'busy-reply-threshold': '100' } });
    const runner = client({ ...busyNode.clientOptions(), commandTimeout: undefined });
    const other = client(busyNode.clientOptions());
    await other.ping();
    const endless = runner.eval('while true do end', 0).catch(() => undefined);
    const busy = await waitFor(
      () =>
        other.ping().then(
          () => undefined,
          (e: Error) => (e.message.startsWith('BUSY') ? e : undefined),
        ),
      {
        timeoutMs: 5000,
        what: 'BUSY reply',
      },
    );
    assertClass(busy, { scenario: 'loading', execution: 'not-executed', countsAgainstBreaker: true }, /^ReplyError: BUSY/);
    // A script sent while another one runs is refused before it starts: Redis's own BUSY, not
    // the script's answer, so it still means "node busy, nothing ran".
    const busyEval = await failureOf(other.eval("return redis.call('INCR', KEYS[1])", 1, 'cre:busy-eval'));
    assertClass(
      busyEval,
      { scenario: 'loading', execution: 'not-executed', countsAgainstBreaker: true },
      /^ReplyError: BUSY Redis is busy running a script/,
    );
    await other.call('SCRIPT', 'KILL');
    await endless;

    // LOADING: DEBUG RELOAD with a slow per-key load; the server answers other clients while loading.
    const loadNode = await lab.standalone({ extraConfig: { 'key-load-delay': '50', 'loading-process-events-interval-bytes': '1024' } });
    const loader = client({ ...loadNode.clientOptions(), commandTimeout: undefined });
    const prober = client({ ...loadNode.clientOptions(), enableReadyCheck: false });
    await loader.call('DEBUG', 'POPULATE', '20000', 'cre');
    await prober.ping();
    const reload = loader.call('DEBUG', 'RELOAD').catch(() => undefined);
    const loading = await waitFor(
      () =>
        prober.get('cre:1').then(
          () => undefined,
          (e: Error) => (e.message.startsWith('LOADING') ? e : undefined),
        ),
      {
        timeoutMs: 8000,
        intervalMs: 5,
        what: 'LOADING reply',
      },
    );
    assertClass(loading, { scenario: 'loading', execution: 'not-executed', countsAgainstBreaker: true }, /^ReplyError: LOADING/);
    await reload;
  });

  test('cluster: MOVED, ASK and TRYAGAIN from a real cluster; CLUSTERDOWN from a node with no slots', { timeout: 40_000 }, async () => {
    const cluster: ClusterLab = await lab.cluster({ primaries: 3, replicasPerPrimary: 0 });
    const [a, b] = await cluster.primaries();
    const key = await cluster.keyForNode(b!, 'moved');
    // Plain `new Redis` (not Cluster) to the wrong node: ioredis does not follow the redirect.
    const toA = client(a!.clientOptions());
    const moved = assertClass(
      await failureOf(toA.get(key)),
      { scenario: 'moved', execution: 'not-executed', countsAgainstBreaker: false },
      /^ReplyError: MOVED /,
    );
    assert.deepEqual(moved.redirect, { slot: slotOfKey(key), host: b!.host, port: b!.port });

    // A slot of A migrating to B: a missing key answers ASK, a multi-key command TRYAGAIN.
    const [askKey] = await cluster.keysForShard(a!, 1, 'ask');
    const slot = slotOfKey(askKey!);
    const tag = askKey!.slice(askKey!.indexOf('{'), askKey!.indexOf('}') + 1);
    // Written before the migration starts: a new key in a migrating slot would itself get ASK.
    await toA.set(`${tag}:present`, '1');
    const [idA, idB] = [await idOf(a!), await idOf(b!)];
    await b!.command('CLUSTER', 'SETSLOT', slot, 'IMPORTING', idA);
    await a!.command('CLUSTER', 'SETSLOT', slot, 'MIGRATING', idB);
    try {
      const ask = assertClass(
        await failureOf(toA.get(askKey!)),
        { scenario: 'ask', execution: 'not-executed', countsAgainstBreaker: false },
        /^ReplyError: ASK /,
      );
      assert.deepEqual(ask.redirect, { slot, host: b!.host, port: b!.port });
      assertClass(
        await failureOf(toA.mget(`${tag}:present`, `${tag}:absent`)),
        { scenario: 'tryagain', execution: 'not-executed', countsAgainstBreaker: false },
        /^ReplyError: TRYAGAIN/,
      );
    } finally {
      await a!.command('CLUSTER', 'SETSLOT', slot, 'STABLE');
      await b!.command('CLUSTER', 'SETSLOT', slot, 'STABLE');
    }

    const lonely = await lab.node({ cluster: {}, label: 'no-slots' });
    const toLonely = client(lonely.clientOptions());
    assertClass(
      await failureOf(toLonely.get('k')),
      // Cluster-wide, not this node's fault: retried within the deadline, never counted.
      { scenario: 'clusterdown', execution: 'not-executed', countsAgainstBreaker: false },
      /^ReplyError: CLUSTERDOWN/,
    );
  });

  test('transport: ECONNREFUSED, "Command timed out", "Connection is closed."', { timeout: 15_000 }, async () => {
    const port = await allocatePort({ hosts: ['127.0.0.1'] });
    lab.defer(() => releasePort(port));
    const refused = client({ host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => null });
    const errors: Error[] = [];
    refused.on('error', (e: Error) => errors.push(e));
    await refused.connect().catch(() => undefined);
    const econnrefused = errors.find((e) => (e as { code?: string }).code === 'ECONNREFUSED');
    assert.ok(econnrefused, `an ECONNREFUSED error event (${errors.map(String).join('; ')})`);
    assertClass(econnrefused, { scenario: 'connection', execution: 'not-executed', countsAgainstBreaker: true }, /ECONNREFUSED/);

    const slow = client({ ...node.clientOptions(), commandTimeout: 100 });
    await slow.ping();
    const sleeper = client({ ...node.clientOptions(), commandTimeout: undefined });
    await sleeper.ping();
    const sleeping = sleeper.call('DEBUG', 'SLEEP', '0.5');
    await new Promise((r) => setTimeout(r, 50));
    assertClass(
      await failureOf(slow.get('cre:k')),
      { scenario: 'timeout', execution: 'unknown', countsAgainstBreaker: true },
      /^Error: Command timed out$/,
    );
    await sleeping;

    const closing = client(node.clientOptions());
    await closing.ping();
    await closing.quit();
    const closed = assertClass(
      await failureOf(closing.get('cre:k')),
      { scenario: 'connection', execution: 'unknown', countsAgainstBreaker: true },
      /^Error: Connection is closed\.$/,
    );
    assert.equal(closed.retryable, true);
    // When the caller knows the command never left (our executor does), it is provably unsent.
    assert.equal(classifyFailure(await failureOf(closing.get('cre:k')), { sent: false }).execution, 'not-executed');
    assert.ok((await failureOf(plain.get('cre:list'))) instanceof ReplyError);
  });
});
