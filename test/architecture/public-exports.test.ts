import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

// Each entry point's runtime export list, as the published package exposes it (package
// self-reference through the exports map resolves to dist/). Changing it is an API change:
// update the snapshot file on purpose, in the same commit as the change.
const root = join(import.meta.dirname, '..', '..', '..');
const snapshot = JSON.parse(readFileSync(join(root, 'test', 'architecture', 'public-exports.snapshot.json'), 'utf8')) as Record<
  string,
  string[]
>;

for (const entry of ['redis-resilience', 'redis-resilience/nestjs', 'redis-resilience/express']) {
  test(`${entry} exports exactly its documented names`, async () => {
    const mod = (await import(entry)) as Record<string, unknown>;
    const names = Object.keys(mod).sort();
    if (process.env.UPDATE_EXPORT_SNAPSHOT) {
      console.log(JSON.stringify({ [entry]: names }));
      return;
    }
    assert.deepEqual(
      names,
      snapshot[entry],
      `export list of ${entry} changed; update test/architecture/public-exports.snapshot.json if intended`,
    );
  });
}

/**
 * Every name an entry point's type declarations export, values and types alike (`type X`
 * for type-only names), read from the barrel `.d.ts` the package publishes.
 */
function declaredExports(dts: string): string[] {
  const names: string[] = [];
  for (const match of dts.matchAll(/export\s+(type\s+)?\{([^}]*)\}/g)) {
    for (const raw of match[2]!.split(',')) {
      const item = raw.trim();
      if (item === '') continue;
      const typeOnly = match[1] !== undefined || item.startsWith('type ');
      const name = item
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .pop()!;
      names.push(typeOnly ? `type ${name}` : name);
    }
  }
  for (const match of dts.matchAll(/export\s+declare\s+(?:abstract\s+)?(class|function|const|let|enum)\s+(\w+)/g)) names.push(match[2]!);
  for (const match of dts.matchAll(/export\s+(?:declare\s+)?(interface|type)\s+(\w+)/g)) names.push(`type ${match[2]}`);
  return [...new Set(names)].sort();
}

const DTS: Record<string, string> = {
  'redis-resilience': 'dist/index.d.ts',
  'redis-resilience/nestjs': 'dist/nestjs/index.d.ts',
  'redis-resilience/express': 'dist/express/index.d.ts',
};

for (const [entry, file] of Object.entries(DTS)) {
  test(`${entry} declares exactly its documented types`, () => {
    const names = declaredExports(readFileSync(join(root, file), 'utf8'));
    if (process.env.UPDATE_EXPORT_SNAPSHOT) {
      console.log(JSON.stringify({ [`types:${entry}`]: names }));
      return;
    }
    assert.deepEqual(names, snapshot[`types:${entry}`], `declared exports of ${entry} changed; update the snapshot if intended`);
  });
}

test('the published declarations carry no @internal member (stripInternal)', () => {
  const dist = join(root, 'dist');
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.d.ts') && readFileSync(p, 'utf8').includes('@internal')) offenders.push(p.slice(root.length + 1));
    }
  };
  walk(dist);
  assert.deepEqual(offenders, []);
  const client = readFileSync(join(dist, 'core', 'client', 'resilient-redis.d.ts'), 'utf8');
  for (const member of ['router', 'bus', 'resolved'])
    assert.doesNotMatch(client, new RegExp(`\\b${member}\\s*[:;]`), `${member} is internal`);
});

test('the declared-exports reader sees every export form', () => {
  const names = declaredExports(
    "export { A, type B, C as D } from './x.js';\nexport type { E } from './y.js';\nexport declare function f(): void;\nexport interface I {}\n",
  );
  assert.deepEqual(names, ['A', 'D', 'f', 'type B', 'type E', 'type I']);
});

test('the package exports map covers ., ./nestjs, ./express and ./package.json', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown>; type: string };
  assert.deepEqual(Object.keys(pkg.exports).sort(), ['.', './express', './nestjs', './package.json']);
  assert.equal(pkg.type, 'module');
});
