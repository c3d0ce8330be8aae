/**
 * `sync --incremental --to bigquery` end to end: the emulator over HTTP on one side, the strict BigQuery
 * test server driven by the real client on the other. After mixed changes the dataset equals a fresh full
 * sync of the final workspace; a run killed mid-way changes nothing and the re-run loses nothing.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { createBigQueryClient } from '../../src/sinks/bigquery/client.js';
import { startBigQueryServer, type BigQueryTestServer } from '../support/bigquery-server/index.js';
import { runCli } from '../support/cli.js';
import { applyMixedChanges, edit, mainRow, Minutes, renameColumn, scenarioWorkspace, setCount, trash } from '../support/incremental-scenario.js';
import { bigQueryTables, type CanonicalTables } from '../support/warehouse-rows.js';

beforeAll(() => {
  process.env.METADATA_SERVER_DETECTION = 'none';
});

let emu: Emulator | undefined;
let bq: BigQueryTestServer | undefined;
afterEach(async () => {
  await emu?.close();
  await bq?.close();
  emu = undefined;
  bq = undefined;
});

const fast = ['--rate-limit', '1000', '--quiet'];

async function serve() {
  emu = await startEmulator({ workspace: scenarioWorkspace(), rateLimit: false });
  bq = await startBigQueryServer({ projectId: 'test-project' });
  return { env: { NOTION_TOKEN: emu.token, NOTION_BASE_URL: emu.url }, ws: emu.workspace };
}

const toBigQuery = (dataset: string) => ['--to', 'bigquery', '--project', bq!.projectId, '--dataset', dataset, '--location', 'US', '--bigquery-endpoint', bq!.url];

async function dataTables(dataset: string): Promise<CanonicalTables> {
  const all = await bigQueryTables(createBigQueryClient({ projectId: bq!.projectId, location: 'US', endpoint: bq!.url }), dataset, 'US');
  delete all._notion_stream_state;
  return all;
}

async function stateOf(dataset: string): Promise<any> {
  const rows = (await bq!.rows(dataset, '_notion_stream_state')) as Array<{ value: string }>;
  expect(rows).toHaveLength(1);
  return JSON.parse(rows[0]!.value);
}

describe('sync --incremental into BigQuery', () => {
  it('mixed changes, a rename and an added property give the tables of a fresh full sync', async () => {
    const { env, ws } = await serve();
    expect((await runCli(['sync', '--incremental', ...fast, ...toBigQuery('incr')], env)).code).toBe(0);
    const t = new Minutes().next();
    applyMixedChanges(ws, t);
    const second = await runCli(['sync', '--incremental', '--reconcile', '--rate-limit', '1000', ...toBigQuery('incr')], env);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('2 trashed and 1 missing page deleted');
    expect(second.stderr).toMatch(/BigQuery jobs: \d+ load, 0 copy, 1 query/);

    expect((await runCli(['sync', ...fast, ...toBigQuery('fresh')], env)).code).toBe(0);
    const expected = renameColumn(await dataTables('fresh'), 'projects', 'remarks', 'notes');
    const actual = await dataTables('incr');
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
    for (const table of Object.keys(expected)) expect({ table, ...actual[table] }).toEqual({ table, ...expected[table] });
    expect(bq!.schema('incr', 'projects')!.find((f) => f.name === 'notes')).toMatchObject({ description: 'Remarks' });
    const projects = Object.values<any>((await stateOf('incr')).bookmarks).find((b) => b.table === 'projects');
    expect(projects.ids).toHaveLength(39);
    expect(projects.watermark).toBe(t);
  });

  it('a run killed mid-way leaves data and state as they were; the re-run loses and duplicates nothing', async () => {
    const { env, ws } = await serve();
    expect((await runCli(['sync', '--incremental', ...fast, ...toBigQuery('incr')], env)).code).toBe(0);
    const before = await dataTables('incr');
    const stateBefore = await stateOf('incr');
    const t = new Minutes().next();
    for (const n of [2, 8, 12]) edit(mainRow(ws, n), t, (p) => setCount(p, n * 1000));
    trash(mainRow(ws, 9), t);
    emu!.inject({ endpoint: 'data_sources.query', kind: 'internal_server_error', after: 1, count: Infinity });
    const killed = await runCli(['sync', '--incremental', ...fast, '--retries', '0', ...toBigQuery('incr')], env);
    expect(killed.code).toBe(1);
    expect(await dataTables('incr')).toEqual(before);
    expect(await stateOf('incr')).toEqual(stateBefore);
    expect(bq!.tableIds('incr').filter((id) => id.startsWith('_ns_stage_'))).toEqual([]);
    emu!.clearFaults();
    expect((await runCli(['sync', '--incremental', ...fast, ...toBigQuery('incr')], env)).code).toBe(0);
    expect((await runCli(['sync', ...fast, ...toBigQuery('fresh')], env)).code).toBe(0);
    expect(await dataTables('incr')).toEqual(await dataTables('fresh'));
  });
});
