/**
 * The third sort key past the query cap: more rows sharing their created and last edited minute than
 * one query returns, read through the emulator over HTTP with a lowered result cap.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateWorkspace } from '../../src/emulator/generate.js';
import type { EmuPage, Workspace } from '../../src/emulator/workspace.js';
import { startEmulator, type Emulator, type FaultSpec } from '../../src/emulator/server.js';
import { NotionApi } from '../../src/index.js';
import type { NotionPage } from '../../src/notion/types.js';
import { readDataSourcePages } from '../../src/stages/read-pages.js';
import { QuerySlots, readRanges, type ReadRangesOptions } from '../../src/stages/read-ranges.js';
import { listAllIds } from '../../src/stages/reconcile.js';
import { chooseThirdKey, thirdKeyConditions, thirdValueOf, type ThirdKey } from '../../src/stages/third-key.js';

let emu: Emulator | undefined;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'third-key-test-'));
});
afterEach(async () => {
  await emu?.close();
  emu = undefined;
  await rm(dir, { recursive: true, force: true });
});

const POINTS: ThirdKey = { property: 'Points', type: 'number' };
const DATE: ThirdKey = { property: 'Date', type: 'date' };

/**
 * One 'simple' data source (title, Points number, Date, ...; no unique_id) of `pages` rows, `perMinute`
 * created in each minute and last edited in it (a bulk import), served with a result cap of `cap`.
 */
async function serve(pages: number, perMinute: number, cap: number, change?: (ws: Workspace) => void, titleOnly = false) {
  const workspace = generateWorkspace({
    seed: 5,
    users: 3,
    databases: [{ title: 'Import', dataSources: [{ title: 'Import', pages, kind: 'simple', content: false, pagesPerMinute: perMinute, edited: 'created', titleOnly }] }],
  });
  change?.(workspace);
  emu = await startEmulator({ workspace, rateLimit: false, queryResultLimit: cap });
  return { id: workspace.dataSources[0]!.id, workspace };
}

function api(): NotionApi {
  return new NotionApi({ token: emu!.token, baseUrl: emu!.url, rateLimit: 1000, backoffBaseMs: 1 });
}

