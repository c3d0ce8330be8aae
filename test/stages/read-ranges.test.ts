/** Parallel created_time ranges inside one data source, against the emulator over HTTP. */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateWorkspace } from '../../src/emulator/generate.js';
import type { Workspace } from '../../src/emulator/workspace.js';
import { startEmulator, type Emulator, type FaultSpec } from '../../src/emulator/server.js';
import { NotionApi } from '../../src/index.js';
import type { NotionPage } from '../../src/notion/types.js';
import { queryWindowed, uniqueIdOf } from '../../src/stages/query-window.js';
import { queryAllRows, readDataSourcePages } from '../../src/stages/read-pages.js';
import { planCut, QuerySlots, readRanges, type ReadRangesOptions } from '../../src/stages/read-ranges.js';

let emu: Emulator | undefined;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ranges-test-'));
});
afterEach(async () => {
  await emu?.close();
  emu = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** One data source of `pages` rows, `perMinute` created in each minute. */
async function serve(pages: number, perMinute: number, queryResultLimit?: number, change?: (ws: Workspace) => void, latencyMs?: number) {
  const workspace = generateWorkspace({ seed: 3, users: 3, databases: [{ title: 'Rows', dataSources: [{ title: 'Rows', pages, kind: 'simple', content: false, pagesPerMinute: perMinute }] }] });
  change?.(workspace);
  emu = await startEmulator({ workspace, rateLimit: false, ...(queryResultLimit ? { queryResultLimit } : {}), ...(latencyMs ? { latencyMs } : {}) });
  return workspace.dataSources[0]!.id;
}

function api(): NotionApi {
  return new NotionApi({ token: emu!.token, baseUrl: emu!.url, rateLimit: 1000, backoffBaseMs: 1 });
}

async function ids(rows: AsyncIterable<NotionPage>): Promise<string[]> {
  const out: string[] = [];
  for await (const row of rows) out.push(row.id);
  return out;
}

/** What one plain sequential query loop returns: the order every parallel read must reproduce. */
async function sequential(dataSourceId: string): Promise<string[]> {
  return ids(queryWindowed(api(), dataSourceId, { timestamp: 'created_time' }));
}

/** Many readers at latency 0: cuts small ranges so splits happen often. */
function parallel(a: NotionApi, extra: ReadRangesOptions = {}): ReadRangesOptions {
  return { pageSize: 20, minSplitRows: 30, costlyCuts: 1, spoolItems: 5, spoolDir: dir, slots: new QuerySlots(a, { min: 6 }), ...extra };
}

/** Distinct lower bounds the queries used: more than one means the data source was cut into ranges. */
function rangeStarts(timestamp: 'created_time' | 'last_edited_time' = 'created_time'): Set<string> {
  type Bound = Record<string, { on_or_after?: string } | undefined>;
  const starts = new Set<string>();
  for (const l of emu!.log) {
    const f = (l.body as { filter?: Bound & { and?: Bound[] } } | undefined)?.filter;
    const from = f?.[timestamp]?.on_or_after ?? f?.and?.[0]?.[timestamp]?.on_or_after;
    if (l.endpoint === 'data_sources.query' && from) starts.add(from);
  }
  return starts;
}

describe('readRanges', () => {
  it('reads every row exactly once, in the order of one sequential query, across many range cuts', async () => {
    const id = await serve(1500, 3);
    const expected = await sequential(id);
    const a = api();
    const got = await ids(readRanges(a, id, parallel(a)));
    expect(rangeStarts().size).toBeGreaterThan(5);
    expect(new Set(got).size).toBe(1500);
    expect(got).toEqual(expected);
    expect(await readdir(dir)).toEqual([]);
  });

  it('never splits a minute: many rows per minute land on range boundaries exactly once', async () => {
    const id = await serve(1200, 37);
    const expected = await sequential(id);
    const a = api();
    const got = await ids(readRanges(a, id, parallel(a, { minSplitRows: 10 })));
    expect(rangeStarts().size).toBeGreaterThan(3);
    expect(got).toEqual(expected);
  });

  it('keeps the result cap and expired cursors per range, and survives server faults, with the same output', async () => {
    const id = await serve(1500, 4, 130);
    const expected = await sequential(id);
    const faults: FaultSpec[] = [
      { endpoint: 'data_sources.query', kind: 'expired_cursor', probability: 0.1, count: Infinity },
      { endpoint: 'data_sources.query', kind: 'internal_server_error', probability: 0.1, count: Infinity },
      { endpoint: 'data_sources.query', kind: 'gateway_timeout', probability: 0.05, count: Infinity },
    ];
    for (const f of faults) emu!.inject(f);
    const a = api();
    const got = await ids(readRanges(a, id, parallel(a)));
    expect(emu!.log.filter((l) => l.fault).length).toBeGreaterThan(5);
    expect(rangeStarts().size).toBeGreaterThan(5);
    expect(got).toEqual(expected);
  });

  it('an abort stops every reader and leaves no spool file', async () => {
    const id = await serve(1500, 3);
    const a = api();
    const controller = new AbortController();
    let n = 0;
    await expect(
      (async () => {
        for await (const _row of readRanges(a, id, parallel(a, { signal: controller.signal }))) if (++n === 200) controller.abort();
      })(),
    ).rejects.toMatchObject({ code: 'aborted' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('with one query slot it makes the minimum requests plus one probe', async () => {
    const id = await serve(1000, 3);
    const a = api();
    const got = await ids(readRanges(a, id, { slots: new QuerySlots(a, { max: 1 }) }));
    expect(got).toHaveLength(1000);
    expect(a.stats.requests).toBe(10 + 1);
  });

  it('reads a bulk import past the result cap: every row of one created minute once, few requests, stable order', async () => {
    // 1,200 rows created in one minute against a cap of about a third of them: the shape of 25,000 rows
    // against Notion's 10,000. The generator spreads last_edited_time (40% never edited after
    // creation); the cap stays above the largest (created, edited) minute pair, as in the bench case.
    const probeWs = generateWorkspace({ seed: 3, users: 3, databases: [{ title: 'Rows', dataSources: [{ title: 'Rows', pages: 1200, kind: 'simple', content: false, pagesPerMinute: 1200 }] }] });
    const pairs = new Map<string, number>();
    for (const p of probeWs.pages) pairs.set(p.last_edited_time, (pairs.get(p.last_edited_time) ?? 0) + 1);
    const cap = Math.max(...pairs.values()) + 20;
    expect(cap * 2).toBeLessThan(1200);
    const id = await serve(1200, 1200, cap);
    const a = api();
    const got = await ids(readRanges(a, id, { slots: new QuerySlots(a, { max: 1 }) }));
    expect(new Set(got).size).toBe(1200);
    expect(got).toHaveLength(1200);
    // The minimum (12 pages of 100), the probe, and per query restart at the cap its partly re-read
    // boundary page: at Notion's scale (250 pages, 2 restarts) this is within 2%.
    expect(a.stats.requests).toBeLessThanOrEqual(12 + 1 + 2 * Math.ceil(1200 / cap));
    const b = api();
    expect(await ids(readRanges(b, id, parallel(b)))).toEqual(got);
  });

  it('stops with window_stuck when one (created, edited) minute pair holds more rows than a query returns', async () => {
    const id = await serve(400, 400, 300, (ws) => {
      for (const p of ws.pages) p.last_edited_time = p.created_time;
    });
    const a = api();
    await expect(ids(readRanges(a, id))).rejects.toMatchObject({ code: 'window_stuck', retryable: false });
  });

  it('at a latency, sends the probe with the first page and cuts at whole query pages: every row once, in order, near the minimum requests', async () => {
    const id = await serve(3000, 3, undefined, undefined, 150);
    const expected = await sequential(id);
    emu!.resetLog();
    // The first page's answer is held back until the probe arrives (or 5 s pass): a reader that waits
    // for the first page before sending the probe is caught without timing anything.
    let probeSeen!: () => void;
    const probeArrived = new Promise<void>((r) => (probeSeen = r));
    let held = 0;
    let probeBeforeFirstPage: boolean | undefined;
    const gated: typeof fetch = async (url, init) => {
      const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as { sorts?: { direction: string }[]; start_cursor?: string }) : {};
      const response = fetch(url, init);
      if (body.sorts?.[0]?.direction === 'descending') probeSeen();
      else if (String(url).endsWith('/query') && body.start_cursor === undefined && ++held === 2) {
        // The 2nd first page: the 1st is the request that measures the latency below.
        probeBeforeFirstPage = await Promise.race([probeArrived.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5_000))]);
      }
      return response;
    };
    const a = new NotionApi({ token: emu!.token, baseUrl: emu!.url, rateLimit: 1000, backoffBaseMs: 1, fetch: gated });
    // The latency is known before the first query (from the search in a run; here a first request).
    await a.queryDataSource(id, () => ({ page_size: 1 }));
    emu!.resetLog();
    const got = await ids(readRanges(a, id, { pageSize: 20, spoolDir: dir }));
    expect(got).toEqual(expected);
    expect(rangeStarts().size).toBeGreaterThan(3);
    const queries = emu!.log.filter((l) => l.endpoint === 'data_sources.query');
    // Sent before the first page was answered.
    expect(probeBeforeFirstPage).toBe(true);
    // 150 pages of 20, the probe, and at most 3% for cuts that could not come out of a page's room
    // (2% planned, the rest for errors in the estimated rows per minute).
    expect(queries.length).toBeLessThanOrEqual(Math.floor(150 * 1.03) + 1);
    expect(await readdir(dir)).toEqual([]);
  });

  it('reads incremental ranges on last_edited_time from a watermark: the rows of one sequential query, past faults inside cut ranges', async () => {
    const id = await serve(1500, 4, 130);
    const from = '2024-01-05T00:00:00.000Z';
    const expected = await ids(queryWindowed(api(), id, { timestamp: 'last_edited_time', from }));
    expect(expected.length).toBeGreaterThan(200);
    for (const f of [
      { endpoint: 'data_sources.query', kind: 'rate_limited', count: 2 },
      { endpoint: 'data_sources.query', kind: 'expired_cursor', probability: 0.1, count: Infinity },
      { endpoint: 'data_sources.query', kind: 'internal_server_error', probability: 0.1, count: Infinity },
    ] satisfies FaultSpec[])
      emu!.inject(f);
    emu!.resetLog();
    const a = api();
    const got = await ids(readRanges(a, id, parallel(a, { timestamp: 'last_edited_time', from })));
    expect(rangeStarts('last_edited_time').size).toBeGreaterThan(5);
    expect(emu!.log.filter((l) => l.fault).length).toBeGreaterThan(3);
    expect(emu!.log.some((l) => l.fault === 'rate_limited')).toBe(true);
    expect(got).toEqual(expected);
    expect(await readdir(dir)).toEqual([]);
    // Incremental reads of the page reader (`since`) take this path.
    emu!.clearFaults();
    emu!.resetLog();
    const b = api();
    expect(await ids(queryAllRows(b, id, { since: '2024-01-05T00:00:30.000Z', pageSize: 20, slots: new QuerySlots(b, { min: 6 }) }))).toEqual(expected);
    // Cut ranges carry an upper bound (restarts at the result cap do not).
    expect(emu!.log.some((l) => JSON.stringify(l.body ?? {}).includes('"last_edited_time":{"before"'))).toBe(true);
  });
});

describe('more rows in one (created, edited) minute pair than a query returns', () => {
  /** `pages` rows sharing one created and one last edited minute, numbered by a `unique_id` property in another order. */
  const bulk = (pages: number) => (ws: Workspace) => {
    const ds = ws.dataSources[0]!;
    ds.properties.ID = { id: 'uid%3A', name: 'ID', type: 'unique_id', unique_id: { prefix: 'ROW' } };
    ws.pages.forEach((p, i) => {
      p.last_edited_time = p.created_time;
      p.properties.ID = { id: 'uid%3A', type: 'unique_id', unique_id: { prefix: 'ROW', number: ((i * 7919) % pages) + 1 } };
    });
  };

  it('reads them all once with the unique_id property as the third key, in its order, at the minimum requests plus the cap restarts', async () => {
    const id = await serve(1000, 1000, 300, bulk(1000));
    const a = api();
    const rows: NotionPage[] = [];
    for await (const row of readRanges(a, id, { slots: new QuerySlots(a, { max: 1 }), uniqueIdProperty: 'ID' })) rows.push(row);
    expect(new Set(rows.map((r) => r.id)).size).toBe(1000);
    expect(rows).toHaveLength(1000);
    const numbers = rows.map((r) => uniqueIdOf(r, 'ID')!);
    expect(numbers).toEqual([...numbers].sort((x, y) => x - y));
    // 10 pages, the probe, and one partly filled page per restart at the cap (every 300 rows).
    expect(a.stats.requests).toBeLessThanOrEqual(10 + 1 + 3);
    const filters = emu!.log.filter((l) => l.endpoint === 'data_sources.query').map((l) => JSON.stringify((l.body as { filter?: unknown }).filter ?? {}));
    expect(filters.some((f) => f.includes('"unique_id":{"greater_than"'))).toBe(true);
  });

  it('the page reader finds the data source\'s unique_id property by itself', async () => {
    const id = await serve(1000, 1000, 300, bulk(1000));
    const a = api();
    const ds = await a.retrieveDataSource(id);
    expect(await ids(readDataSourcePages(a, ds))).toHaveLength(1000);
  });

  it('without a third key (none given) still stops with window_stuck', async () => {
    const id = await serve(1000, 1000, 300, bulk(1000));
    const a = api();
    await expect(ids(readRanges(a, id))).rejects.toMatchObject({ code: 'window_stuck' });
  });
});

describe('planCut', () => {
  const MIN = 60_000;
  const base = { from: 0, perMinute: 3, pageSize: 100, pageOffset: 0 };

  it('leaves the reader whole pages minus a margin from the range\'s room, at a whole minute inside the range', () => {
    // 1,000 minutes of 3 rows: 3,000 rows, 30 full pages, no room: a cut costs one request.
    const tight = planCut({ ...base, to: 1000 * MIN })!;
    expect(tight.costly).toBe(true);
    expect(tight.at % MIN).toBe(0);
    expect(tight.at / MIN).toBe(Math.floor((15 * 100 - 4) / 3));
    // 990 minutes: 2,970 rows, 30 pages with room for 30 more rows: the margin (15 rows) comes out of it.
    const roomy = planCut({ ...base, to: 990 * MIN })!;
    expect(roomy.costly).toBe(false);
    expect(roomy.at / MIN).toBe(Math.floor((15 * 100 - 15) / 3));
    // Counted from the reader's current page: 40 rows of it are already read.
    const mid = planCut({ ...base, to: 990 * MIN, pageOffset: 40 })!;
    // 3,010 rows from the page start: 31 pages with room for 90.
    expect(mid.at / MIN).toBe(Math.floor((16 * 100 - 45 - 40) / 3));
  });

  it('does not cut a range of less than two minutes, or without rows', () => {
    expect(planCut({ ...base, to: MIN })).toBeUndefined();
    // A minute holds more rows than a page: still cut at a whole minute, at the cost of a request.
    expect(planCut({ ...base, perMinute: 200, to: 3 * MIN })).toEqual({ at: MIN, costly: true });
    expect(planCut({ ...base, perMinute: 0, to: 100 * MIN })).toBeUndefined();
  });
});
