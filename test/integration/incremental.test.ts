/**
 * `sync --incremental` end to end through the emulator over HTTP, into DuckDB (and NDJSON/CSV): after
 * edits, additions, trashes, unshares and schema changes, the tables equal a fresh full sync of the
 * final workspace.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { runCli } from '../support/cli.js';
import { IdSet } from '../../src/state/id-set.js';
import { duckDbTables, type CanonicalTables } from '../support/warehouse-rows.js';
import {
  addMain, unshare, applyMixedChanges, edit, itemRow, mainRow, Minutes, renameColumn, retypeNumberToText, scenarioWorkspace, setCount, setTitle, trash,
} from '../support/incremental-scenario.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const fast = ['--rate-limit', '1000', '--quiet'];
const tmp = () => mkdtemp(join(tmpdir(), 'notion-stream-incr-'));

async function serve() {
  emu = await startEmulator({ workspace: scenarioWorkspace(), rateLimit: false });
  return { env: { NOTION_TOKEN: emu.token, NOTION_BASE_URL: emu.url }, ws: emu.workspace };
}

const STATE = '_notion_stream_state';

/** The data tables of a DuckDB file (without the state table). */
async function dataTables(path: string): Promise<CanonicalTables> {
  const all = await duckDbTables(path);
  delete all[STATE];
  return all;
}

/** The data tables of a fresh full sync (not incremental) of the workspace as it is now. */
async function freshTables(env: Record<string, string>, dir: string): Promise<CanonicalTables> {
  const fresh = join(dir, 'fresh.duckdb');
  expect((await runCli(['sync', ...fast, '--out', fresh], env)).code).toBe(0);
  return dataTables(fresh);
}

