/**
 * `sync --to bigquery` end to end: the Notion emulator → the pipeline → the real `@google-cloud/bigquery`
 * client → the strict BigQuery test server, all over HTTP.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allTypesWorkspace } from '../../src/emulator/generate.js';
import { runCli } from '../support/cli.js';
import { useEmulatorAndBigQuery } from '../support/emulator-bigquery.js';
import { bigQueryTables, duckDbTables } from '../support/warehouse-rows.js';

const h = useEmulatorAndBigQuery();
const { toBigQuery, client } = h;
const serve = () => h.serve(allTypesWorkspace());

const fast = ['--rate-limit', '1000', '--quiet'];
const tmp = () => mkdtemp(join(tmpdir(), 'notion-stream-bq-'));

const readBack = (dataset: string) => bigQueryTables(client(), dataset, 'US');
const stagingTables = (dataset: string) => h.bq!.tableIds(dataset).filter((t) => t.startsWith('_ns_stage_'));

describe('sync --to bigquery', () => {
  it('loads every table; read back with the real client it equals the DuckDB sink, type by type', async () => {
    const env = await serve();
    const db = join(await tmp(), 'notion.duckdb');
    expect((await runCli(['sync', ...fast, '--out', db], env)).code).toBe(0);
    const res = await runCli(['sync', ...toBigQuery('notion')], { ...env });
    expect(res.stderr).toMatch(/BigQuery jobs: \d+ load, 0 copy, 2 query/); // the record of the tables it creates, the swap
    expect(res.code).toBe(0);

    const duck = await duckDbTables(db);
    const big = await readBack('notion');
    expect(Object.keys(big).sort()).toEqual(Object.keys(duck).sort());
    expect(big.projects!.rows.length).toBeGreaterThan(30);
    for (const table of Object.keys(duck)) {
      expect({ table, columns: big[table]!.columns }).toEqual({ table, columns: duck[table]!.columns });
      expect({ table, rows: big[table]!.rows }).toEqual({ table, rows: duck[table]!.rows });
    }
    // The relation past 25 arrives whole, and types are the Notion-derived ones.
    expect(big.projects!.columns).toMatchObject({ created_time: 'TIMESTAMP', in_trash: 'BOOLEAN' });
    expect(Math.max(...Object.values(countBy(big.projects__tasks!.rows, (r) => String(r._parent_id))))).toBe(60);

    const loads = h.bq!.jobs().filter((j) => j.type === 'LOAD');
    expect(loads.length).toBeGreaterThan(0);
    for (const job of loads) {
      expect(job.maxBadRecords ?? 0).toBe(0);
      expect(job.ignoreUnknownValues ?? false).toBe(false);
      expect(job.state).toBe('DONE');
    }
    // At most one load job per table, two query jobs per run (the record of the tables it creates, the
    // swap), and no staging table left.
    expect(Math.max(...Object.values(countBy(loads, (j) => j.tableId!)))).toBe(1);
    expect(h.bq!.jobs().filter((j) => j.type === 'QUERY').map((j) => j.jobId.replace(/^notion_stream_[a-z0-9]+_/, ''))).toEqual(['pending', 'swap']);
    expect(stagingTables('notion')).toEqual([]);
  });

  it('a Notion failure mid-run, a refused load job and Ctrl-C each leave every table as it was', async () => {
    const env = await serve();
    expect((await runCli(['sync', ...fast, ...toBigQuery('notion')], env)).code).toBe(0);
    const before = await readBack('notion');
    h.emu!.workspace.pages.splice(0, 5); // a completed run would change the tables

    h.emu!.inject({ endpoint: 'data_sources.query', kind: 'internal_server_error', after: 1, count: Infinity });
    const notionFails = await runCli(['sync', ...fast, '--retries', '0', '--concurrency', '1', ...toBigQuery('notion')], env);
    h.emu!.clearFaults();
    expect(notionFails.code).toBe(1);
    expect(notionFails.stderr).toMatch(/kept failing/);
    expect(await readBack('notion')).toEqual(before);
    expect(stagingTables('notion')).toEqual([]);

    h.bq!.inject({ kind: 'job_error', table: undefined, count: 1, reason: 'invalid', message: 'Error while reading data: Field: summary; Value: x' });
    const jobFails = await runCli(['sync', ...fast, ...toBigQuery('notion')], env);
    expect(jobFails.code).toBe(1);
    expect(jobFails.stderr).toMatch(/BigQuery refused the load into table \w+, column summary: invalid/);
    expect(await readBack('notion')).toEqual(before);
    expect(stagingTables('notion')).toEqual([]);

    h.bq!.inject({ kind: 'upload_drop', count: 1000 });
    const dropping = await runCli(['sync', ...fast, ...toBigQuery('notion')], env);
    h.bq!.clearFaults();
    expect(dropping.code).toBe(1);
    expect(dropping.stderr).toMatch(/The upload into table \w+ failed after 6 attempts/);
    expect(await readBack('notion')).toEqual(before);
    expect(stagingTables('notion')).toEqual([]);

    const controller = new AbortController();
    const interrupted = runCli(['sync', '--rate-limit', '30', '--quiet', ...toBigQuery('notion')], env, controller.signal);
    await waitFor(() => h.bq!.jobs().filter((j) => j.type === 'LOAD').length > 0 || h.emu!.counters().requests > 3);
    controller.abort();
    expect((await interrupted).code).toBe(130);
    expect(await readBack('notion')).toEqual(before);

    const again = await runCli(['sync', ...fast, ...toBigQuery('notion')], env);
    expect(again.code).toBe(0);
    expect(stagingTables('notion')).toEqual([]);
    expect(await readBack('notion')).not.toEqual(before);
  });

  it('an upload that drops or loses its response is sent again with the same job id, loading once', async () => {
    const env = await serve();
    expect((await runCli(['sync', ...fast, ...toBigQuery('clean')], env)).code).toBe(0);
    const clean = await readBack('clean');
    const cleanLoads = h.bq!.jobs().filter((j) => j.type === 'LOAD').length;

    h.bq!.inject({ kind: 'upload_drop', table: undefined, count: 1, afterBytes: 10 });
    h.bq!.inject({ kind: 'upload_status', status: 503, count: 1 });
    h.bq!.inject({ kind: 'upload_lost_response', count: 1 });
    const res = await runCli(['sync', '--rate-limit', '1000', ...toBigQuery('faulty')], env);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/sending it again as job/);
    expect(await readBack('faulty')).toEqual(clean);
    // Failed uploads create no job, and the lost response is attached to, not loaded twice.
    expect(h.bq!.jobs().filter((j) => j.type === 'LOAD').length).toBe(cleanLoads * 2);
  });

  it('--arrays inline loads lists as REPEATED columns, equal to DuckDB; jobs are polled until DONE', async () => {
    const env = await h.serve(allTypesWorkspace(), { jobRunningMs: 300 });
    const db = join(await tmp(), 'inline.duckdb');
    expect((await runCli(['sync', ...fast, '--arrays', 'inline', '--out', db], env)).code).toBe(0);
    // The endpoint from the environment, as a scheduled job would set it.
    const res = await runCli(['sync', ...fast, '--arrays', 'inline', '--to', 'bigquery', '--project', h.bq!.projectId, '--dataset', 'inline', '--location', 'US'], { ...env, BIGQUERY_API_ENDPOINT: h.bq!.url });
    expect(res.code).toBe(0);
    const big = await readBack('inline');
    expect(big).toEqual(await duckDbTables(db));
    expect(big.projects!.columns.tags).toBe('REPEATED JSON');
    expect(Object.keys(big).some((t) => t.includes('__'))).toBe(false);
  });

  it('append adds the rows of each run; a property removed in Notion keeps its column', async () => {
    const env = await serve();
    expect((await runCli(['sync', ...fast, ...toBigQuery('log'), '--mode', 'append'], env)).code).toBe(0);
    const once = await readBack('log');
    const archive = h.emu!.workspace.dataSources.find((d) => JSON.stringify(d.title).includes('Archive'))!;
    delete archive.properties.Notes;
    for (const page of h.emu!.workspace.pages.filter((p) => p.data_source_id === archive.id)) delete page.properties.Notes;
    expect((await runCli(['sync', ...fast, ...toBigQuery('log'), '--mode', 'append'], env)).code).toBe(0);
    const twice = await readBack('log');
    // (The catalog describes each run as it was: the second run has one property fewer.)
    for (const table of Object.keys(once).filter((t) => t !== 'notion_data_source_properties')) expect({ table, rows: twice[table]!.rows.length }).toEqual({ table, rows: once[table]!.rows.length * 2 });
    expect(twice.notion_data_source_properties!.rows.length).toBe(once.notion_data_source_properties!.rows.length * 2 - 1);
    expect(twice.archive!.columns.notes).toBe('STRING');
    expect(twice.archive!.rows.filter((r) => r.notes === null).length).toBeGreaterThanOrEqual(once.archive!.rows.length);
  });

  it('drops staging tables a crashed run left behind', async () => {
    const env = await serve();
    const dataset = client().dataset('notion');
    await client().createDataset('notion', { location: 'US' });
    await dataset.createTable('_ns_stage_crashed_projects', { schema: { fields: [{ name: 'id', type: 'STRING' }] } });
    expect(stagingTables('notion')).toEqual(['_ns_stage_crashed_projects']);
    expect((await runCli(['sync', ...fast, ...toBigQuery('notion')], env)).code).toBe(0);
    expect(stagingTables('notion')).toEqual([]);
  });

  it('merge: two runs with edits, additions and a new property equal a fresh replace of the final state', async () => {
    const env = await serve();
    expect((await runCli(['sync', ...fast, ...toBigQuery('merged'), '--mode', 'merge'], env)).code).toBe(0);

    const ws = h.emu!.workspace;
    const archive = ws.dataSources.find((d) => JSON.stringify(d.title).includes('Archive'))!;
    const archivePages = ws.pages.filter((p) => p.data_source_id === archive.id);
    // Edits: a number, a checkbox, and the tags of a project (its child rows must be replaced).
    archivePages[0]!.properties.Points!.number = 12345;
    archivePages[1]!.properties.Active!.checkbox = !archivePages[1]!.properties.Active!.checkbox;
    const project = ws.pages.find((p) => Array.isArray(p.properties.Tags?.multi_select) && p.properties.Tags.multi_select.length > 0)!;
    project.properties.Tags!.multi_select = [];
    // An addition: a copy of an archive page with a new id.
    const copy = JSON.parse(JSON.stringify(archivePages[2])) as typeof archivePages[number];
    copy.id = '0f0f0f0f-0000-4000-8000-000000000001';
    ws.pages.push(copy);
    // A type-stable schema change: a new number property on Archive.
    archive.properties.Extra = { id: 'xtra', name: 'Extra', type: 'number', number: { format: 'number' } };
    for (const page of archivePages.concat(copy)) page.properties.Extra = { id: 'xtra', type: 'number', number: 7 };

    const second = await runCli(['sync', ...fast, ...toBigQuery('merged'), '--mode', 'merge'], env);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect((await runCli(['sync', ...fast, ...toBigQuery('fresh')], env)).code).toBe(0);

    const merged = await readBack('merged');
    const fresh = await readBack('fresh');
    expect(merged.archive!.rows.length).toBe(21);
    expect(merged.archive!.rows.some((r) => r.points === 12345 && r.extra === 7)).toBe(true);
    expect(merged).toEqual(fresh);
  });

  it('a changed column type stops the run with the fix; --full-refresh recreates the table', async () => {
    await serve();
    const schema = (type: string) => JSON.stringify({ type: 'SCHEMA', stream: 't', key_properties: ['id'], schema: { type: 'object', properties: { id: { type: ['null', 'string'] }, n: { type: ['null', type] } } } });
    const record = (n: unknown) => JSON.stringify({ type: 'RECORD', stream: 't', record: { id: 'a', n } });
    expect((await runCli(['load', '--quiet', '--assume-complete', ...toBigQuery('d')], {}, undefined, [schema('integer'), record(1)].join('\n'))).code).toBe(0);
    const changed = [schema('string'), record('one')].join('\n');
    const refused = await runCli(['load', '--assume-complete', ...toBigQuery('d')], {}, undefined, changed);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/table "t": column "n" is INTEGER in BigQuery \(test-project\.d\) but STRING now.*--full-refresh/);
    expect((await readBack('d')).t!.rows).toEqual([{ id: 'a', n: 1 }]);
    const refreshed = await runCli(['load', '--quiet', '--assume-complete', '--full-refresh', ...toBigQuery('d')], {}, undefined, changed);
    expect(refreshed.code).toBe(0);
    expect(await readBack('d')).toEqual({ t: { columns: { id: 'STRING', n: 'STRING' }, rows: [{ id: 'a', n: 'one' }] } });
  });

  it('an empty stream gives an empty table with its schema, and replace never empties a table on a failed read', async () => {
    await serve();
    const schema = JSON.stringify({ type: 'SCHEMA', stream: 'empty', key_properties: ['id'], schema: { type: 'object', properties: { id: { type: ['null', 'string'], description: 'Page id' } } } });
    expect((await runCli(['load', '--quiet', '--assume-complete', ...toBigQuery('d')], {}, undefined, schema)).code).toBe(0);
    expect(await readBack('d')).toEqual({ empty: { columns: { id: 'STRING' }, rows: [] } });
    expect(h.bq!.schema('d', 'empty')).toEqual([expect.objectContaining({ name: 'id', type: 'STRING', description: 'Page id' })]);
    expect(h.bq!.jobs().filter((j) => j.type === 'LOAD')).toHaveLength(0);
  });
});

describe('BigQuery errors', () => {
  it('an unreachable endpoint gives one sentence with the fix', async () => {
    const schema = JSON.stringify({ type: 'SCHEMA', stream: 't', key_properties: ['id'], schema: { type: 'object', properties: { id: { type: ['null', 'string'] } } } });
    const res = await runCli(['load', '--assume-complete', '--to', 'bigquery', '--project', 'p', '--dataset', 'd', '--bigquery-endpoint', 'http://127.0.0.1:1'], {}, undefined, schema);
    expect(res.code).toBe(1);
    expect(res.stderr.trim()).toBe('notion-stream: BigQuery could not be reached while reading dataset p.d (connect ECONNREFUSED 127.0.0.1:1). Check the network and --bigquery-endpoint http://127.0.0.1:1, then run again.');
  });
});

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}
