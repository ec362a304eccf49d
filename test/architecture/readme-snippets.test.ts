import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// The README's TypeScript examples are type-checked against the built package, so the quick
// starts cannot drift from the API they show.
const root = join(import.meta.dirname, '..', '..', '..');

test('every TypeScript snippet in README.md type-checks against the package', { timeout: 60_000 }, () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.ok(snippets.length >= 3, `expected the quick starts in README.md, found ${snippets.length} snippets`);
  const dir = join(root, '.build', 'readme-snippets');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  snippets.forEach((code, i) => writeFileSync(join(dir, `snippet-${i}.ts`), `import 'reflect-metadata';\n${code}\nexport {};\n`));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      extends: '../../tsconfig.json',
      compilerOptions: { noEmit: true, rootDir: '../..', outDir: './out' },
      include: ['./*.ts'],
      exclude: [],
    }),
  );
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    assert.fail(`README snippets do not type-check:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
});
