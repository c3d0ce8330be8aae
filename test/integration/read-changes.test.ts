/** Incremental reading (watermark), trashed pages and id reconciliation, against the emulator over HTTP. */
import { Client, LogLevel } from '@notionhq/client';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/server.js';
import type { EmuPage, Workspace } from '../../src/emulator/workspace.js';
import { NotionApi } from '../../src/notion/api.js';
import type { NotionPage } from '../../src/notion/types.js';
import { queryAllRows, readDataSourcePages } from '../../src/stages/read-pages.js';
import { QuerySlots } from '../../src/stages/read-ranges.js';
import { findTrashedPages } from '../../src/stages/read-trashed.js';
import { listAllIds } from '../../src/stages/reconcile.js';
import { at, DS_ID, itemPage, ITEMS_DS_ID, mainPage, rowsWorkspace } from '../emulator/fixtures.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function start(ws: Workspace, options: Partial<EmulatorOptions> = {}): Promise<{ emu: Emulator; api: NotionApi }> {
  emu = await startEmulator({ rateLimit: false, ...options, workspace: ws });
  return { emu, api: new NotionApi({ token: emu.token, baseUrl: emu.url, rateLimit: 10_000 }) };
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** The rows' ids sorted, to compare sets while keeping duplicates visible. */
const sortedIds = (rows: Array<{ id: string }>): string[] => rows.map((r) => r.id).sort();

function queries(e: Emulator): Array<{ body: any; query?: string }> {
  return e.log.filter((l) => l.endpoint === 'data_sources.query').map((l) => ({ body: l.body, query: l.query }));
}

function searches(e: Emulator): any[] {
  return e.log.filter((l) => l.endpoint === 'search').map((l) => l.body);
}

/** The earliest `on_or_after` of `timestamp` anywhere in a query filter (a restart nests it in `or`/`and`). */
function lowerBound(filter: unknown, timestamp: string): string {
  const found: string[] = [];
  const walk = (f: any): void => {
    if (Array.isArray(f)) f.forEach(walk);
    else if (f && typeof f === 'object') {
      if (f.timestamp === timestamp && f[timestamp]?.on_or_after) found.push(f[timestamp].on_or_after);
      Object.values(f).forEach(walk);
    }
  };
  walk(filter);
  return found.sort()[0]!;
}

// rowsWorkspace(n): row k created and last edited at minute k after 2024-01-01T00:00Z.
const edit = (page: EmuPage, minute: number): void => {
  page.last_edited_time = at(minute);
};