async function read(rows: AsyncIterable<NotionPage>): Promise<NotionPage[]> {
  const out: NotionPage[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

/** Sets a page's Points value (null: empty). */
function setPoints(p: EmuPage, n: number | null): void {
  (p.properties.Points as unknown as { number: number | null }).number = n;
}

/** Sets a page's Date start (null: empty). */
function setDate(p: EmuPage, start: string | null): void {
  (p.properties.Date as unknown as { date: unknown }).date = start === null ? null : { start, end: null, time_zone: null };
}

/**
 * The order one uncapped query gives: created, edited, the key ascending with empties last, then
 * the emulator's tie-break (id). Dates order by their start instant.
 */
function expectedOrder(ws: Workspace, key: ThirdKey): string[] {
  const value = (p: EmuPage): number | null => {
    const v = p.properties[key.property] as Record<string, unknown>;
    if (key.type === 'date') {
      const start = (v.date as { start?: string } | null)?.start;
      return start === undefined ? null : Date.parse(start);
    }
    return v[key.type] as number | null;
  };
  return [...ws.pages]
    .sort((a, b) => {
      const t = a.created_time.localeCompare(b.created_time) || a.last_edited_time.localeCompare(b.last_edited_time);
      if (t !== 0) return t;
      const x = value(a);
      const y = value(b);
      if (x !== y) {
        if (x === null) return 1;
        if (y === null) return -1;
        return x - y;
      }
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    })
    .map((p) => p.id);
}

/** The query filters sent, as JSON text. */
const filtersSent = () => emu!.log.filter((l) => l.endpoint === 'data_sources.query').map((l) => JSON.stringify((l.body as { filter?: unknown }).filter ?? {}));

/** Many readers at latency 0, small pages: range cuts at every created minute. */
function parallel(a: NotionApi, extra: ReadRangesOptions = {}): ReadRangesOptions {
  return { pageSize: 20, minSplitRows: 30, costlyCuts: 1, spoolItems: 5, spoolDir: dir, slots: new QuerySlots(a, { min: 6 }), ...extra };
}

describe('a number property as the third key', () => {
  /**
   * 1,000 rows in one minute pair, cap 300: Points in groups of 40 equal values (so the cap falls inside
   * a group of ties), the last 250 rows empty (so a restart falls inside the empties, which sort last).
   */
  const ties = (ws: Workspace) => ws.pages.forEach((p, i) => setPoints(p, i >= 750 ? null : 1000 - Math.floor(i / 40)));

  it('reads every row once, in the key\'s order with empties last, with ties and empties across the cap', async () => {
    const { id, workspace } = await serve(1000, 1000, 300, ties);
    const a = api();
    const rows = await read(readRanges(a, id, { slots: new QuerySlots(a, { max: 1 }), thirdKey: POINTS }));
    expect(rows).toHaveLength(1000);
    expect(new Set(rows.map((r) => r.id)).size).toBe(1000);
    expect(rows.map((r) => r.id)).toEqual(expectedOrder(workspace, POINTS));
    const filters = filtersSent();
    // Restarts at a tied value (>=, its rows read again and skipped by id) and inside the empties.
    expect(filters.some((f) => f.includes('"greater_than_or_equal_to"'))).toBe(true);
    expect(filters.some((f) => f.includes('"is_empty":true') && !f.includes('"greater_than_or_equal_to"'))).toBe(true);
    // 10 pages, the probe, and per restart (4) at most one page of re-read ties.
    expect(a.stats.requests).toBeLessThanOrEqual(10 + 1 + 4);
  });

  it('gives the same rows in the same order across range cuts, expired cursors and server faults', async () => {
    // Three created minutes of 500 rows each, every one past the cap of 300.
    const { id, workspace } = await serve(1500, 500, 300, (ws) => ws.pages.forEach((p, i) => setPoints(p, i % 500 >= 400 ? null : Math.floor((i % 500) / 30))));
    const faults: FaultSpec[] = [
      { endpoint: 'data_sources.query', kind: 'expired_cursor', probability: 0.15, count: Infinity },
      { endpoint: 'data_sources.query', kind: 'internal_server_error', probability: 0.1, count: Infinity },
    ];
    for (const f of faults) emu!.inject(f);
    const a = api();
    const rows = await read(readRanges(a, id, parallel(a, { thirdKey: POINTS })));
    expect(emu!.log.filter((l) => l.fault === 'expired_cursor').length).toBeGreaterThan(2);
    // Cut into ranges: queries with different created_time lower bounds.
    const starts = new Set(filtersSent().map((f) => /"created_time":\{"on_or_after":"([^"]+)"/.exec(f)?.[1]).filter(Boolean));
    expect(starts.size).toBeGreaterThan(1);
    expect(rows.map((r) => r.id)).toEqual(expectedOrder(workspace, POINTS));
  });

  it('keeps the key\'s property in rows narrowed by filter_properties (titles only)', async () => {
    const { id, workspace } = await serve(1000, 1000, 300, ties);
    const key = { ...POINTS, id: workspace.dataSources[0]!.properties.Points!.id };
    const a = api();
    const rows = await read(readRanges(a, id, { slots: new QuerySlots(a, { max: 1 }), thirdKey: key, filterProperties: ['title'] }));
    expect(rows.map((r) => r.id)).toEqual(expectedOrder(workspace, POINTS));
    expect(Object.keys(rows[0]!.properties).sort()).toEqual(['Name', 'Points']);
  });

  it('rows without the key\'s property (its id unknown, narrowed away) stop with window_stuck rather than lose rows', async () => {
    const { id } = await serve(1000, 1000, 300, ties);
    const err = await read(readRanges(api(), id, { thirdKey: POINTS, filterProperties: ['title'] })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'window_stuck' });
    expect(String((err as Error).message)).toMatch(/lack "Points"/);
  });

  it('the reconciliation listing reads past the cap on the key chosen from the schema (titles only)', async () => {
    const { id, workspace } = await serve(1000, 1000, 300, ties);
    const thirdKey = chooseThirdKey(workspace.dataSources[0]!.properties);
    expect(thirdKey).toMatchObject(POINTS);
    const ids = await listAllIds(api(), id, { thirdKey });
    expect([...ids].sort()).toEqual(workspace.pages.map((p) => p.id).sort());
    // Without the key the same listing cannot pass the cap.
    await expect(listAllIds(api(), id)).rejects.toMatchObject({ code: 'window_stuck' });
  });

  it('the page reader picks the number property of a data source without an ID property', async () => {
    const { id, workspace } = await serve(1000, 1000, 300, ties);
    const a = api();
    const ds = await a.retrieveDataSource(id);
    const rows = await read(readDataSourcePages(a, ds));
    expect(rows.map((r) => r.id)).toEqual(expectedOrder(workspace, POINTS));
  });

  it('stays within 5% of the minimum requests at Notion\'s proportions (2.5 capped queries of 100 pages)', async () => {
    // 25,000 rows, cap 10,000, pages of 100, scaled down by 5: 5,000 rows, cap 2,000, pages of 20;
    // Points as the generator makes them (0 to 1,000, 10% empty).
    const { id } = await serve(5000, 5000, 2000);
    const a = api();
    const rows = await read(readRanges(a, id, { pageSize: 20, thirdKey: POINTS }));
    expect(new Set(rows.map((r) => r.id)).size).toBe(5000);
    expect(rows).toHaveLength(5000);
    const minimum = 5000 / 20;
    expect(a.stats.requests).toBeLessThanOrEqual(Math.floor(minimum * 1.05));
  });

  it('stops with window_stuck naming the value and the fix when more rows than a query returns share it', async () => {
    const { id } = await serve(500, 500, 300, (ws) => ws.pages.forEach((p, i) => setPoints(p, i < 50 ? i : 7)));
    const a = api();
    const err = await read(readRanges(a, id, { thirdKey: POINTS })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'window_stuck', retryable: false });
    expect(String((err as Error).message)).toMatch(/"Points" = 7.*add an ID \(unique_id\) property/);
    // Found without reading the tied rows a second time: the capped query held nothing else.
    expect(a.stats.requests).toBeLessThanOrEqual(1 + 1 + 4 + 3);
  });

  it('and when more empty values than a query returns share both minutes', async () => {
    const { id } = await serve(500, 500, 300, (ws) => ws.pages.forEach((p, i) => setPoints(p, i < 100 ? i : null)));
    const err = await read(readRanges(api(), id, { thirdKey: POINTS })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'window_stuck' });
    expect(String((err as Error).message)).toMatch(/an empty "Points"/);
  });
});

