/**
 * Lineage and the runs table, in DuckDB and in BigQuery (the emulator and the strict BigQuery test server
 * over HTTP): every row of every table carries `_synced_at` and `_run_id` of the run that wrote it, an
 * incremental merge leaves the rows it does not touch with the earlier run's values, and
 * `_notion_stream_runs` gets one row per run, good or failed (a failed run changing no data table).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { useEmulatorAndBigQuery } from '../support/emulator-bigquery.js';
import { edit, mainRow, Minutes, scenarioWorkspace, setTitle } from '../support/incremental-scenario.js';

const h = useEmulatorAndBigQuery();
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const fast = ['--rate-limit', '1000'];

type Row = Record<string, unknown>;
/** A warehouse read back: its table names and each table's rows. */
interface Warehouse {
  tables(): Promise<string[]>;
  rows(table: string): Promise<Row[]>;
}

function duckDb(path: string): Warehouse {
  const query = async (sql: string): Promise<Row[]> => {
    const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
    const c = await instance.connect();
    try {
      return (await c.runAndReadAll(sql)).getRowObjectsJS() as Row[];
    } finally {
      c.closeSync();
      instance.closeSync();
    }
  };
  return {
    tables: async () => (await query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1")).map((r) => String(r.table_name)),
    rows: (table) => query(`SELECT * FROM "${table}"`),
  };
}

function bigQuery(dataset: string): Warehouse {
  return { tables: async () => h.bq!.tableIds(dataset).sort(), rows: async (table) => (await h.bq!.rows(dataset, table)) as Row[] };
}

/** An instant of either warehouse (a Date, `{value}`, or text) in milliseconds. */
function ms(value: unknown): number {
  const text = value instanceof Date ? value.toISOString() : typeof value === 'object' && value !== null ? String((value as { value: unknown }).value) : String(value);
  return Date.parse(text.replace(' UTC', 'Z').replace(' ', 'T'));
}

const DATA = (t: string) => !t.startsWith('_notion_stream_') && !t.startsWith('_ns_stage_');

/** The runs table, oldest first. */
async function runs(w: Warehouse): Promise<Row[]> {
  return (await w.rows('_notion_stream_runs')).sort((a, b) => ms(a.started_at) - ms(b.started_at));
}

/** Every row of every data table, with its table. */
async function everyRow(w: Warehouse): Promise<{ table: string; row: Row }[]> {
  const out: { table: string; row: Row }[] = [];
  for (const table of (await w.tables()).filter(DATA)) for (const row of await w.rows(table)) out.push({ table, row });
  return out;
}

function totals(stderr: string): { tables: number; rows: number } {
  const m = /Wrote (\d+) tables \(([\d,]+) rows\)/.exec(stderr);
  expect(m, stderr).not.toBeNull();
  return { tables: Number(m![1]), rows: Number(m![2]!.replace(/,/g, '')) };
}

/** A full run, an incremental run with one page edited, then a failed run; checks after each. */
async function scenario(destination: () => string[], w: Warehouse): Promise<void> {
  const env = await h.serve(scenarioWorkspace());
  const dest = destination();
  const ws = h.emu!.workspace;

  const first = await runCli(['sync', ...fast, ...dest], env);
  expect(first.code, first.stderr).toBe(0);
  const [run1] = await runs(w);
  expect(run1).toMatchObject({ mode: 'full', status: 'succeeded', error_code: null, error_message: null, tool_version: VERSION });
  expect({ tables: Number(run1!.tables_written), rows: Number(run1!.rows_written) }).toEqual(totals(first.stderr));
  expect(Number(run1!.requests)).toBeGreaterThan(0);
  expect(ms(run1!.finished_at)).toBeGreaterThanOrEqual(ms(run1!.started_at));
  const rows1 = await everyRow(w);
  const tables = new Set(rows1.map((r) => r.table));
  expect(tables).toContain('projects');
  expect(tables).toContain('notion_users');
  expect(tables).toContain('notion_data_sources');
  expect([...tables].some((t) => t.includes('__'))).toBe(true); // a child table
  for (const { table, row } of rows1) {
    expect({ table, run: row._run_id }).toEqual({ table, run: run1!.run_id });
    expect(ms(row._synced_at)).toBe(ms(run1!.started_at));
  }

  // An incremental run with one page edited: that row (and its child rows) gets the new run, the others keep the first.
  const edited = mainRow(ws, 3);
  edit(edited, new Minutes().next(), (p) => setTitle(p, 'Edited title'));
  const second = await runCli(['sync', '--incremental', ...fast, ...dest], env);
  expect(second.code, second.stderr).toBe(0);
  const [, run2] = await runs(w);
  expect(run2).toMatchObject({ mode: 'incremental', status: 'succeeded', tool_version: VERSION });
  const projects = await w.rows('projects');
  const runOf = (id: string) => projects.find((r) => r.id === id)?._run_id;
  expect(runOf(edited.id)).toBe(run2!.run_id);
  expect(runOf(mainRow(ws, 4).id)).toBe(run1!.run_id);
  expect(ms(projects.find((r) => r.id === edited.id)!._synced_at)).toBe(ms(run2!.started_at));
  const rows2 = await everyRow(w);
  for (const { table, row } of rows2) expect({ table, run: [run1!.run_id, run2!.run_id].includes(row._run_id as string) }).toEqual({ table, run: true });
  const children = rows2.filter((r) => r.table.startsWith('projects__') && r.row._parent_id === edited.id);
  expect(children.length).toBeGreaterThan(0);
  for (const { row } of children) expect(row._run_id).toBe(run2!.run_id);

  // A failed run: recorded with its error, and no data table changed.
  const failed = await runCli(['sync', '--incremental', ...fast, ...dest], { ...env, NOTION_TOKEN: 'secret_wrong_token' });
  expect(failed.code).toBe(1);
  const all = await runs(w);
  expect(all).toHaveLength(3);
  expect(all[2]).toMatchObject({ mode: 'incremental', status: 'failed', error_code: 'bad_token', tool_version: VERSION });
  expect(Number(all[2]!.tables_written)).toBe(0);
  expect(String(all[2]!.error_message)).toMatch(/token/i);
  expect(String(all[2]!.error_message)).not.toContain('secret_wrong_token');
  expect(await everyRow(w)).toEqual(rows2);
}

describe('_synced_at, _run_id and _notion_stream_runs', () => {
  it('DuckDB: after a full, an incremental and a failed run', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'notion-stream-runs-')), 'n.duckdb');
    await scenario(() => ['--out', path], duckDb(path));
  });

  it('BigQuery: after a full, an incremental and a failed run', async () => {
    await scenario(() => h.toBigQuery('lineage'), bigQuery('lineage'));
  });

  it('a failed first run into a destination that does not exist yet leaves nothing behind', async () => {
    const env = await h.serve(scenarioWorkspace());
    const path = join(await mkdtemp(join(tmpdir(), 'notion-stream-runs-')), 'n.duckdb');
    const bad = { ...env, NOTION_TOKEN: 'secret_wrong_token' };
    expect((await runCli(['sync', ...fast, '--out', path], bad)).code).toBe(1);
    expect((await runCli(['sync', ...fast, ...h.toBigQuery('none')], bad)).code).toBe(1);
    const { existsSync } = await import('node:fs');
    expect(existsSync(path)).toBe(false);
    expect(h.bq!.tableIds('none') ?? []).toEqual([]);
  });
});