describe('incremental read (since)', () => {
  it('returns exactly the rows edited at or after the watermark minute, by last_edited_time, with a server-side filter', async () => {
    const ws = rowsWorkspace(300);
    // Watermark inside minute 1000 (seconds and milliseconds must be rounded down, not up).
    const since = new Date(Date.parse(at(1000)) + 42_500).toISOString();
    edit(ws.pages[10]!, 1000); // in the watermark's minute, before the watermark's seconds: must come
    edit(ws.pages[20]!, 999); // the minute before: must not
    edit(ws.pages[30]!, 1500);
    edit(ws.pages[40]!, 1001);
    edit(ws.pages[50]!, 1000);
    const { emu, api } = await start(ws);
    const rows = await collect(queryAllRows(api, DS_ID, { since }));
    const expected = ws.pages.filter((p) => p.last_edited_time >= at(1000));
    expect(expected).toHaveLength(4);
    expect(sortedIds(rows)).toEqual(sortedIds(expected));
    const times = rows.map((r) => r.last_edited_time);
    expect(times).toEqual([...times].sort());
    expect(rows.at(-1)!.id).toBe(ws.pages[30]!.id);
    const sent = queries(emu);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body.filter).toEqual({ timestamp: 'last_edited_time', last_edited_time: { on_or_after: at(1000) } });
    expect(sent[0]!.body.sorts).toEqual([{ timestamp: 'last_edited_time', direction: 'ascending' }, { timestamp: 'created_time', direction: 'ascending' }]);
    // Without since: the full read, unchanged.
    expect(await collect(queryAllRows(api, DS_ID))).toHaveLength(300);
  });

  it('two edits in the same minute, one before and one after the watermark was taken, both arrive', async () => {
    const ws = rowsWorkspace(50);
    const { api } = await start(ws);
    const a = ws.pages[5]!;
    const b = ws.pages[6]!;
    // Run 1 reads A, edited at 10:00:10 (Notion stores 10:00); its watermark is the run time 10:00:20.
    edit(a, 600);
    const first = await collect(queryAllRows(api, DS_ID, { since: at(500) }));
    expect(sortedIds(first)).toEqual([a.id]);
    const watermark = new Date(Date.parse(at(600)) + 20_000).toISOString();
    // B is edited at 10:00:40, after run 1: Notion stores 10:00 too.
    edit(b, 600);
    const second = await collect(queryAllRows(api, DS_ID, { since: watermark }));
    expect(sortedIds(second)).toEqual(sortedIds([a, b]));
  });

  it('passes the query cap with last_edited_time windows: every changed row exactly once', async () => {
    const ws = rowsWorkspace(700);
    // 520 changed rows, 7 per minute, so window boundaries fall inside minutes; the cap is 50.
    const changed = ws.pages.filter((_, i) => i % 4 !== 0).slice(0, 520);
    changed.forEach((p, i) => edit(p, 5000 + Math.floor(i / 7)));
    const { emu, api } = await start(ws, { queryResultLimit: 50 });
    const rows = await collect(queryAllRows(api, DS_ID, { since: at(5000), pageSize: 20 }));
    expect(rows).toHaveLength(520);
    expect(new Set(rows.map((r) => r.id)).size).toBe(520);
    expect(sortedIds(rows)).toEqual(sortedIds(changed));
    const times = rows.map((r) => r.last_edited_time);
    expect(times).toEqual([...times].sort());
    // Each query's lower bound (a parallel range cut into the data source also has an upper one).
    const windows = new Set(queries(emu).map((q) => lowerBound(q.body.filter, 'last_edited_time')));
    expect(windows.size).toBeGreaterThan(10);
    for (const w of windows) expect(w >= at(5000)).toBe(true);
  });

  it('a bulk edit (more rows in one edit minute than a query returns) is read past the cap, each row once, ordered by created_time inside the minute', async () => {
    const ws = rowsWorkspace(80);
    for (const p of ws.pages.slice(0, 60)) edit(p, 5000);
    const { emu, api } = await start(ws, { queryResultLimit: 50 });
    const rows = await collect(queryAllRows(api, DS_ID, { since: at(4000), slots: new QuerySlots(api, { max: 1 }) }));
    expect(rows.map((r) => r.id)).toEqual(ws.pages.slice(0, 60).map((p) => p.id)); // created minutes 1..60, in order
    const bodies = queries(emu).map((q) => q.body);
    expect(bodies.length).toBe(2); // the capped query, then one restart at (5000, the 50th row's created minute)
    expect(bodies[0].sorts).toEqual([{ timestamp: 'last_edited_time', direction: 'ascending' }, { timestamp: 'created_time', direction: 'ascending' }]);
    expect(JSON.stringify(bodies[1].filter)).toContain(`"created_time":{"on_or_after":"${at(50)}"}`);
  });

  it('rows sharing both their edit and created minute past the cap: read with a third key, window_stuck naming the fix without one', async () => {
    const ws = rowsWorkspace(80);
    ws.pages.splice(0, ws.pages.length, ...Array.from({ length: 80 }, (_, i) => mainPage(ws, { n: i + 1, created: 10, edited: i < 60 ? 5000 : 10 })));
    const { api } = await start(ws, { queryResultLimit: 50 });
    const err = await collect(queryAllRows(api, DS_ID, { since: at(4000) })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'window_stuck' });
    expect((err as Error).message).toContain(`created in the minute ${at(10)} and last edited in the minute ${at(5000)}`);
    expect((err as Error).message).toContain('add an ID (unique_id) property');
    const rows = await collect(queryAllRows(api, DS_ID, { since: at(4000), uniqueIdProperty: 'ID' }));
    expect(sortedIds(rows)).toEqual(sortedIds(ws.pages.slice(0, 60)));
    expect(new Set(rows.map((r) => r.id)).size).toBe(60);
  });

  it('a page edited during the read comes again later, with its newest version last', async () => {
    const ws = rowsWorkspace(300);
    ws.pages.forEach((p, i) => edit(p, 5000 + i));
    const { api } = await start(ws);
    const target = ws.pages[10]!;
    const rows: NotionPage[] = [];
    // One query in flight: one range, still open when the edit lands.
    for await (const row of queryAllRows(api, DS_ID, { since: at(5000), pageSize: 50, slots: new QuerySlots(api, { max: 1 }) })) {
      rows.push(row);
      if (rows.length === 60) edit(target, 9000); // already read, edited before the run ends
    }
    const seen = rows.filter((r) => r.id === target.id);
    expect(seen.map((r) => r.last_edited_time)).toEqual([at(5010), at(9000)]);
    expect(rows.at(-1)!.id).toBe(target.id);
    expect(new Set(rows.map((r) => r.id)).size).toBe(300);
  });

  it('in parallel ranges, a page edited during the read comes in this read or in the next one from its latest edit', async () => {
    const ws = rowsWorkspace(300);
    ws.pages.forEach((p, i) => edit(p, 5000 + i));
    const { emu, api } = await start(ws);
    const target = ws.pages[10]!;
    const rows: NotionPage[] = [];
    for await (const row of queryAllRows(api, DS_ID, { since: at(5000), pageSize: 20, slots: new QuerySlots(api, { min: 6 }) })) {
      rows.push(row);
      if (rows.length === 60) edit(target, 9000);
    }
    expect(queries(emu).some((q) => q.body.filter.and)).toBe(true); // cut into ranges
    expect(new Set(rows.map((r) => r.id)).size).toBe(300);
    const latest = rows.map((r) => r.last_edited_time).sort().at(-1)!;
    const next = await collect(queryAllRows(api, DS_ID, { since: latest }));
    const versions = [...rows, ...next].filter((r) => r.id === target.id).map((r) => r.last_edited_time);
    expect(versions.at(-1)).toBe(at(9000));
  });

  it('an incremental read of 1% changed rows costs ~1% of the requests of a full read', async () => {
    const ws = rowsWorkspace(10_000);
    const changed = ws.pages.filter((_, i) => i % 100 === 37);
    changed.forEach((p, i) => edit(p, 20_000 + i));
    const { emu, api } = await start(ws);
    const ds = await api.retrieveDataSource(DS_ID);
    emu.resetLog();
    const full = await collect(readDataSourcePages(api, ds));
    const fullRequests = emu.counters().requests;
    emu.resetLog();
    const incremental = await collect(readDataSourcePages(api, ds, { since: (d) => (d.id === DS_ID ? at(20_000) : undefined) }));
    const incrementalRequests = emu.counters().requests;
    expect(full).toHaveLength(10_000);
    expect(sortedIds(incremental)).toEqual(sortedIds(changed));
    // A full read may cut the data source into parallel created_time ranges: the minimum (100), plus
    // one probe for the last created_time, plus about one request per cut.
    expect(fullRequests).toBeGreaterThanOrEqual(100);
    expect(fullRequests).toBeLessThanOrEqual(115);
    expect(incrementalRequests).toBe(1);
    expect(incrementalRequests / fullRequests).toBeLessThanOrEqual(0.01);
  });
});

