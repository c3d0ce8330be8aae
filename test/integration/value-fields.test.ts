/**
 * Walks every field of every property value of the emulator's all-types workspace (as `notion-stream
 * pages` prints it over HTTP) and checks that each one either reaches the property's columns or is
 * listed in the README's "Fields left out" table, with its reason.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { flattenPage, tableSpec, type TableSpec } from '../../src/core/flatten.js';
import { normalizePropertyId } from '../../src/core/names.js';
import { ALL_PROPERTY_TYPES, allTypesWorkspace } from '../../src/emulator/generate.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import type { Json, NotionDataSource, NotionPage } from '../../src/notion/types.js';
import { runCli } from '../support/cli.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

/** The paths the README lists as left out (first cell of each row of its "Fields left out" table). */
export function leftOutPaths(readme: string): string[] {
  const start = readme.indexOf('### Fields left out');
  expect(start, 'README has a "### Fields left out" section').toBeGreaterThan(0);
  const rest = readme.slice(start + 1);
  const section = rest.slice(0, rest.search(/\n#{2,3} /));
  return [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!);
}

/** Every non-null scalar of a property value, by path: `place.aws_place_id`, `files[].file.expiry_time`, ... */
function leaves(v: Json | undefined, path: string, out: Array<[string, Json]>): void {
  if (v === null || v === undefined) return;
  if (Array.isArray(v)) for (const x of v) leaves(x, `${path}[]`, out);
  else if (typeof v === 'object') for (const [k, x] of Object.entries(v)) leaves(x, `${path}.${k}`, out);
  else out.push([path, v]);
}

/** Every scalar in the columns a property writes (lists and objects of a row searched all through). */
function outputs(v: Json | undefined, out: Json[]): void {
  if (v === null || v === undefined) return;
  if (Array.isArray(v)) for (const x of v) outputs(x, out);
  else if (typeof v === 'object') for (const x of Object.values(v)) outputs(x, out);
  else out.push(v);
}

const instant = (s: string): number => (/^\d{4}-\d{2}-\d{2}T/.test(s) ? Date.parse(s) : NaN);

/** The value reached a column: the same, the same instant, or (text) part of the column's text. */
function found(value: Json, columns: Json[]): boolean {
  return columns.some((c) => {
    if (c === value) return true;
    if (typeof value !== 'string' || typeof c !== 'string') return false;
    if (!Number.isNaN(instant(value)) && instant(value) === instant(c)) return true;
    return value.length >= 2 && c.includes(value);
  });
}

describe('every field of every property value', () => {
  it('reaches a column or is listed in the README as left out, with a reason', async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const listed = leftOutPaths(readme);
    expect(listed.length).toBeGreaterThan(0);
    const covered = (path: string) => listed.some((l) => path === l || path.startsWith(`${l}.`) || path.startsWith(`${l}[`));

    emu = await startEmulator({ workspace: allTypesWorkspace(), rateLimit: false });
    const pages = await runCli(['pages', '--rate-limit', '1000', '--quiet'], { NOTION_TOKEN: emu.token, NOTION_BASE_URL: emu.url });
    expect(pages.code).toBe(0);

    const dropped = new Map<string, string>(); // path → an example value
    const seen = new Set<string>();
    const types = new Set<string>();
    let spec: TableSpec | undefined;
    for (const item of pages.lines) {
      if (item.object === 'data_source') {
        spec = tableSpec(item as NotionDataSource);
        continue;
      }
      if (item.object !== 'page') continue; // the end marker of `pages`
      const page = item as NotionPage;
      const row = flattenPage(spec!, page);
      for (const pv of Object.values(page.properties)) {
        types.add(pv.type);
        const prop = spec!.byId.get(normalizePropertyId(pv.id as string))!;
        const columns: Json[] = [];
        for (const c of prop.columns) outputs(row[c.name], columns);
        const fields: Array<[string, Json]> = [];
        for (const [key, value] of Object.entries(pv)) {
          if (key === 'id' || key === 'type') continue; // the schema's property id and type
          leaves(value as Json, key === pv.type ? pv.type : `${pv.type}.${key}`, fields);
        }
        for (const [path, value] of fields) {
          seen.add(path);
          if (!covered(path) && !found(value, columns)) dropped.set(path, JSON.stringify(value));
        }
      }
    }
    expect(types).toEqual(new Set(ALL_PROPERTY_TYPES));
    // The walk met the fields this guards (a change to the workspace must not empty it).
    for (const path of ['place.aws_place_id', 'place.google_place_id', 'files[].file.expiry_time', 'people[].type', 'select.id', 'created_by.type', 'verification.verified_by.id']) {
      expect(seen, path).toContain(path);
    }
    expect(Object.fromEntries(dropped)).toEqual({});
    // Every README entry names a field of a property type.
    for (const l of listed) expect(ALL_PROPERTY_TYPES as readonly string[], `README lists ${l}`).toContain(l.split(/[.[]/)[0]);
  });
});
