// @opentelemetry/instrumentation-ioredis over a ResilientRedis in replication and cluster mode:
// a plain ioredis client in the same test is the reference for span names, query texts and
// attribute keys (single commands, pipelines, MULTI), every span names the node that served it,
// a retried call shows one span per attempt, and no span carries the password or a value the
// instrumentation's serializer leaves out.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-node';
import type { Cluster as ClusterType, Redis as RedisType } from 'ioredis';
import type { RedisNode } from '../support/lab.js';
// First: the tracer and its ioredis hook, before the library under test loads ioredis.
import { Cluster, Redis, exporter, provider, spansUnder } from './otel-tracing.js';

const { createResilientRedis } = await import('../../src/index.js');
const { createLab, slotOfKey, waitFor } = await import('../support/lab.js');
const { compatClient } = await import('./compat-clients.js');

type Client = ReturnType<typeof createResilientRedis>;

after(() => provider.shutdown());

const PASSWORD = 'otel-lab-secret';
const VALUE = 'otel-private-value';
const tracer = trace.getTracer('compat');

/** Runs `work` in a new active span; returns that span's id once it ended. */
async function underSpan(name: string, work: () => Promise<unknown>): Promise<string> {
  return tracer.startActiveSpan(name, async (span) => {
    try {
      await work();
    } finally {
      span.end();
    }
    return span.spanContext().spanId;
  });
}

/** What a span says about its command: everything but timing and ids. */
function described(s: ReadableSpan) {
  const a = s.attributes;
  return {
    name: s.name,
    kind: s.kind,
    system: a['db.system.name'],
    operation: a['db.operation.name'],
    text: a['db.query.text'],
    keys: Object.keys(a).toSorted().join(','),
  };
}

const byText = (a: { name: string; text: unknown }, b: { name: string; text: unknown }) =>
  `${a.name} ${String(a.text)}`.localeCompare(`${b.name} ${String(b.text)}`);

type Commands = Pick<RedisType, 'set' | 'get' | 'pipeline' | 'multi'>;

/** The same calls on either client: single commands, a pipeline and a MULTI, on one key. */
async function workload(client: Commands, key: string): Promise<void> {
  await client.set(key, VALUE);
  assert.equal(await client.get(key), VALUE);
  assert.deepEqual(await client.pipeline().set(key, VALUE).get(key).exec(), [
    [null, 'OK'],
    [null, VALUE],
  ]);
  assert.deepEqual(await client.multi().set(key, VALUE).get(key).exec(), [
    [null, 'OK'],
    [null, VALUE],
  ]);
}

/** No attribute, event or status of any span carries the password or a value. */
function assertNoSecrets(spans: readonly ReadableSpan[]): void {
  for (const s of spans) {
    const text = JSON.stringify({ attributes: s.attributes, events: s.events, status: s.status });
    assert.ok(!text.includes(PASSWORD), `span ${s.name} carries the password: ${text}`);
    assert.ok(!text.includes(VALUE), `span ${s.name} carries a value: ${text}`);
  }
}

interface ModeUnderTest {
  /** The ResilientRedis, built inside an active span (so its connection handshakes are traced). */
  redis: Client;
  /** Plain ioredis on the same deployment, built the same way. */
  reference: Commands & { disconnect(): void };
  /** Where a key's write and read should be served, `host:port`. */
  servedBy(key: string, read: boolean): Promise<string>;
  /** The node that serves a read of `key`, to hang (SIGSTOP) for a moment. */
  readerOf(key: string): Promise<RedisNode>;
}

/**
 * The shared assertions of replication and cluster mode. 1) The handshakes: AUTH (in HELLO) is
 * traced with the serializer's text, never the password. 2) A healthy workload gives exactly the spans plain
 * ioredis gives (one per command; PIPELINE and MULTI names; same query texts and attribute keys),
 * each on the node that served it. 3) A read through a hung node: one span per attempt (each
 * attempt that failed errored, the last one succeeded), as many as the client's attempts.
 */