async function stateOf(path: string): Promise<any> {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const c = await instance.connect();
  try {
    const rows = (await c.runAndReadAll(`SELECT value FROM ${STATE}`)).getRowObjectsJS();
    expect(rows).toHaveLength(1);
    return JSON.parse(String(rows[0]!.value));
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

async function columnComment(path: string, table: string, column: string): Promise<string | null> {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const c = await instance.connect();
  try {
    const rows = (await c.runAndReadAll(`SELECT comment FROM duckdb_columns() WHERE table_name = '${table}' AND column_name = '${column}'`)).getRowObjectsJS();
    return rows.length ? (rows[0]!.comment as string | null) : null;
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

function queries(e: Emulator) {
  return e.log.filter((l) => l.endpoint === 'data_sources.query');
}

describe('sync --incremental into DuckDB', () => {
  it('edits, additions, trashes, unshares, a rename and an added property give the tables of a fresh full sync', async () => {
    const { env, ws } = await serve();
    const dir = await tmp();
    const db = join(dir, 'incr.duckdb');
    const clock = new Minutes();

    const first = await runCli(['sync', '--incremental', ...fast, '--out', db], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const state1 = await stateOf(db);
    const projects1 = Object.values<any>(state1.bookmarks).find((b) => b.table === 'projects');
    // The table answers which pages it holds: the state keeps no ids.
    expect(projects1).not.toHaveProperty('ids');
    expect(state1.notion_stream).toBe(2);

    // Changes between the runs.
    const t = clock.next();
    applyMixedChanges(ws, t);

    emu!.log.length = 0;
    const second = await runCli(['sync', '--incremental', '--reconcile', '--rate-limit', '1000', '--out', db], env);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('2 data sources merged, 0 read in full; 2 trashed and 1 missing page deleted');
    expect(second.stderr).toMatch(/reconciliation \(2 data sources\), counted apart/);
    // The changed rows only: every query of the data rows is filtered on last_edited_time (reconciliation asks for titles only).
    const reads = queries(emu!).filter((q) => !(q.query ?? '').includes('filter_properties'));
    expect(reads.length).toBe(2);
    for (const q of reads) expect((q.body as { filter: { timestamp: string } }).filter.timestamp).toBe('last_edited_time');

    const expected = renameColumn(await freshTables(env, dir), 'projects', 'remarks', 'notes');
    const actual = await dataTables(db);
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
    for (const table of Object.keys(expected)) expect({ table, ...actual[table] }).toEqual({ table, ...expected[table] });
    // The renamed property kept its column, which now carries the new name.
    expect(await columnComment(db, 'projects', 'notes')).toBe('Remarks');
    expect(actual.projects!.rows.find((r) => r.id === mainRow(ws, 7).id)!.priority).toBe('high');

    const state2 = await stateOf(db);
    const projects2 = Object.values<any>(state2.bookmarks).find((b) => b.table === 'projects');
    expect(JSON.stringify(state2)).not.toContain('"ids"');
    expect(actual.projects!.rows).toHaveLength(39); // 40 + 1 added − 1 trashed − 1 unshared
    expect(actual.projects!.rows.map((r) => r.id)).not.toContain(mainRow(ws, 5).id);
    expect(projects2.watermark).toBe(t);
    expect(Object.values<any>(projects2.properties).find((p) => p.name === 'Remarks').column).toBe('notes');
  });

  it('a retyped property refreshes its table in full, announced on stderr, and the result equals a fresh sync', async () => {
    const { env, ws } = await serve();
    const dir = await tmp();
    const db = join(dir, 'incr.duckdb');
    expect((await runCli(['sync', '--incremental', ...fast, '--out', db], env)).code).toBe(0);
    retypeNumberToText(ws, 'Projects', 'Count');
    const run = await runCli(['sync', '--incremental', '--rate-limit', '1000', '--out', db], env);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/Full refresh of data source "Projects".*"Count" number → rich_text/);
    const actual = await dataTables(db);
    expect(actual.projects!.columns.count).toBe('STRING');
    expect(actual).toEqual(await freshTables(env, dir));
  });

  it('two edits in the same minute, one before and one after a run, both arrive', async () => {
    const { env, ws } = await serve();
    const dir = await tmp();
    const db = join(dir, 'incr.duckdb');
    expect((await runCli(['sync', '--incremental', ...fast, '--out', db], env)).code).toBe(0);
    const minute = new Minutes().next();
    edit(mainRow(ws, 10), minute, (p) => setTitle(p, 'edited before the run'));
    expect((await runCli(['sync', '--incremental', ...fast, '--out', db], env)).code).toBe(0);
    edit(mainRow(ws, 11), minute, (p) => setTitle(p, 'edited after the run, same minute'));
    expect((await runCli(['sync', '--incremental', ...fast, '--out', db], env)).code).toBe(0);
    const rows = (await dataTables(db)).projects!.rows;
    expect(rows.find((r) => r.id === mainRow(ws, 10).id)!.name).toBe('edited before the run');
    expect(rows.find((r) => r.id === mainRow(ws, 11).id)!.name).toBe('edited after the run, same minute');
  });

  it('a run killed mid-way leaves tables and state as they were; the re-run loses and duplicates nothing', async () => {
    const { env, ws } = await serve();
    const dir = await tmp();
    const db = join(dir, 'incr.duckdb');
    expect((await runCli(['sync', '--incremental', ...fast, '--out', db], env)).code).toBe(0);
    const before = await duckDbTables(db);
    const t = new Minutes().next();
    for (const n of [2, 8, 12]) edit(mainRow(ws, n), t, (p) => setCount(p, n * 1000));
    addMain(ws, 50, t);
    trash(mainRow(ws, 9), t);
    // The second data source's read fails for good: the run stops after the first was read.
    emu!.inject({ endpoint: 'data_sources.query', kind: 'internal_server_error', after: 1, count: Infinity });
    const killed = await runCli(['sync', '--incremental', ...fast, '--retries', '0', '--out', db], env);
    expect(killed.code).toBe(1);
    expect(await duckDbTables(db)).toEqual(before); // data and state alike
    emu!.clearFaults();
    expect((await runCli(['sync', '--incremental', ...fast, '--out', db], env)).code).toBe(0);
    expect(await dataTables(db)).toEqual(await freshTables(env, dir));
  });

  it('--soft-delete keeps trashed rows with _deleted_at, and their child rows', async () => {
    const { env, ws } = await serve();
    const dir = await tmp();
    const db = join(dir, 'incr.duckdb');
    expect((await runCli(['sync', '--incremental', '--soft-delete', ...fast, '--out', db], env)).code).toBe(0);
    const t = new Minutes().next();
    trash(mainRow(ws, 5), t);
    expect((await runCli(['sync', '--incremental', '--soft-delete', ...fast, '--out', db], env)).code).toBe(0);
    const tables = await dataTables(db);
    const row = tables.projects!.rows.find((r) => r.id === mainRow(ws, 5).id)!;
    expect(row._deleted_at).toBe(t);
    expect(row.name).toBe('Row 5');
    expect(tables.projects__tags!.rows.filter((r) => r._parent_id === mainRow(ws, 5).id)).toHaveLength(1);
    expect(tables.projects!.rows.filter((r) => r._deleted_at !== null)).toHaveLength(1);
  });
});

describe('formulas, rollups and reconciliation schedules', () => {
  it('a rollup that changes without an edit is missed by a plain incremental run and caught by --refresh-computed', async () => {
    const { env, ws } = await serve();
    const dir = await tmp();
    const db = join(dir, 'incr.duckdb');
    expect((await runCli(['sync', '--incremental', ...fast, '--out', db], env)).code).toBe(0);
    // Item 2 is related from several projects: their ItemSum rollups change, their last_edited_time does not.
    edit(itemRow(ws, 2), new Minutes().next(), (p) => {
      p.properties.Value!.number = 12345;
    });
    const expected = await freshTables(env, dir);

    expect((await runCli(['sync', '--incremental', ...fast, '--out', db], env)).code).toBe(0);
    const plain = await dataTables(db);
    expect(plain.items).toEqual(expected.items);
    expect(plain.projects).not.toEqual(expected.projects);

    const refreshed = await runCli(['sync', '--incremental', '--refresh-computed', '--rate-limit', '1000', '--out', db], env);
    expect(refreshed.code).toBe(0);
    expect(refreshed.stderr).toMatch(/Full refresh of data source "Projects".*--refresh-computed/);
    expect(refreshed.stderr).toContain('1 data source merged, 1 read in full');
    expect(await dataTables(db)).toEqual(expected);
  });

  it('--reconcile-every reconciles only data sources whose last reconciliation is older than the period', async () => {
    const { env, ws } = await serve();
    const dir = await tmp();
    const state = join(dir, 'state.json');
    const out = join(dir, 'out.ndjson');
    const sync = (...flags: string[]) => runCli(['sync', '--incremental', '--to', 'ndjson', '--state', state, '--rate-limit', '1000', '--out', out, ...flags], env);
    expect((await sync()).code).toBe(0); // a full read counts as a reconciliation
    unshare(mainRow(ws, 8));
    const recent = await sync('--reconcile-every', '7d');
    expect(recent.stderr).toContain('no reconciliation');
    expect(recent.stderr).toContain('0 missing pages deleted');
    // Make the projects' last reconciliation 30 days old.
    const saved = JSON.parse(await readFile(state, 'utf8'));
    const projects = Object.values<any>(saved.bookmarks).find((b) => b.table === 'projects');
    projects.reconciledAt = new Date(Date.parse(projects.reconciledAt) - 30 * 86_400_000).toISOString();
    await writeFile(state, JSON.stringify(saved));
    const due = await sync('--reconcile-every', '7d');
    expect(due.code).toBe(0);
    expect(due.stderr).toMatch(/reconciliation \(1 data source\), counted apart/);
    expect(due.stderr).toContain('1 missing page deleted');
    const lines = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.some((l) => l.type === 'RECORD' && l.record.id === mainRow(ws, 8).id && l.record._deleted_at)).toBe(true);
  });
});

describe('sync --incremental into files', () => {
  it('NDJSON: the changed rows, deletions as records with _deleted_at, and a STATE message; --state is read back', async () => {
    const { env, ws } = await serve();
    const dir = await tmp();
    const state = join(dir, 'state.json');
    const out = join(dir, 'out.ndjson');
    const first = await runCli(['sync', '--incremental', '--to', 'ndjson', '--state', state, ...fast, '--out', out], env);
    expect(first.code).toBe(0);
    const saved = JSON.parse(await readFile(state, 'utf8'));
    expect(saved.notion_stream).toBe(2);
    const projectsSaved = Object.values<any>(saved.bookmarks).find((b) => b.table === 'projects');
    // One base64 string of sorted 16-byte ids.
    const firstIds = IdSet.decode(projectsSaved.ids);
    expect(firstIds.size).toBe(40);
    expect(firstIds.has(mainRow(ws, 4).id)).toBe(true);
    expect(projectsSaved.ids).toHaveLength(Math.ceil((40 * 16) / 3) * 4);
    const t = new Minutes().next();
    edit(mainRow(ws, 3), t, (p) => setCount(p, 7));
    trash(mainRow(ws, 4), t);
    const second = await runCli(['sync', '--incremental', '--to', 'ndjson', '--state', state, ...fast, '--out', out], env);
    expect(second.code).toBe(0);
    const lines = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const records = lines.filter((l) => l.type === 'RECORD' && l.stream === 'projects');
    // The edited row, the trashed one, and row 40, edited in the watermark's minute (that minute is always read again).
    expect(records.map((r) => r.record.id).sort()).toEqual([mainRow(ws, 3).id, mainRow(ws, 4).id, mainRow(ws, 40).id].sort());
    expect(records.find((r) => r.record.id === mainRow(ws, 4).id)!.record).toEqual({ id: mainRow(ws, 4).id, _deleted_at: t });
    expect(lines.find((l) => l.type === 'SCHEMA' && l.stream === 'projects').load_mode).toBe('merge');
    expect(lines.at(-1)!.type).toBe('STATE');
    const saved2 = JSON.parse(await readFile(state, 'utf8'));
    expect(saved2).toEqual(lines.at(-1)!.value);
    const projectsIds = [...IdSet.decode(Object.values<any>(saved2.bookmarks).find((b) => b.table === 'projects').ids)];
    expect(projectsIds).toHaveLength(39);
    expect(projectsIds).not.toContain(mainRow(ws, 4).id);
  });

  it('the NDJSON of an incremental run loads into DuckDB with load --mode merge, which saves the state it committed', async () => {
    const { env, ws } = await serve();
    const dir = await tmp();
    const state = join(dir, 'state.json');
    const db = join(dir, 'pipe.duckdb');
    for (let run = 0; run < 2; run++) {
      if (run === 1) {
        const t = new Minutes().next();
        edit(mainRow(ws, 3), t, (p) => setCount(p, 7));
        trash(mainRow(ws, 4), t);
      }
      const synced = await runCli(['sync', '--incremental', '--to', 'ndjson', '--state', state, ...fast], env);
      expect(synced.code).toBe(0);
      const loaded = await runCli(['load', '--to', 'duckdb', '--mode', 'merge', '--state', state, '--out', db], {}, undefined, synced.stdout);
      expect(loaded.code).toBe(0);
    }
    expect(await dataTables(db)).toEqual(await freshTables(env, dir));
  });

  it('CSV needs --state; with it, the second run writes only the changed rows', async () => {
    const { env, ws } = await serve();
    const dir = await tmp();
    const refused = await runCli(['sync', '--incremental', '--to', 'csv', ...fast, '--out', join(dir, 'csv')], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--state');
    const state = join(dir, 'state.json');
    expect((await runCli(['sync', '--incremental', '--to', 'csv', '--state', state, ...fast, '--out', join(dir, 'csv')], env)).code).toBe(0);
    edit(mainRow(ws, 3), new Minutes().next(), (p) => setCount(p, 7));
    expect((await runCli(['sync', '--incremental', '--to', 'csv', '--state', state, ...fast, '--out', join(dir, 'csv')], env)).code).toBe(0);
    const csv = (await readFile(join(dir, 'csv', 'projects.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toContain('_deleted_at');
    // The edited row and row 40, edited in the watermark's minute (that minute is always read again).
    const ids = csv.slice(1).map((line) => line.split(',')[0]).sort();
    expect(ids).toEqual([mainRow(ws, 3).id, mainRow(ws, 40).id].sort());
  });
});
