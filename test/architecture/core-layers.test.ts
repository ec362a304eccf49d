// The folders of src/core form layers that point one way (DESIGN §8): errors, events, options
// and policy at the bottom; breaker, connection and the endpoint; command, topology and dns;
// client; adapters on top. A cycle between folders means two concepts that can only be read
// together: this test finds every one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..');
const core = join(root, 'src', 'core');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Folder of src/core → the folders its files import from (relative imports only). */
export function folderGraph(files: readonly string[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of files) {
    const from = relative(core, file).split('/')[0]!;
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = relative(core, resolve(dirname(file), m[1]!));
      const to = target.split('/')[0]!;
      if (target.startsWith('..') || to === from || to.endsWith('.js')) continue;
      if (!graph.has(from)) graph.set(from, new Set());
      graph.get(from)!.add(to);
    }
  }
  return graph;
}

/** Every cycle's folders, as strongly connected components of more than one folder. */
export function cycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

test('no import cycles between the folders of src/core', () => {
  const graph = folderGraph(sources(core));
  assert.ok(graph.size >= 10, `expected the core folders, found ${graph.size}`);
  const described = [...graph].map(([from, to]) => `${from} -> ${[...to].sort().join(', ')}`).join('\n');
  assert.deepEqual(cycles(graph), [], `folder cycles in src/core:\n${described}`);
});

test('the cycle finder finds direct and longer cycles', () => {
  const g = new Map([
    ['a', new Set(['b'])],
    ['b', new Set(['c'])],
    ['c', new Set(['a'])],
    ['d', new Set(['e'])],
    ['e', new Set(['d', 'a'])],
    ['f', new Set(['a'])],
  ]);
  assert.deepEqual(cycles(g).sort(), [
    ['a', 'b', 'c'],
    ['d', 'e'],
  ]);
});
