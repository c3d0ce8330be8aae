/**
 * Values as Notion sends them, end to end: typed empty formulas, renames in full runs, fields that must
 * not be dropped. The handed cases in test/fixtures/cases/ go through `flatten | split | load` (.ndjson)
 * or are served by the emulator (.json seeds).
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queryDuckDb } from '../support/duckdb.js';
import { describe, expect, it } from 'vitest';
import { ALL_TYPES_PROPERTIES, allTypesIds, allTypesWorkspace } from '../../src/emulator/generate.js';
import { loadWorkspace } from '../../src/emulator/seed.js';
import { runCli } from '../support/cli.js';
import { useEmulatorAndBigQuery } from '../support/emulator-bigquery.js';
import { bigQueryTables, duckDbTables } from '../support/warehouse-rows.js';
import { startEmulator } from '../../src/emulator/server.js';

const CASES = new URL('../fixtures/cases/', import.meta.url);
const caseText = (name: string) => readFile(new URL(name, CASES), 'utf8');
const caseWorkspace = (name: string) => loadWorkspace(new URL(name, CASES).pathname);
const tmp = () => mkdtemp(join(tmpdir(), 'ns-values-'));
const fast = ['--rate-limit', '1000', '--quiet'];

/** `flatten | split | load --to duckdb --out <db>` over a `pages` NDJSON text; the load's result. */
async function pipeToDuckDb(pages: string, db: string, load: string[] = []) {
  const flat = await runCli(['flatten', '--assume-complete'], {}, undefined, pages); // the handed files have no end line
  expect(flat.stderr).toBe('');
  expect(flat.code).toBe(0);
  const split = await runCli(['split'], {}, undefined, flat.stdout);
  expect(split.code).toBe(0);
  return runCli(['load', '--to', 'duckdb', '--out', db, ...load], {}, undefined, split.stdout);
}

const query = queryDuckDb;

describe('a formula whose values are all empty still has its type (18c)', () => {
  it('day 1 (all empty) makes date columns, so day 2 (dated rows) loads into them', async () => {
    const db = join(await tmp(), 'tickets.duckdb');
    const day1 = await pipeToDuckDb(await caseText('18c-formula-small-table-day1.ndjson'), db);
    expect(day1.code).toBe(0);
    const types = Object.fromEntries((await query(db, `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'small_tickets'`)).map((r) => [r.column_name, r.data_type]));
    expect(types.review_due).toBe('DATE');
    expect(types.review_due_at).toBe('TIMESTAMP WITH TIME ZONE');

    const day2 = await pipeToDuckDb(await caseText('18c-formula-small-table-day2.ndjson'), db);
    expect(day2.stderr).not.toMatch(/error|cannot/i);
    expect(day2.code).toBe(0);
    const rows = await query(db, `SELECT id, CAST(review_due AS VARCHAR) AS d, review_due_at AS at, review_due_is_datetime AS dt, CAST(closed AS VARCHAR) AS closed FROM small_tickets ORDER BY id`);
    expect(rows).toEqual([
      { id: 'e9000000-0000-4000-8000-000000000011', d: null, at: null, dt: null, closed: null },
      { id: 'e9000000-0000-4000-8000-000000000012', d: null, at: null, dt: null, closed: null },
      // A date-only value fills the main column; there is no instant to give.
      { id: 'e9000000-0000-4000-8000-000000000013', d: '2025-05-15', at: null, dt: false, closed: '2025-05-01' },
    ]);
  });

  it('a formula that really changes its result type still stops, naming table and column', async () => {
    const lines = (await caseText('18c-formula-small-table-day2.ndjson')).trim().split('\n');
    const last = JSON.parse(lines.at(-1)!);
    last.id = 'e9000000-0000-4000-8000-000000000099';
    last.properties['Review due'].formula = { type: 'string', string: 'soon' };
    const flat = await runCli(['flatten', '--assume-complete'], {}, undefined, [...lines, JSON.stringify(last)].join('\n') + '\n');
    expect(flat.code).toBe(1);
    expect(flat.stderr).toMatch(/Table "small_tickets", column "review_due" \(Notion property "Review due", formula\).*returned a string value, but the column holds date values/);
  });
});

