// Issue 15, defect 7: floors with reasons on everything that drives queries to the servers,
// unknown keys refused in every nested object, bad DNS servers reported as options problems,
// and no user string ever quoted back (a URL with a password in a port field would leak).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isInvalidOptionsError, resolveOptions } from '../../../src/index.js';

function problemsOf(options: unknown): readonly string[] {
  try {
    resolveOptions(options);
  } catch (error) {
    assert.ok(isInvalidOptionsError(error), `expected InvalidOptionsError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail('resolveOptions accepted invalid options');
}

const cluster = { mode: 'cluster', nodes: [{ host: '127.0.0.1', port: 7000 }] } as const;
const replication = { mode: 'replication', primary: { host: 'primary.test', port: 6379 } } as const;

describe('options validation hardening', { timeout: 10_000 }, () => {
  test('topology.minRefreshGapMs: 0 is refused with the reason for the floor', () => {
    const problems = problemsOf({ ...cluster, topology: { minRefreshGapMs: 0 } });
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^topology\.minRefreshGapMs must be >= 50 \(got 0\): it is the refresh-storm bound/);
  });

  test('dns intervals of 0 are refused, each with its reason, in one error', () => {
    const problems = problemsOf({ ...replication, dns: { minIntervalMs: 0, maxIntervalMs: 0, fastPollMs: 0 } });
    assert.deepEqual(
      problems.map((p) => p.replace(/ \(got.*$/, '')),
      ['dns.minIntervalMs must be >= 100', 'dns.maxIntervalMs must be >= 100', 'dns.fastPollMs must be >= 50'],
    );
    for (const p of problems) assert.match(p, /\): \w/, `"${p}" gives a reason`);
  });

  test('a bad dns.servers address is an options problem, not a raw TypeError', () => {
    const problems = problemsOf({ ...cluster, dns: { servers: ['127.0.0.1:53', 'not-an-ip', '[::1]:5353', '10.0.0.1:99999', 7] } });
    assert.deepEqual(problems, [
      'dns.servers[1] must be "ip", "ipv4:port" or "[ipv6]:port" (got a string)',
      'dns.servers[3] must be "ip", "ipv4:port" or "[ipv6]:port" (got a string)',
      'dns.servers[4] must be "ip", "ipv4:port" or "[ipv6]:port" (got 7)',
    ]);
  });

  test('unknown keys are refused inside dns, metrics, addresses and tls', () => {
    const problems = problemsOf({
      mode: 'cluster',
      nodes: [{ host: 'a', port: 1, hots: 'b' }],
      dns: { minInterval: 5 },
      metrics: { enable: false },
      tls: { servername: 'x', verify: true },
    });
    assert.equal(problems.length, 4, problems.join('\n'));
    for (const key of ['nodes[0].hots', 'dns.minInterval', 'metrics.enable', 'tls.verify']) {
      assert.ok(
        problems.some((p) => p.startsWith(`${key} is not a known option`)),
        `${key} reported in:\n${problems.join('\n')}`,
      );
    }
  });

  test('keys inherited from Object.prototype are unknown options, not rules', () => {
    const problems = problemsOf({ ...cluster, policy: { toString: 5 }, topology: JSON.parse('{"__proto__": 1}') });
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.ok(
      problems.some((p) => p.startsWith('policy.toString is not a known option')),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => p.startsWith('topology.__proto__ is not a known option')),
      problems.join('\n'),
    );
  });

  test('no user string is quoted back: a password-bearing URL in a port, mode or readFrom stays out of the message', () => {
    const secret = 'redis://:hunter2-secret@10.0.0.1:6379';
    for (const options of [
      { mode: 'standalone', node: { host: 'h', port: secret } },
      { mode: secret, node: { host: 'h', port: 1 } },
      { ...cluster, readFrom: secret },
      { ...cluster, dns: { servers: [secret] } },
      { ...cluster, policy: { attemptTimeoutMs: secret } },
    ]) {
      try {
        resolveOptions(options);
        assert.fail('accepted');
      } catch (error) {
        assert.ok(isInvalidOptionsError(error));
        assert.ok(!error.message.includes('hunter2'), error.message);
        assert.ok(!JSON.stringify(error.problems).includes('hunter2'));
      }
    }
  });

  test('values at the floors are accepted', () => {
    const resolved = resolveOptions({ ...replication, dns: { minIntervalMs: 100, maxIntervalMs: 100, fastPollMs: 50, fastPollForMs: 0 } });
    assert.equal(resolved.mode, 'replication');
    resolveOptions({ ...cluster, topology: { minRefreshGapMs: 50, refreshIntervalMs: 1000 } });
  });
});