describe('trashed pages', () => {
  /** 2,000 rows in the main data source and 200 in the items data source. */
  function trashWorkspace(): Workspace {
    const ws = rowsWorkspace(2000);
    for (let n = 1; n <= 200; n++) ws.pages.push(itemPage(n, n, null));
    return ws;
  }
  const trash = (page: EmuPage, minute: number): void => {
    page.in_trash = true;
    page.last_edited_time = at(minute);
  };

  it('the emulator search filter in_trash returns only trashed objects, in both of its shapes', async () => {
    const ws = trashWorkspace();
    trash(ws.pages[3]!, 9000);
    const { emu } = await start(ws);
    const notion = new Client({ auth: emu.token, baseUrl: emu.url, retry: false, logLevel: LogLevel.ERROR, logger: () => {} });
    const standalone: any = await notion.search({ filter: { in_trash: true } });
    expect(standalone.results.map((r: any) => [r.id, r.in_trash])).toEqual([[ws.pages[3]!.id, true]]);
    const pages: any = await notion.search({ filter: { property: 'object', value: 'page', in_trash: true } });
    expect(pages.results.map((r: any) => r.id)).toEqual([ws.pages[3]!.id]);
    const sources: any = await notion.search({ filter: { property: 'object', value: 'data_source', in_trash: true } });
    expect(sources.results).toEqual([]);
    const live: any = await notion.search({ filter: { property: 'object', value: 'page', in_trash: false }, page_size: 100 });
    expect(live.results.some((r: any) => r.id === ws.pages[3]!.id)).toBe(false);
    await expect(notion.search({ filter: { in_trash: 'yes' as any } })).rejects.toMatchObject({ code: 'validation_error' });
  });

  it('finds the pages trashed since a time, with their data source, at one request per 100 trashed', async () => {
    const ws = trashWorkspace();
    const recent = [...ws.pages.slice(100, 330), ...ws.pages.slice(2050, 2070)]; // 250 trashed since the watermark
    recent.forEach((p, i) => trash(p, 10_000 + i));
    ws.pages.slice(500, 540).forEach((p, i) => trash(p, 9000 + i)); // 40 trashed before it
    const { emu, api } = await start(ws);
    const found = await findTrashedPages(api, new Date(Date.parse(at(10_000)) + 30_000).toISOString());
    expect(sortedIds(found)).toEqual(sortedIds(recent));
    for (const t of found) {
      const page = ws.pages.find((p) => p.id === t.id)!;
      expect(t.dataSourceId).toBe(page.data_source_id);
      expect(t.trashedTime).toBe(page.last_edited_time);
    }
    const sent = searches(emu);
    expect(sent).toHaveLength(3); // 250 trashed: ceil(250 / 100), not 2,200 / 100
    expect(emu.counters().requests).toBe(3);
    for (const body of sent) {
      expect(body.filter).toEqual({ property: 'object', value: 'page', in_trash: true });
      expect(body.sort).toEqual({ timestamp: 'last_edited_time', direction: 'descending' });
    }

    emu.resetLog();
    const items = await findTrashedPages(api, at(10_000), { dataSourceIds: [ITEMS_DS_ID.replace(/-/g, '')] });
    expect(sortedIds(items)).toEqual(sortedIds(ws.pages.slice(2050, 2070)));
    expect(items.every((t) => t.dataSourceId === ITEMS_DS_ID)).toBe(true);

    emu.resetLog();
    const few = await findTrashedPages(api, at(10_240));
    expect(few).toHaveLength(10);
    expect(searches(emu)).toHaveLength(1);

    const all = await findTrashedPages(api, undefined);
    expect(all).toHaveLength(290);
  });
});

