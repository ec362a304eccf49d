// The rule for following a demoted primary's ROLE reply (issue 15, defect 3), as a pure unit:
// only the group's own hosts, a host name only through our resolver, any address when TLS
// verifies the certificate against the configured name.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FollowTrust } from '../../../src/core/client/follow-trust.js';
import type { ReplicationOptions } from '../../../src/index.js';

const base: ReplicationOptions = {
  mode: 'replication',
  primary: { host: 'primary.test', port: 6379 },
  reader: { host: 'reader.test', port: 6379 },
};
const resolver = (answers: Record<string, string[]>) => async (name: string) => {
  const found = answers[name];
  if (!found) throw new Error(`ENOTFOUND ${name}`);
  return found.map((address) => ({ address, ttl: 1 }));
};

describe('FollowTrust', { timeout: 5000 }, () => {
  test('follows only addresses the configured names resolved to', async () => {
    const trust = new FollowTrust(base, resolver({}));
    trust.noteResolved(['10.0.0.2', '10.0.0.3']);
    assert.equal(await trust.target('10.0.0.3'), '10.0.0.3');
    assert.equal(await trust.target('10.0.0.9'), undefined);
  });

  test('a host name in the reply goes through our resolver, and its answer must be a group host', async () => {
    const trust = new FollowTrust(base, resolver({ 'node-b.test': ['10.0.0.3'], 'evil.test': ['10.6.6.6'] }));
    trust.noteResolved(['10.0.0.2', '10.0.0.3']);
    assert.equal(await trust.target('node-b.test'), '10.0.0.3');
    assert.equal(await trust.target('evil.test'), undefined);
    assert.equal(await trust.target('localhost'), undefined, 'a name our resolver does not know is not handed to the socket');
  });

  test('configured IPs are group hosts', async () => {
    const trust = new FollowTrust(
      { ...base, primary: { host: '10.1.0.1', port: 6379 }, reader: { host: '10.1.0.2', port: 6379 } },
      resolver({}),
    );
    assert.equal(await trust.target('10.1.0.2'), '10.1.0.2');
    assert.equal(await trust.target('10.1.0.3'), undefined);
  });

  test('with TLS verifying the configured name, any address is followed (the certificate is checked before AUTH)', async () => {
    assert.equal(await new FollowTrust({ ...base, tls: true }, resolver({})).target('10.9.9.9'), '10.9.9.9');
    assert.equal(await new FollowTrust({ ...base, tls: { servername: 'primary.test' } }, resolver({})).target('10.9.9.9'), '10.9.9.9');
    assert.equal(
      await new FollowTrust({ ...base, tls: { rejectUnauthorized: false } }, resolver({})).target('10.9.9.9'),
      undefined,
      'no verification, no exception',
    );
    const byIp = { ...base, primary: { host: '10.1.0.1', port: 6379 }, tls: true as const };
    assert.equal(await new FollowTrust(byIp, resolver({})).target('10.9.9.9'), undefined, 'no configured name to verify against');
  });

  test('the remembered host set is bounded', async () => {
    const trust = new FollowTrust(base, resolver({}));
    trust.noteResolved(Array.from({ length: 1000 }, (_, i) => `10.2.${i >> 8}.${i & 255}`));
    assert.equal(await trust.target('10.2.0.1'), '10.2.0.1');
    assert.equal(await trust.target('10.2.3.231'), undefined, 'entries past the cap are not trusted');
  });
});
