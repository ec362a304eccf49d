// Property test (issue 15): whatever a user or a config loader hands the validator, the only
// thing it throws is InvalidOptionsError, and what it accepts is frozen with a known mode.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as fc from 'fast-check';
import { isInvalidOptionsError, resolveOptions } from '../../../src/index.js';

const anyValue = fc.oneof(
  fc.anything({
    maxDepth: 2,
    withBigInt: true,
    withMap: true,
    withSet: true,
    withDate: true,
    withNullPrototype: true,
    withTypedArray: true,
  }),
  fc.integer({ min: -5, max: 70_000 }),
  fc.constantFrom(0, 1, 50, 100, 1000, 65535, Number.NaN, Infinity, -1, 2 ** 31, '127.0.0.1', 'toString', '__proto__'),
);
const address = fc.record({ host: fc.oneof(fc.constantFrom('127.0.0.1', 'h.test', ''), anyValue), port: anyValue }, { requiredKeys: [] });
const numbers = (keys: string[]) => fc.dictionary(fc.constantFrom(...keys, 'toString', '__proto__', 'typo'), anyValue, { maxKeys: 4 });

const partialOptions = fc.record(
  {
    name: fc.oneof(fc.constantFrom('a', 'bad name!', ''), anyValue),
    mode: fc.oneof(fc.constantFrom('standalone', 'replication', 'cluster'), anyValue),
    node: fc.oneof(address, anyValue),
    primary: address,
    reader: address,
    nodes: fc.oneof(fc.array(fc.oneof(address, anyValue), { maxLength: 3 }), anyValue),
    readFrom: fc.oneof(fc.constantFrom('primary', 'replica-preferred'), anyValue),
    password: anyValue,
    db: anyValue,
    tls: fc.oneof(
      fc.boolean(),
      fc.dictionary(fc.constantFrom('servername', 'ca', 'verify', 'rejectUnauthorized'), anyValue, { maxKeys: 3 }),
      anyValue,
    ),
    policy: fc.oneof(
      numbers(['attemptTimeoutMs', 'totalTimeoutMs', 'maxAttempts', 'backoffBaseMs', 'backoffMaxMs', 'connectTimeoutMs']),
      anyValue,
    ),
    breaker: fc.oneof(numbers(['errorThresholdPercentage', 'volumeThreshold', 'rollingWindowMs']), anyValue),
    topology: fc.oneof(numbers(['refreshIntervalMs', 'minRefreshGapMs', 'timeoutsToRefresh']), anyValue),
    dns: fc.oneof(
      fc.record(
        {
          servers: fc.oneof(fc.array(anyValue, { maxLength: 3 }), anyValue),
          minIntervalMs: anyValue,
          fastPollMs: anyValue,
          resolve: anyValue,
        },
        { requiredKeys: [] },
      ),
      anyValue,
    ),
    metrics: fc.oneof(fc.dictionary(fc.constantFrom('enabled', 'enable', 'prefix', 'registry'), anyValue, { maxKeys: 3 }), anyValue),
    logger: anyValue,
    required: anyValue,
  },
  { requiredKeys: [] },
);

describe('options validator properties', { timeout: 30_000 }, () => {
  test('random partial options never throw anything but InvalidOptionsError', () => {
    fc.assert(
      fc.property(fc.oneof(partialOptions, anyValue), (options) => {
        try {
          const resolved = resolveOptions(options);
          assert.ok(['standalone', 'replication', 'cluster'].includes(resolved.mode));
          assert.ok(Object.isFrozen(resolved));
        } catch (error) {
          if (!isInvalidOptionsError(error)) throw new Error(`threw ${String(error)} for ${fc.stringify(options)}`, { cause: error });
          assert.ok(error.problems.length > 0);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
