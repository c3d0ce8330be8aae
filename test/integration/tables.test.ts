/** Typed tables from the emulator: tricky names, and the same values in DuckDB, NDJSON and CSV. */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { scaleWorkspace } from '../../src/emulator/generate.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import type { EmuSchemaProperty, Workspace } from '../../src/emulator/workspace.js';
import { runCli } from '../support/cli.js';
import { dumpDuckDb } from '../support/duckdb.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const fast = ['--rate-limit', '1000', '--quiet'];
const LONG = 'x'.repeat(400);
/** Renames the simple schema's properties to the tricky names, and adds copies of the text property. */
function trickyWorkspace(): Workspace {
  const ws = scaleWorkspace({ dataSources: 1, pagesEach: 30 });
  const ds = ws.dataSources[0]!;
  const rename: Record<string, string> = { Points: 'Status', Category: 'status', Date: 'Due date', Active: 'due_date', Notes: '📅' };
  const extra = ['', 'a.b/c?', LONG];
  const schema: Record<string, EmuSchemaProperty> = {};
  for (const [name, prop] of Object.entries(ds.properties)) {
    const to = rename[name] ?? name;
    schema[to] = { ...prop, name: to };
  }
  extra.forEach((name, i) => (schema[name] = { ...ds.properties.Notes!, id: `x${i}`, name }));
  ds.properties = schema;
  for (const page of ws.pages) {
    const props: typeof page.properties = {};
    for (const [name, v] of Object.entries(page.properties)) props[rename[name] ?? name] = v;
    extra.forEach((name, i) => (props[name] = { ...page.properties.Notes!, id: `x${i}` }));
    page.properties = props;
  }
  return ws;
}

describe('column names from tricky property names', () => {
  it('are valid, unique without regard to case, stable across runs, and keep the Notion name', async () => {
    emu = await startEmulator({ workspace: trickyWorkspace(), rateLimit: false });
    const env = { NOTION_TOKEN: emu.token, NOTION_BASE_URL: emu.url };
    const first = await runCli(['sync', ...fast, '--to', 'ndjson', '--arrays', 'inline'], env);
    expect(first.code).toBe(0);
    const schemaLine = first.lines.find((l) => l.type === 'SCHEMA')!;
    const schema = schemaLine.schema;
    const columns = Object.keys(schema.properties);
    for (const c of columns) {
      expect(c).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
      expect(c.length).toBeLessThanOrEqual(300);
      expect(c).not.toMatch(/^(_TABLE_|_FILE_|_PARTITION|_ROW_TIMESTAMP|__ROOT__|_COLIDENTIFIER|_CHANGE_)/i);
    }
    expect(new Set(columns.map((c) => c.toLowerCase())).size).toBe(columns.length);
    const descriptions = Object.values(schema.properties).map((p: any) => p.description);
    for (const name of ['Status', 'status', 'Due date', 'due_date', '📅', '', 'a.b/c?', LONG]) expect(descriptions).toContain(name);

    const again = await runCli(['sync', ...fast, '--to', 'ndjson', '--arrays', 'inline'], env);
    expect(Object.keys(again.lines.find((l) => l.type === 'SCHEMA')!.schema.properties)).toEqual(columns);

    const dir = await mkdtemp(join(tmpdir(), 'notion-stream-'));
    const db = join(dir, 'n.duckdb');
    expect((await runCli(['sync', ...fast, '--no-users', '--no-catalog', '--out', db], env)).code).toBe(0);
    const tables = await dumpDuckDb(db);
    const table = tables[schemaLine.stream]!; // by name: the destination holds other tables too (the state)
    expect(table.columns.map((c) => c.split(':')[0])).toEqual(columns);
    expect(table.rows).toHaveLength(30);
  });
});

describe('the same values in every destination', () => {
  it('NDJSON records, DuckDB rows and CSV cells agree for every column', async () => {
    emu = await startEmulator({ workspace: scaleWorkspace({ dataSources: 1, pagesEach: 50, kind: 'all-types' }), rateLimit: false });
    const env = { NOTION_TOKEN: emu.token, NOTION_BASE_URL: emu.url };
    const dir = await mkdtemp(join(tmpdir(), 'notion-stream-'));
    const nd = await runCli(['sync', ...fast, '--to', 'ndjson'], env);
    expect((await runCli(['sync', ...fast, '--to', 'csv', '--out', join(dir, 'csv')], env)).code).toBe(0);
    expect((await runCli(['sync', ...fast, '--out', join(dir, 'n.duckdb')], env)).code).toBe(0);
    const schema = nd.lines.find((l) => l.type === 'SCHEMA')!;
    const records = nd.lines.filter((l) => l.type === 'RECORD' && l.stream === schema.stream).map((l) => l.record);
    const cols = Object.keys(schema.schema.properties);
    const duck = (await dumpDuckDb(join(dir, 'n.duckdb')))[schema.stream]!;
    const csvText = await readFile(join(dir, 'csv', `${schema.stream}.csv`), 'utf8');
    const header = csvText.split('\n')[0]!.split(',');
    expect(header).toEqual(cols);
    const csvRows = parse(csvText, { columns: true }) as Array<Record<string, string>>;
    expect(csvRows).toHaveLength(records.length);
    const text = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
    const csvById = new Map(csvRows.map((r) => [r.id, r]));
    for (const rec of records) for (const c of cols) expect(csvById.get(rec.id)![c], `CSV ${c} of ${rec.id}`).toBe(text(rec[c]));
    expect(duck.columns.map((c) => c.split(':')[0])).toEqual(cols);
    expect(duck.rows).toHaveLength(records.length);

    const byId = new Map(duck.rows.map((r) => [r[0], r]));
    const norm = (v: unknown, type: string) => {
      if (v === null || v === undefined) return null;
      if (type.startsWith('TIMESTAMP')) return new Date(String(v).replace(' ', 'T').replace(/\+00$/, 'Z')).toISOString();
      if (type === 'DOUBLE' || type === 'BIGINT') return Number(v);
      return v;
    };
    let compared = 0;
    for (const rec of records) {
      const row = byId.get(rec.id)!;
      duck.columns.forEach((c, i) => {
        const [name, type] = [c.split(':')[0]!, c.split(':').slice(1).join(':')];
        expect(norm(row[i], type), `${name} of ${rec.id}`).toEqual(norm(rec[name], type));
        compared++;
      });
    }
    expect(compared).toBeGreaterThan(50 * 20);
  });
});
