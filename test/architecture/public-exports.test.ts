import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Each entry point's runtime export list, as the published package exposes it (package
// self-reference through the exports map resolves to dist/). Changing it is an API change:
// update the snapshot file on purpose, in the same commit as the change.
const root = join(import.meta.dirname, '..', '..', '..');
const snapshot = JSON.parse(readFileSync(join(root, 'test', 'architecture', 'public-exports.snapshot.json'), 'utf8')) as Record<string, string[]>;

for (const entry of ['redis-resilience', 'redis-resilience/nestjs', 'redis-resilience/express']) {
  test(`${entry} exports exactly its documented names`, async () => {
    const mod = (await import(entry)) as Record<string, unknown>;
    const names = Object.keys(mod).sort();
    if (process.env.UPDATE_EXPORT_SNAPSHOT) {
      console.log(JSON.stringify({ [entry]: names }));
      return;
    }
    assert.deepEqual(names, snapshot[entry], `export list of ${entry} changed; update test/architecture/public-exports.snapshot.json if intended`);
  });
}

test('the package exports map covers ., ./nestjs, ./express and ./package.json', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown>; type: string };
  assert.deepEqual(Object.keys(pkg.exports).sort(), ['.', './express', './nestjs', './package.json']);
  assert.equal(pkg.type, 'module');
});
