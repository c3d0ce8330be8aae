import { describe, expect, it } from 'vitest';
import { WorkspaceLookup } from '../../src/emulator/lookup.js';
import { mainPage, rowsWorkspace, uid } from './fixtures.js';

describe('workspace lookups follow live edits', () => {
  it('finds pages pushed, removed, swapped in place, or in a replaced array', () => {
    const ws = rowsWorkspace(3);
    const lookup = new WorkspaceLookup(ws);
    expect(lookup.page(uid('e0000000', 2))?.id).toBe(uid('e0000000', 2));
    expect(lookup.page(uid('e0000000', 2).replace(/-/g, '').toUpperCase())?.id).toBe(uid('e0000000', 2));
    expect(lookup.page(uid('e0000000', 9))).toBeUndefined();
    ws.pages.push(mainPage(ws, { n: 9 }));
    expect(lookup.page(uid('e0000000', 9))?.id).toBe(uid('e0000000', 9));
    ws.pages.splice(0, 1);
    ws.pages.push(mainPage(ws, { n: 10 }));
    expect(lookup.page(uid('e0000000', 10))?.id).toBe(uid('e0000000', 10));
    expect(lookup.page(uid('e0000000', 1))).toBeUndefined();
    expect(lookup.page(uid('e0000000', 3))?.id).toBe(uid('e0000000', 3));
    ws.pages[0] = mainPage(ws, { n: 11 });
    expect(lookup.page(uid('e0000000', 11))?.id).toBe(uid('e0000000', 11));
    expect(lookup.page(uid('e0000000', 2))).toBeUndefined();
    const replacement = mainPage(ws, { n: 3, title: 'replaced' });
    ws.pages = ws.pages.map((p) => (p.id === replacement.id ? replacement : p));
    expect(lookup.page(uid('e0000000', 3))).toBe(replacement);
  });
});
