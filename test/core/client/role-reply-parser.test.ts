// Property test (issue 15): ROLE replies come from the server, so the parser must take anything
// (wrong types, short arrays, nested junk) without throwing, and name a master only for a
// well-formed replica reply: a host made of host-name characters and a port from 1 to 65535.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as fc from 'fast-check';
import { parseRoleReply } from '../../../src/core/client/role-query.js';

const roleName = fc.constantFrom('master', 'slave', 'replica', 'sentinel', '');
const anyReply = fc.oneof(
  fc.anything({ maxDepth: 3, withBigInt: true, withNullPrototype: true, withTypedArray: true }),
  fc.tuple(roleName, fc.anything(), fc.anything()),
  fc.tuple(
    roleName,
    fc.oneof(fc.string(), fc.ipV4(), fc.constant('')),
    fc.oneof(fc.integer({ min: -10, max: 70_000 }), fc.string(), fc.double()),
  ),
  fc.tuple(
    fc.constant(Buffer.from('slave')),
    fc.ipV4().map((s) => Buffer.from(s)),
    fc.integer({ min: 1, max: 65535 }),
  ),
);

describe('ROLE reply parser', { timeout: 20_000 }, () => {
  test('never throws, and names a master only when host and port are well-formed', () => {
    fc.assert(
      fc.property(anyReply, (reply) => {
        const parsed = parseRoleReply(reply);
        if (parsed.role !== 'replica') return;
        assert.match(parsed.masterHost, /^[A-Za-z0-9.:_-]{1,253}$/);
        assert.ok(Number.isInteger(parsed.masterPort) && parsed.masterPort >= 1 && parsed.masterPort <= 65535);
      }),
      { numRuns: 5000 },
    );
  });

  test('real replies', () => {
    assert.deepEqual(parseRoleReply(['master', 10, []]), { role: 'master' });
    assert.deepEqual(parseRoleReply(['slave', '10.0.0.2', 6380, 'connected', 10]), {
      role: 'replica',
      masterHost: '10.0.0.2',
      masterPort: 6380,
    });
    assert.deepEqual(parseRoleReply(['slave', 'evil host\r\nAUTH', 6380]), { role: 'unknown' });
    assert.deepEqual(parseRoleReply(['slave', '10.0.0.2', 0]), { role: 'unknown' });
    assert.deepEqual(parseRoleReply('master'), { role: 'unknown' });
  });
});
