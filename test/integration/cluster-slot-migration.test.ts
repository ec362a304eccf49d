// A slot migrated under load on a real cluster, key by key with MIGRATE: single-key calls get
// ASK for keys already moved, multi-key calls get TRYAGAIN while their keys are split, and
// MOVED once the slot is assigned. Callers see none of it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createResilientRedis, type ResilienceEvent, type ResilientRedis, silentLogger } from '../../src/index.js';
import { type ClusterLab, type RedisNode, createLab, slotOfKey, waitFor } from '../support/lab.js';

const KEYS = 12;

describe('cluster slot migration under load', { timeout: 60_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());
  let cluster: ClusterLab;
  let redis: ResilientRedis;
  const events: ResilienceEvent[] = [];
  const retried = (scenario: string): number => events.filter((e) => e.type === 'command.retried' && e.scenario === scenario).length;

  before(async () => {
    cluster = await lab.cluster({ primaries: 3, replicasPerPrimary: 0 });
    redis = createResilientRedis({
      name: 'migration',
      mode: 'cluster',
      nodes: cluster.seeds(),
      logger: silentLogger,
      metrics: { enabled: false },
    });
    lab.defer(() => redis.close());
    redis.events$.subscribe((e) => events.push(e));
    await redis.connect();
  });

  test('ASK, TRYAGAIN and MOVED during a migration: 0 caller-visible errors', { timeout: 40_000 }, async () => {
    const [source, target] = (await cluster.primaries()) as [RedisNode, RedisNode];
    const tag = (await cluster.keyForNode(source, 'mig')).replace(/^\{(.*)\}.*$/, '$1');
    const keys = Array.from({ length: KEYS }, (_, i) => `{${tag}}:${i}`);
    const slot = slotOfKey(keys[0]!);
    for (const k of keys) assert.equal(await redis.set(k, 'v'), 'OK');
    const errors: string[] = [];
    let calls = 0;
    let running = true;
    const loops = Array.from({ length: 6 }, async (_, n) => {
      while (running) {
        calls++;
        const k = keys[(calls + n) % KEYS]!;
        const work = n % 3 === 0 ? redis.mget(keys[0]!, keys[KEYS - 1]!, k) : n % 3 === 1 ? redis.get(k) : redis.set(k, 'v');
        await work.catch((e: unknown) =>
          errors.push(e instanceof Error ? `${(e as { code?: string }).code ?? ''} ${e.message}` : String(e)),
        );
        await sleep(2);
      }
    });
    try {
      await sleep(200);
      await target.command('CLUSTER', 'SETSLOT', slot, 'IMPORTING', source.nodeId!);
      await source.command('CLUSTER', 'SETSLOT', slot, 'MIGRATING', target.nodeId!);
      // Key by key, with a pause between: the slot stays split long enough for the load to
      // meet ASK (moved keys) and TRYAGAIN (multi-key calls over both sides).
      for (const k of keys) {
        await source.command('MIGRATE', target.host, target.port, k, 0, 5000);
        await sleep(15);
      }
      for (const n of await cluster.primaries()) await n.command('CLUSTER', 'SETSLOT', slot, 'NODE', target.nodeId!);
      await sleep(500);
    } finally {
      running = false;
      await Promise.all(loops);
    }
    console.log(
      JSON.stringify({ calls, errors: errors.length, ask: retried('ask'), tryagain: retried('tryagain'), moved: retried('moved') }),
    );
    assert.ok(retried('ask') > 0, 'the load met ASK');
    assert.ok(retried('tryagain') > 0, 'the load met TRYAGAIN');
    assert.deepEqual(errors.slice(0, 5), [], `${errors.length} of ${calls} calls failed`);
    assert.equal((await target.command('GET', keys[0]!)) as string, 'v');
  });
  // The nodes take SETSLOT NODE one at a time. Between the two, the old owner sends the slot's
  // calls to the new one (MOVED) and the new one, still importing, sends them back: a call
  // bounces for as long as the gap lasts. It must ride that out, not fail after maxAttempts.
  test('a call bounced between two nodes that disagree on the owner lands once they agree', { timeout: 20_000 }, async () => {
    const [source, target] = (await cluster.primaries()) as [RedisNode, RedisNode];
    const key = await cluster.keyForNode(source, 'bounce');
    const slot = slotOfKey(key);
    assert.equal(await redis.set(key, 'v'), 'OK');
    await target.command('CLUSTER', 'SETSLOT', slot, 'IMPORTING', source.nodeId!);
    await source.command('CLUSTER', 'SETSLOT', slot, 'MIGRATING', target.nodeId!);
    await source.command('MIGRATE', target.host, target.port, key, 0, 5000);
    await source.command('CLUSTER', 'SETSLOT', slot, 'NODE', target.nodeId!);
    const movedBefore = retried('moved');
    const read = redis.get(key);
    const write = redis.set(key, 'w');
    // Both calls are bouncing now; the new owner learns it is the owner 80 ms later.
    await waitFor(() => retried('moved') - movedBefore >= 6, { timeoutMs: 2000, what: 'calls bouncing between the two nodes' });
    await sleep(80);
    await target.command('CLUSTER', 'SETSLOT', slot, 'NODE', target.nodeId!);
    assert.ok(['v', 'w'].includes((await read) as string), 'the read landed');
    assert.equal(await write, 'OK');
    assert.equal((await target.command('GET', key)) as string, 'w');
    const bounces = retried('moved') - movedBefore;
    console.log(JSON.stringify({ bounces }));
    assert.ok(bounces > 2 * 3, `${bounces} redirects followed: more than maxAttempts per call`);
  });
});