describe('id reconciliation', () => {
  it('lists every id with filter_properties, one request per 100 rows', async () => {
    const ws = rowsWorkspace(1000);
    ws.pages[7]!.in_trash = true;
    ws.pages[8]!.shared = false;
    const { emu, api } = await start(ws);
    const ids = await listAllIds(api, DS_ID);
    const expected = ws.pages.filter((p) => !p.in_trash && p.shared).map((p) => p.id);
    expect([...ids].sort()).toEqual(expected.sort());
    const sent = queries(emu);
    // The minimum (10), plus one probe for the last created_time, plus about one per range cut.
    expect(sent.length).toBeGreaterThanOrEqual(10);
    expect(sent.length).toBeLessThanOrEqual(15);
    for (const q of sent) expect(new URLSearchParams(q.query).getAll('filter_properties')).toEqual(['title']);
  });

  it('passes the query cap with created_time windows', async () => {
    const ws = rowsWorkspace(600);
    // Several rows per creation minute, so windows restart inside a minute.
    ws.pages.forEach((p, i) => {
      p.created_time = at(Math.floor(i / 6));
    });
    const { emu, api } = await start(ws, { queryResultLimit: 50 });
    const ids = await listAllIds(api, DS_ID);
    expect([...ids].sort()).toEqual(sortedIds(ws.pages));
    const sent = queries(emu);
    expect(sent.length).toBeGreaterThan(12);
    for (const q of sent) expect(new URLSearchParams(q.query).getAll('filter_properties')).toEqual(['title']);
    // The payload really shrinks: a row carries only its title.
    for await (const row of queryAllRows(api, DS_ID, { filterProperties: ['title'], pageSize: 5 })) {
      expect(Object.keys(row.properties)).toEqual(['Name']);
      break;
    }
  });
});