describe('a renamed property keeps its column in full runs (20)', () => {
  const h = useEmulatorAndBigQuery();

  it('DuckDB: a second full sync after the rename fills the same column, as an incremental run does', async () => {
    const dir = await tmp();
    const full = join(dir, 'full.duckdb');
    const incremental = join(dir, 'incremental.duckdb');
    for (const [seed, flags] of [['20-property-renamed-before.json', []], ['20-property-renamed-after.json', []]] as const) {
      const emu = await startEmulator({ workspace: await caseWorkspace(seed), rateLimit: false });
      try {
        const env = { NOTION_TOKEN: emu.token, NOTION_BASE_URL: emu.url };
        expect((await runCli(['sync', ...fast, ...flags, '--out', full], env)).code).toBe(0);
        expect((await runCli(['sync', '--incremental', ...fast, '--out', incremental], env)).code).toBe(0);
      } finally {
        await emu.close();
      }
    }
    const rows = await query(full, `SELECT estimate FROM jobs ORDER BY id`);
    expect(rows.map((r) => r.estimate)).toEqual([10, 99, 30]);
    const columns = (await query(full, `SELECT column_name, comment FROM duckdb_columns() WHERE table_name = 'jobs'`)).map((r) => r.column_name);
    expect(columns).not.toContain('estimate_hours');
    expect(await query(full, `SELECT comment FROM duckdb_columns() WHERE table_name = 'jobs' AND column_name = 'estimate'`)).toEqual([{ comment: 'Estimate (hours)' }]);
    expect(await duckDbTables(full)).toEqual(await duckDbTables(incremental));
  });

  it('BigQuery: the same, through load jobs', async () => {
    const env1 = await h.serve(await caseWorkspace('20-property-renamed-before.json'));
    expect((await runCli(['sync', ...fast, ...h.toBigQuery('full')], env1)).code).toBe(0);
    expect((await runCli(['sync', '--incremental', ...fast, ...h.toBigQuery('incr')], env1)).code).toBe(0);
    await h.emu!.close();
    h.emu = await startEmulator({ workspace: await caseWorkspace('20-property-renamed-after.json'), rateLimit: false });
    const env2 = { NOTION_TOKEN: h.emu.token, NOTION_BASE_URL: h.emu.url };
    expect((await runCli(['sync', ...fast, ...h.toBigQuery('full')], env2)).code).toBe(0);
    expect((await runCli(['sync', '--incremental', ...fast, ...h.toBigQuery('incr')], env2)).code).toBe(0);
    const full = await bigQueryTables(h.client(), 'full', 'US');
    expect(Object.keys(full.jobs!.columns)).not.toContain('estimate_hours');
    expect(full.jobs!.rows.map((r) => [r.id, r.estimate])).toEqual([
      ['e3000000-0000-4000-8000-000000000011', 10],
      ['e3000000-0000-4000-8000-000000000012', 99],
      ['e3000000-0000-4000-8000-000000000013', 30],
    ]);
    expect(full).toEqual(await bigQueryTables(h.client(), 'incr', 'US'));
  });
});

describe('nothing Notion sends is dropped (08)', () => {
  it('a place keeps its aws_place_id beside the google_place_id', async () => {
    const db = join(await tmp(), 'venues.duckdb');
    expect((await pipeToDuckDb(await caseText('08-place.ndjson'), db)).code).toBe(0);
    const rows = await query(db, `SELECT name, test_place_lat AS lat, test_place_lon AS lon, test_place_name AS place, test_place_address AS address, test_place_google_place_id AS google, test_place_aws_place_id AS aws FROM venues ORDER BY name`);
    expect(rows).toEqual([
      { name: 'city', lat: 40.71453, lon: -74.00712, place: 'New York, NY', address: 'New York, NY, USA', google: null, aws: 'AQAAAPLACEHOLDERAWSID' },
      { name: 'google', lat: 48.8584, lon: 2.2945, place: 'Tower', address: 'Paris', google: 'ChIJPLACEHOLDER', aws: null },
      { name: 'nowhere', lat: null, lon: null, place: null, address: null, google: null, aws: null },
    ]);
  });
});

describe('readable, stable names and values (all-types workspace)', () => {
  it('system-like names get _property in every table, show-original rollups give plain values, dates fill the main column', async () => {
    const ws = allTypesWorkspace();
    const ids = allTypesIds(ws);
    const emu = await startEmulator({ workspace: ws, rateLimit: false });
    const db = join(await tmp(), 'all.duckdb');
    try {
      const run = await runCli(['sync', ...fast, '--out', db], { NOTION_TOKEN: emu.token, NOTION_BASE_URL: emu.url });
      expect(run.code).toBe(0);
    } finally {
      await emu.close();
    }
    const columnsOf = async (table: string) => (await query(db, `SELECT column_name FROM duckdb_columns() WHERE table_name = '${table}'`)).map((r) => r.column_name);
    for (const table of ['projects', 'tasks']) {
      const columns = await columnsOf(table);
      for (const c of ['id_property', 'id_property_number', 'created_by_property', 'created_by_property_type', 'last_edited_by_property']) expect(columns, `${table}.${c}`).toContain(c);
      expect(columns.filter((c) => /_[0-9a-f]{8}$/.test(String(c)))).toEqual([]);
    }
    // "Related priorities" shows the original Priority of the related rows: plain option names.
    const priorities = new Set(ws.pages.flatMap((p) => {
      const v = p.properties[ALL_TYPES_PROPERTIES.priority];
      return v && v.select ? [(v.select as { name: string }).name] : [];
    }));
    const shown = await query(db, `SELECT type, value, json FROM projects__related_priorities`);
    expect(shown.filter((r) => r.value !== null).length).toBeGreaterThan(0);
    for (const r of shown) {
      expect(r.type).toBe('select');
      expect(r.json).toBeNull();
      if (r.value !== null) expect(priorities).toContain(r.value);
    }
    // Every page with a due date has it in due_date, date-only or not; the instant only for datetimes.
    const due = ws.pages.filter((p) => p.data_source_id === ids.projectsDataSourceId && !p.in_trash).map((p) => p.properties[ALL_TYPES_PROPERTIES.due]!.date as { start: string } | null);
    const [counts] = await query(db, `SELECT count(due_date) AS dates, count(due_date_at) AS instants, count(*) FILTER (WHERE due_date IS NULL AND due_date_at IS NOT NULL) AS odd FROM projects`);
    expect(counts).toEqual({ dates: String(due.filter((d) => d !== null).length), instants: String(due.filter((d) => d !== null && d.start.length > 10).length), odd: '0' });
    expect(due.some((d) => d !== null && d.start.length === 10)).toBe(true);
  });
});
