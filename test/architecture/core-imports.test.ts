import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const FRAMEWORK = /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"](@nestjs\/[^'"]*|express(?:\/[^'"]*)?)['"]/;

/** Finds framework imports in the given files; exported for the self-check below. */
function frameworkImports(files: string[]): string[] {
  return files.filter((f) => FRAMEWORK.test(readFileSync(f, 'utf8')));
}

test('src/core imports nothing from @nestjs/* or express', () => {
  const files = sources(join(root, 'src', 'core'));
  assert.ok(files.length > 10, `expected the core sources, found ${files.length}`);
  assert.deepEqual(frameworkImports(files), []);
});

test('the framework-import check catches every import form', () => {
  const samples = [
    "import { Injectable } from '@nestjs/common';",
    'import express from "express";',
    "const m = await import('@nestjs/core');",
    "import type { Request } from 'express/lib/request';",
  ];
  for (const s of samples) assert.match(s, FRAMEWORK, s);
  assert.doesNotMatch("import { x } from './express-like.js';", FRAMEWORK);
});

test('only one file imports opossum and only one constructs ioredis clients', () => {
  const files = sources(join(root, 'src'));
  const opossum = files.filter((f) => /from\s+['"]opossum['"]/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(
    opossum.map((f) => f.slice(root.length + 1)),
    ['src/core/breaker/opossum-breaker.ts'],
  );
  const constructs = files.filter((f) => /new\s+(Redis|Cluster)\s*\(/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(
    constructs.map((f) => f.slice(root.length + 1)),
    ['src/core/connection/connection-factory.ts'],
  );
});

test("only connection/ioredis-internals.ts touches ioredis's internals", () => {
  const files = sources(join(root, 'src'));
  // The deep Commander import, the saved command queue and a Command's reply encoding are not
  // ioredis's public API: one file holds them, checked against one ioredis version.
  // (Passing `{ replyEncoding }` to `new Command` is public API; reading it back is not.)
  const internals = /ioredis\/built\/|prevCommandQueue|\.replyEncoding\b|replyEncoding\?:|\bconnector\b|scriptsSet|addedBuiltinSet/;
  const touching = files.filter((f) => internals.test(readFileSync(f, 'utf8')));
  assert.deepEqual(
    touching.map((f) => f.slice(root.length + 1)),
    ['src/core/connection/ioredis-internals.ts'],
  );
});

test('only the endpoint reports its failover episode, and its episode state is its own', () => {
  const files = sources(join(root, 'src'));
  const emitting = files.filter((f) => /(?<!readonly )type:\s*'failover\.(detected|recovered)'/.test(readFileSync(f, 'utf8')));
  // The episode is the endpoint's own (Endpoint extends FailoverEpisode).
  assert.deepEqual(
    emitting.map((f) => f.slice(root.length + 1)),
    ['src/core/endpoint/failover-episode.ts'],
  );
  // Nobody else writes what the endpoint owns: it is asked (acceptsTraffic, usable) and told (markFailing, ...).
  // (Another class's own field of the same name, `this.lostAt`, is its business.)
  const writes = files.filter(
    (f) =>
      !f.endsWith('endpoint/failover-episode.ts') &&
      /(?<!this)\.(failingSince|lostAt|holding|overflowing)\s*(=(?!=)|\+\+|--|\|\|=)/.test(readFileSync(f, 'utf8')),
  );
  assert.deepEqual(
    writes.map((f) => f.slice(root.length + 1)),
    [],
  );
});
