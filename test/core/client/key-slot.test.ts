// The cluster router's slot function must agree with Redis on every key: a wrong slot sends a
// command to the wrong shard (a MOVED on every call, or a false CrossSlotError).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { array, assert as check, constantFrom, oneof, property, string, uint8Array } from 'fast-check';
import { keySlot } from '../../../src/core/client/key-slot.js';

/** The cluster spec, written out plainly: UTF-8 bytes, the tag rule, CRC16/XMODEM bit by bit. */
function specSlot(key: string | Buffer): number {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  let part = bytes;
  const open = bytes.indexOf(0x7b);
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1);
    if (close > open + 1) part = bytes.subarray(open + 1, close);
  }
  let crc = 0;
  for (const byte of part) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

test('slots Redis 7 itself gives (CLUSTER KEYSLOT), empty hash tags included', { timeout: 5000 }, () => {
  const fromRedis: Array<[string, number]> = [
    ['123456789', 12739],
    ['foo', 12182],
    // An empty tag: Redis hashes the whole key (cluster-key-slot says 4015 and 0).
    ['foo{}{bar}', 8363],
    ['{}}', 14790],
    ['foo{{bar}}zap', 4015],
  ];
  for (const [key, slot] of fromRedis) {
    assert.equal(keySlot(key), slot, key);
    assert.equal(keySlot(Buffer.from(key)), slot, `${key} as a Buffer`);
  }
  assert.equal(keySlot('{user1000}.following'), keySlot('{user1000}.followers'));
  assert.equal(keySlot('{user1000}.following'), keySlot('user1000'));
  assert.equal(keySlot('foo{bar}{zap}'), keySlot('bar'));
  assert.equal(keySlot(''), 0);
});

test('agrees with the spec on any string (ASCII, Unicode, braces) and any bytes', { timeout: 20_000 }, () => {
  const pieces = constantFrom('{', '}', 'a', 'é', '€', '😀', 'x');
  const key = oneof(
    string(),
    string({ unit: 'grapheme' }),
    array(pieces, { maxLength: 12 }).map((a) => a.join('')),
  );
  check(
    property(key, (k) => keySlot(k) === specSlot(k)),
    { numRuns: 5000 },
  );
  check(
    property(uint8Array({ maxLength: 40 }), (bytes) => keySlot(Buffer.from(bytes)) === specSlot(Buffer.from(bytes))),
    { numRuns: 1000 },
  );
});