async function checkMode(mode: ModeUnderTest, handshakeParent: string, referenceParent: string, retries: () => number): Promise<void> {
  for (const parent of [handshakeParent, referenceParent]) {
    const handshake = spansUnder(parent);
    // ioredis 6 authenticates in HELLO (RESP3), or AUTH: the serializer keeps no argument of either.
    const auths = handshake.filter((s) => s.name === 'auth' || s.name === 'hello');
    assert.ok(auths.length > 0, `the handshake is traced: ${handshake.map((s) => s.name).join(',')}`);
    for (const s of auths) assert.match(String(s.attributes['db.query.text']), /^(auth|hello) \[\d+ other arguments\]$/);
  }

  const key = 'otel:{k}';
  // The key holds VALUE on the node that serves reads before any workload writes it again: a
  // reader is behind its primary for a moment after each write, and the workload reads at once.
  await mode.reference.set(key, VALUE);
  const reader = await mode.readerOf(key);
  await waitFor(async () => (await reader.command('GET', key)) === VALUE, { timeoutMs: 5000, what: 'the key replicated to the reader' });
  // Untraced first: every connection open and the slot map known (plain ioredis Cluster
  // connects to a slot owner lazily, and its first call may meet a MOVED).
  await workload(mode.redis as unknown as Commands, key);
  await workload(mode.reference, key);
  const ours = await underSpan('ours', () => workload(mode.redis as unknown as Commands, key));
  const reference = spansUnder(await underSpan('reference', () => workload(mode.reference, key)))
    .map(described)
    .toSorted(byText);
  const spans = spansUnder(ours);
  assert.deepEqual(spans.map(described).toSorted(byText), reference, 'the same spans as plain ioredis');
  for (const s of spans) {
    const read = s.name === 'get' && s.attributes['db.operation.name'] === 'get';
    assert.equal(
      `${String(s.attributes['server.address'])}:${String(s.attributes['server.port'])}`,
      await mode.servedBy(key, read),
      `${String(s.attributes['db.operation.name'])} served where routed`,
    );
  }

  const retriesBefore = retries();
  const node = await mode.readerOf(key);
  const retried = await underSpan('retried', async () => {
    await node.pause();
    const resumer = setTimeout(() => void node.resume(), 300);
    try {
      assert.equal(await mode.redis.get(key), VALUE);
    } finally {
      clearTimeout(resumer);
      await node.resume();
    }
  });
  const gets = spansUnder(retried).filter((s) => s.name === 'get');
  const attempts = 1 + retries() - retriesBefore;
  console.log(
    `otel: ${gets.length} get spans for one call that took ${attempts} attempts: ${gets.map((s) => `${String(s.attributes['server.address'])}:${String(s.attributes['server.port'])} ${s.status.code === 2 ? 'error' : 'ok'}`).join(', ')}`,
  );
  assert.ok(attempts >= 2, 'the read needed a retry');
  assert.equal(gets.length, attempts, 'one span per attempt');
  assert.deepEqual(
    gets.map((s) => s.status.code === 2),
    [...Array.from({ length: attempts - 1 }, () => true), false],
    'failed attempts errored, the last succeeded',
  );

  assertNoSecrets(exporter.getFinishedSpans());
}

describe('OpenTelemetry ioredis instrumentation in replication and cluster mode', { timeout: 90_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());
  const policy = { attemptTimeoutMs: 150, totalTimeoutMs: 2000 };

  test('replication: writes on the primary, reads on the reader, a hung reader retried', async () => {
    exporter.reset();
    const pair = await lab.replicationPair({ password: PASSWORD });
    const { primary, replica } = pair;
    let redis!: Client;
    let reference!: RedisType;
    const handshake = await underSpan('construct', async () => {
      redis = compatClient(lab, {
        name: 'otel-r',
        mode: 'replication',
        password: PASSWORD,
        policy,
        primary: { host: primary.host, port: primary.port },
        reader: { host: replica.host, port: replica.port },
      });
      await redis.connect();
    });
    const referenceParent = await underSpan('construct-reference', async () => {
      reference = new Redis({ host: primary.host, port: primary.port, password: PASSWORD });
      lab.defer(() => reference.disconnect());
      await reference.ping();
    });
    let retries = 0;
    redis.events$.subscribe((e) => e.type === 'command.retried' && retries++);
    await checkMode(
      {
        redis,
        reference,
        servedBy: async (_key, read) => (read ? replica.address : primary.address),
        readerOf: async () => replica,
      },
      handshake,
      referenceParent,
      () => retries,
    );
  });

  test('cluster: every span on the slot owner, a hung owner retried', async () => {
    exporter.reset();
    const cluster = await lab.cluster({ primaries: 3, replicasPerPrimary: 0, password: PASSWORD });
    let redis!: Client;
    let reference!: ClusterType;
    const handshake = await underSpan('construct', async () => {
      redis = compatClient(lab, { name: 'otel-c', mode: 'cluster', nodes: cluster.seeds(), password: PASSWORD, policy });
      await redis.connect();
    });
    const referenceParent = await underSpan('construct-reference', async () => {
      reference = new Cluster(cluster.seeds(), { redisOptions: { password: PASSWORD } });
      lab.defer(() => reference.disconnect());
      await reference.ping();
    });
    let retries = 0;
    redis.events$.subscribe((e) => e.type === 'command.retried' && retries++);
    const owner = (key: string) => cluster.slotOwner(slotOfKey(key));
    await checkMode(
      {
        redis,
        reference,
        servedBy: async (key) => (await owner(key)).address,
        readerOf: owner,
      },
      handshake,
      referenceParent,
      () => retries,
    );
  });
});
