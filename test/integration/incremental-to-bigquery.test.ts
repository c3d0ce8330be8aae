/**
 * `sync --incremental --to bigquery` end to end: the emulator over HTTP on one side, the strict BigQuery
 * test server driven by the real client on the other. After mixed changes the dataset equals a fresh full
 * sync of the final workspace; a run killed mid-way changes nothing and the re-run loses nothing.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { useEmulatorAndBigQuery } from '../support/emulator-bigquery.js';
import { applyMixedChanges, edit, mainRow, Minutes, renameColumn, scenarioWorkspace, setCount, trash } from '../support/incremental-scenario.js';
import { bigQueryTables, type CanonicalTables } from '../support/warehouse-rows.js';

const h = useEmulatorAndBigQuery();
const { toBigQuery, client } = h;

const fast = ['--rate-limit', '1000', '--quiet'];

async function serve() {
  const env = await h.serve(scenarioWorkspace());
  return { env, ws: h.emu!.workspace };
}

async function dataTables(dataset: string): Promise<CanonicalTables> {
  const all = await bigQueryTables(client(), dataset, 'US');
  delete all._notion_stream_state;
  return all;
}

async function stateOf(dataset: string): Promise<any> {
  const rows = (await h.bq!.rows(dataset, '_notion_stream_state')) as Array<{ value: string }>;
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
    expect(second.stderr).toMatch(/BigQuery jobs: \d+ load, 0 copy, 2 query/); // the record of the column it adds, the swap

    expect((await runCli(['sync', ...fast, ...toBigQuery('fresh')], env)).code).toBe(0);
    const expected = renameColumn(await dataTables('fresh'), 'projects', 'remarks', 'notes');
    const actual = await dataTables('incr');
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
    for (const table of Object.keys(expected)) expect({ table, ...actual[table] }).toEqual({ table, ...expected[table] });
    expect(h.bq!.schema('incr', 'projects')!.find((f) => f.name === 'notes')).toMatchObject({ description: 'Remarks' });
    const projects = Object.values<any>((await stateOf('incr')).bookmarks).find((b) => b.table === 'projects');
    // The tables answer which pages they hold: the state keeps no ids.
    expect(projects).not.toHaveProperty('ids');
    expect(actual.projects!.rows).toHaveLength(39); // 40 + 1 added − 1 trashed − 1 unshared
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
    h.emu!.inject({ endpoint: 'data_sources.query', kind: 'internal_server_error', after: 1, count: Infinity });
    const killed = await runCli(['sync', '--incremental', ...fast, '--retries', '0', ...toBigQuery('incr')], env);
    expect(killed.code).toBe(1);
    expect(await dataTables('incr')).toEqual(before);
    expect(await stateOf('incr')).toEqual(stateBefore);
    expect(h.bq!.tableIds('incr').filter((id) => id.startsWith('_ns_stage_'))).toEqual([]);
    h.emu!.clearFaults();
    expect((await runCli(['sync', '--incremental', ...fast, ...toBigQuery('incr')], env)).code).toBe(0);
    expect((await runCli(['sync', ...fast, ...toBigQuery('fresh')], env)).code).toBe(0);
    expect(await dataTables('incr')).toEqual(await dataTables('fresh'));
  });
});
