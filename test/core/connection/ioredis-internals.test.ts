// A retry sends a fresh copy of the command: an ioredis Command settles once and arms its
// timeout once. The copy must keep the already-prefixed keys as they are (never prefix twice)
// and keep the reply encoding (a getBuffer retried must still answer a Buffer).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Command } from 'ioredis';
import { copyCommand as cloneCommand } from '../../../src/core/connection/ioredis-internals.js';

describe('copyCommand', { timeout: 5000 }, () => {
  test('keeps prefixed keys as they are, and the other arguments', () => {
    const original = new Command('set', ['k', 'v', 'EX', 10], { keyPrefix: 'app:' });
    const copy = cloneCommand(original);
    assert.notEqual(copy, original);
    assert.deepEqual(copy.args, original.args);
    assert.equal(copy.args[0], 'app:k');
    assert.equal(copy.name, 'set');
    const multi = cloneCommand(new Command('mget', ['a', 'b'], { keyPrefix: 'p:' }));
    assert.deepEqual(multi.args, ['p:a', 'p:b']);
  });

  test('keeps the reply encoding: utf8 strings, or Buffers for *Buffer calls', async () => {
    const asString = cloneCommand(new Command('get', ['k'], { replyEncoding: 'utf8' }));
    asString.resolve(Buffer.from('v'));
    assert.equal(await asString.promise, 'v');
    const asBuffer = cloneCommand(new Command('get', ['k'], { replyEncoding: null }));
    asBuffer.resolve(Buffer.from('v'));
    assert.deepEqual(await asBuffer.promise, Buffer.from('v'));
  });

  test('the copy settles independently of the original', async () => {
    const original = new Command('get', ['k'], { replyEncoding: 'utf8' });
    original.promise.catch(() => {});
    original.reject(new Error('Command timed out'));
    const copy = cloneCommand(original);
    copy.resolve(Buffer.from('fresh'));
    assert.equal(await copy.promise, 'fresh');
    assert.equal(copy.isReadOnly, original.isReadOnly);
  });

  test('arguments transformed on construction (HSET with an object) are not transformed again', () => {
    const original = new Command('hset', ['h', { a: '1', b: '2' }] as never[], { keyPrefix: 'x:' });
    assert.deepEqual(cloneCommand(original).args, original.args);
    assert.deepEqual(original.args, ['x:h', 'a', '1', 'b', '2']);
  });
});
