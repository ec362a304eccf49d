// Self-tests of the lab DNS server, queried through Node's own resolver exactly as the library
// will: `new dns.promises.Resolver()` + `setServers([server])`.
import assert from 'node:assert/strict';
import { promises as dnsPromises } from 'node:dns';
import { before, describe, test } from 'node:test';
import { type DnsServer, useLab } from '../support/lab.js';

describe('lab: DNS server for *.test', { timeout: 20_000 }, () => {
  // useLab() registers the teardown in this suite's after() hook itself.
  const lab = useLab();
  let dns: DnsServer;
  let resolver: dnsPromises.Resolver;

  before(async () => {
    dns = await lab.dns();
    resolver = new dnsPromises.Resolver({ timeout: 500, tries: 1 });
    resolver.setServers([dns.server]);
  });

  test('answers A records with the TTL that was set', { timeout: 5000 }, async () => {
    assert.match(dns.server, /^127\.0\.0\.1:\d+$/);
    dns.setRecord('Multi.DNS.test', ['127.0.0.2', '127.0.0.3'], 42);
    const answer = await resolver.resolve4('multi.dns.test', { ttl: true });
    assert.deepEqual(answer, [
      { address: '127.0.0.2', ttl: 42 },
      { address: '127.0.0.3', ttl: 42 },
    ]);
    assert.deepEqual(await resolver.resolve4('MULTI.dns.test.'), ['127.0.0.2', '127.0.0.3']);
  });

  test('a record changed while running is served at once, and every query is logged', { timeout: 5000 }, async () => {
    dns.setRecord('moving.dns.test', ['127.0.0.2'], 5);
    const countBefore = dns.queryCount('moving.dns.test');
    assert.deepEqual(await resolver.resolve4('moving.dns.test', { ttl: true }), [{ address: '127.0.0.2', ttl: 5 }]);
    dns.setRecord('moving.dns.test', ['127.0.0.3'], 1);
    assert.deepEqual(await resolver.resolve4('moving.dns.test', { ttl: true }), [{ address: '127.0.0.3', ttl: 1 }]);
    const log = dns.queries('moving.dns.test');
    assert.equal(log.length - countBefore, 2);
    assert.ok(log.every((q) => q.type === 'A' && q.outcome === 'NOERROR'));
    const [first, second] = log.slice(-2);
    assert.ok(first && second && second.at.monoMs >= first.at.monoMs && second.at.epochMs > 0);
  });

  test('unknown and removed *.test names are NXDOMAIN; other names are refused', { timeout: 5000 }, async () => {
    await assert.rejects(resolver.resolve4('unknown.dns.test'), { code: 'ENOTFOUND' });
    dns.setRecord('gone.dns.test', ['127.0.0.2'], 5);
    assert.deepEqual(await resolver.resolve4('gone.dns.test'), ['127.0.0.2']);
    dns.removeRecord('gone.dns.test');
    await assert.rejects(resolver.resolve4('gone.dns.test'), { code: 'ENOTFOUND' });
    await assert.rejects(resolver.resolve4('example.com'), { code: 'EREFUSED' });
    assert.equal(dns.queries('example.com')[0]?.outcome, 'REFUSED');
  });

  test('AAAA for a known name is an empty answer, not a hang', { timeout: 5000 }, async () => {
    dns.setRecord('v4only.dns.test', ['127.0.0.2'], 5);
    const started = performance.now();
    await assert.rejects(resolver.resolve6('v4only.dns.test'), { code: 'ENODATA' });
    assert.ok(performance.now() - started < 400, 'answered, not timed out');
    assert.equal(dns.queries('v4only.dns.test').at(-1)?.type, 'AAAA');
  });

  test('failure modes: SERVFAIL and a dropped query (resolver timeout)', { timeout: 5000 }, async () => {
    dns.setRecord('flaky.dns.test', ['127.0.0.2'], 5);
    dns.setFailure('flaky.dns.test', 'servfail');
    await assert.rejects(resolver.resolve4('flaky.dns.test'), { code: 'ESERVFAIL' });
    dns.setFailure('flaky.dns.test', 'drop');
    await assert.rejects(resolver.resolve4('flaky.dns.test'), { code: 'ETIMEOUT' });
    dns.setFailure('flaky.dns.test', undefined);
    assert.deepEqual(await resolver.resolve4('flaky.dns.test'), ['127.0.0.2']);
  });
});