describe('a date property as the third key', () => {
  it('reads every row once in start order, whole days restarted on_or_after, datetimes with offsets and empties included', async () => {
    const day = (k: number) => new Date(Date.UTC(2024, 4, 1) + k * 86_400_000).toISOString().slice(0, 10);
    const { id, workspace } = await serve(1000, 1000, 300, (ws) =>
      ws.pages.forEach((p, i) => {
        if (i >= 800) return setDate(p, null);
        const d = day(Math.floor(i / 45));
        // Date-only, a datetime later that day, and one whose offset puts it on the UTC day before.
        setDate(p, i % 3 === 0 ? d : i % 3 === 1 ? `${d}T10:00:00.000+02:00` : `${d}T01:30:00.000+05:00`);
      }),
    );
    const a = api();
    const rows = await read(readRanges(a, id, { slots: new QuerySlots(a, { max: 1 }), thirdKey: DATE }));
    expect(rows).toHaveLength(1000);
    expect(new Set(rows.map((r) => r.id)).size).toBe(1000);
    expect(rows.map((r) => r.id)).toEqual(expectedOrder(workspace, DATE));
    expect(filtersSent().some((f) => /"date":\{"on_or_after":"\d{4}-\d{2}-\d{2}"\}/.test(f))).toBe(true);
    expect(a.stats.requests).toBeLessThanOrEqual(10 + 1 + 4);
  });

  it('the page reader picks the date when the data source has no number', async () => {
    const { id, workspace } = await serve(700, 700, 300, (ws) => {
      delete ws.dataSources[0]!.properties.Points;
      ws.pages.forEach((p, i) => {
        delete p.properties.Points;
        setDate(p, i % 10 === 0 ? null : `2024-06-${String(1 + (i % 28)).padStart(2, '0')}`);
      });
    });
    const a = api();
    const ds = await a.retrieveDataSource(id);
    expect(chooseThirdKey(ds.properties)).toMatchObject(DATE);
    expect((await read(readDataSourcePages(a, ds))).map((r) => r.id)).toEqual(expectedOrder(workspace, DATE));
  });
});

