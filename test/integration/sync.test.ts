/** `sync`, the shell pipe of stage commands, and `demo`, end to end through the emulator. */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { allTypesWorkspace } from '../../src/emulator/generate.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { runCli } from '../support/cli.js';
import { dumpDuckDb } from '../support/duckdb.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const fast = ['--rate-limit', '1000', '--quiet'];
const tmp = () => mkdtemp(join(tmpdir(), 'notion-stream-'));

async function serve() {
  emu = await startEmulator({ workspace: allTypesWorkspace(), rateLimit: false });
  return { NOTION_TOKEN: emu.token, NOTION_BASE_URL: emu.url };
}

describe('sync', () => {
  it('the pipe pages | flatten | split | load gives the same tables as sync', async () => {
    const env = await serve();
    const dir = await tmp();
    const synced = await runCli(['sync', ...fast, '--no-users', '--no-catalog', '--out', join(dir, 'sync.duckdb')], env); // the pipe has no workspace tables
    expect(synced.stderr).toBe('');
    expect(synced.code).toBe(0);

    const pages = await runCli(['pages', ...fast], env);
    const flat = await runCli(['flatten'], {}, undefined, pages.stdout);
    expect(flat.code).toBe(0);
    const split = await runCli(['split'], {}, undefined, flat.stdout);
    expect(split.code).toBe(0);
    const loaded = await runCli(['load', '--to', 'duckdb', '--out', join(dir, 'pipe.duckdb')], {}, undefined, split.stdout);
    expect(loaded.code).toBe(0);

    const a = await dumpDuckDb(join(dir, 'sync.duckdb'));
    const b = await dumpDuckDb(join(dir, 'pipe.duckdb'));
    expect(Object.keys(a).length).toBeGreaterThan(5);
    expect(a.projects!.rows.length).toBeGreaterThan(10);
    expect(b).toEqual(a);
  });

  it('a failure in the middle of a run leaves the previous DuckDB tables and CSV files untouched', async () => {
    const env = await serve();
    const dir = await tmp();
    const db = join(dir, 'notion.duckdb');
    const csv = join(dir, 'csv');
    expect((await runCli(['sync', ...fast, '--out', db], env)).code).toBe(0);
    expect((await runCli(['sync', ...fast, '--to', 'csv', '--out', csv], env)).code).toBe(0);
    const before = await dumpDuckDb(db);
    const csvBefore = await Promise.all((await readdir(csv)).sort().map(async (f) => [f, await readFile(join(csv, f), 'utf8')]));

    // Change the workspace so a completed run would change the tables, then fail the second data source.
    emu!.workspace.pages.splice(0, 5);
    for (const [to, out] of [['duckdb', db], ['csv', csv]] as const) {
      emu!.resetLog();
      emu!.inject({ endpoint: 'data_sources.query', kind: 'internal_server_error', after: 1, count: Infinity });
      const res = await runCli(['sync', ...fast, '--retries', '0', '--concurrency', '1', '--to', to, '--out', out], env);
      emu!.clearFaults();
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/kept failing/);
      expect(emu!.log.filter((l) => l.endpoint === 'data_sources.query' && l.status === 200).length).toBeGreaterThan(0); // it really was mid-run
    }
    expect(await dumpDuckDb(db)).toEqual(before);
    const csvAfter = await Promise.all((await readdir(csv)).sort().map(async (f) => [f, await readFile(join(csv, f), 'utf8')]));
    expect(csvAfter).toEqual(csvBefore);
  });

  it('refuses an incomplete destination before reading Notion', async () => {
    const env = await serve();
    const res = await runCli(['sync', ...fast, '--to', 'bigquery', '--dataset', 'd'], { ...env, GOOGLE_CLOUD_PROJECT: '' });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/BigQuery needs a project: pass --project or set GOOGLE_CLOUD_PROJECT/);
    expect(emu!.counters().requests).toBe(0);
  });

  it('a malformed line stops load with its line number and writes nothing', async () => {
    const dir = await tmp();
    const input = [
      JSON.stringify({ type: 'SCHEMA', stream: 't', schema: { type: 'object', properties: { id: { type: ['null', 'string'] } } }, key_properties: ['id'] }),
      JSON.stringify({ type: 'RECORD', stream: 't', record: { id: 'a' } }),
      '{"type": "RECORD", "stream": "t", "record": ',
    ].join('\n');
    const res = await runCli(['load', '--assume-complete', '--to', 'csv', '--out', join(dir, 'csv')], {}, undefined, input);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/line 3/);
    const files = await readdir(join(dir, 'csv')).catch(() => []);
    expect(files).toEqual([]);
  });
});

describe('demo', () => {
  it('syncs the sample workspace into DuckDB and shows the tables and a query result', async () => {
    const dir = await tmp();
    const out = join(dir, 'demo.duckdb');
    const res = await runCli(['demo', '--out', out, '--rate-limit', '500'], {});
    expect(res.code).toBe(0);
    const tables = await dumpDuckDb(out);
    expect(tables.projects!.rows.length).toBeGreaterThan(100);
    expect(tables.tasks!.rows.length).toBeGreaterThan(1000);
    expect(res.stderr).toContain(`Wrote ${Object.keys(tables).length} tables`);
    expect(res.stderr).toMatch(/project\s+status\s+tasks/);
    expect(res.stderr).toMatch(/\(130 tasks\)\s+\S.*\s130\s/); // the relation past 25 is complete
    expect(tables.notion_users!.rows.length).toBe(62); // 60 persons and 2 bots
    expect(tables.notion_data_sources!.rows.length).toBe(5);
    expect(tables.notion_blocks).toBeUndefined();
  });

  it('--content adds the content and comments of the Projects pages, and a query over them', async () => {
    const dir = await tmp();
    const out = join(dir, 'demo.duckdb');
    const res = await runCli(['demo', '--content', '--out', out, '--rate-limit', '500'], {});
    expect(res.code).toBe(0);
    const tables = await dumpDuckDb(out);
    const projects = tables.projects!.rows.length;
    expect(tables.notion_page_content!.rows).toHaveLength(projects); // only the Projects pages
    expect(tables.notion_blocks!.rows.length).toBeGreaterThan(projects * 3);
    expect(tables.notion_comments!.rows.length).toBeGreaterThanOrEqual(20); // the ten discussions of the sample documents
    expect(res.stderr).toMatch(/Requests of the workspace tables: users 1, catalog 4, content \d+, comments \d+\./);
    expect(res.stderr).toMatch(/project\s+markdown_start\s+blocks/);
    expect(res.stderr).toContain('# Project plan');
  });
});
