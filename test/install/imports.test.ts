/** No import cycle anywhere in src: every module can be loaded and reasoned about on its own. */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findCycles, importGraph, readSources } from '../support/import-cycles.js';

const src = fileURLToPath(new URL('../../src', import.meta.url));

describe('imports of src', () => {
  it('form no cycle (static, type-only and dynamic imports alike)', () => {
    const sources = readSources(src);
    expect(sources.size).toBeGreaterThan(50);
    expect(findCycles(importGraph(sources), src)).toEqual([]);
  });

  it('the check finds a cycle through a type-only import, and one through a dynamic import', () => {
    const files = new Map([
      ['/p/a.ts', "import { b } from './b.js';"],
      ['/p/b.ts', "import type { C } from './c.js';\nexport const b = 1;"],
      ['/p/c.ts', "export type C = 1;\nexport * from './a.js';"],
      ['/p/d.ts', "export const d = () => import('./e.js');"],
      ['/p/e.ts', "import { d } from './d.js';"],
      ['/p/f.ts', "import { b } from './b.js';"],
    ]);
    expect(findCycles(importGraph(files))).toEqual([
      ['/p/a.ts', '/p/b.ts', '/p/c.ts', '/p/a.ts'],
      ['/p/d.ts', '/p/e.ts', '/p/d.ts'],
    ]);
  });
});