describe('a title-only data source', () => {
  it('stops with window_stuck, naming the fix, when more rows than a query returns share both minutes', async () => {
    const { id } = await serve(500, 500, 300, undefined, true);
    const a = api();
    const ds = await a.retrieveDataSource(id);
    expect(chooseThirdKey(ds.properties)).toBeUndefined();
    const err = await read(readDataSourcePages(a, ds)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'window_stuck', retryable: false });
    expect(String((err as Error).message)).toMatch(/no property to order them by; add an ID \(unique_id\) property/);
  });

  it('is read when no minute pair holds more rows than a query returns', async () => {
    const { id } = await serve(500, 250, 300, undefined, true);
    const a = api();
    expect(await read(readDataSourcePages(a, await a.retrieveDataSource(id)))).toHaveLength(500);
  });
});

describe('chooseThirdKey, thirdValueOf, thirdKeyConditions', () => {
  it('prefers unique_id, then a number, then a date, in schema order', () => {
    const schema = { A: { type: 'title' }, B: { type: 'date' }, C: { type: 'number' }, D: { type: 'number' }, E: { type: 'unique_id' } };
    expect(chooseThirdKey(schema)).toEqual({ property: 'E', type: 'unique_id' });
    const { E: _e, ...noId } = schema;
    expect(chooseThirdKey(noId)).toEqual({ property: 'C', type: 'number' });
    expect(chooseThirdKey({ A: { type: 'title' }, B: { type: 'date' }, F: { type: 'formula' } })).toEqual({ property: 'B', type: 'date' });
    expect(chooseThirdKey({ A: { type: 'title' }, R: { type: 'rich_text' } })).toBeUndefined();
  });

  it('groups dates by the UTC day of their start and restarts numbers at >= with the empties', () => {
    const row = (props: Record<string, unknown>) => ({ object: 'page', id: 'x', properties: props }) as unknown as NotionPage;
    expect(thirdValueOf(row({ Date: { type: 'date', date: { start: '2024-05-02T01:30:00.000+05:00' } } }), DATE)).toBe('2024-05-01');
    expect(thirdValueOf(row({ Date: { type: 'date', date: null } }), DATE)).toBeNull();
    expect(thirdValueOf(row({ Points: { type: 'number', number: 0 } }), POINTS)).toBe(0);
    expect(thirdKeyConditions(POINTS, 4)).toEqual([
      { property: 'Points', number: { greater_than_or_equal_to: 4 } },
      { property: 'Points', number: { is_empty: true } },
    ]);
    expect(thirdKeyConditions(POINTS, null)).toEqual([{ property: 'Points', number: { is_empty: true } }]);
    expect(thirdKeyConditions({ property: 'ID', type: 'unique_id' }, 9)).toEqual([{ property: 'ID', unique_id: { greater_than: 9 } }]);
  });
});
