/**
 * What the warehouses answer about the page ids their tables hold (src/sinks/held-ids.ts): DuckDB on a
 * real file, BigQuery through the real client against the strict test server over HTTP. The same table
 * in both: live rows, a row soft-deleted earlier (not held), rows edited in and before the watermark's minute.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHeldIds } from '../../src/sinks/create-held-ids.js';
import type { HeldIds } from '../../src/sinks/held-ids.js';
import { createBigQueryClient } from '../../src/sinks/bigquery/client.js';
import { IdSet } from '../../src/state/id-set.js';
import { startBigQueryServer, type BigQueryTestServer } from '../support/bigquery-server/index.js';
import { queryDuckDb } from '../support/duckdb.js';

const id = (n: number) => `0000000${n}-0000-4000-8000-00000000000${n}`;
const [A, B, C, D, E] = [1, 2, 3, 4, 5].map(id) as [string, string, string, string, string];
const MINUTE = '2026-03-01T10:05:00.000Z';

/** Rows: A, B edited before the minute; C in it; D soft-deleted (edited in it too); E absent. */
const ROWS: [string, string, string | null][] = [
  [A, '2026-03-01T09:00:00.000Z', null],
  [B, '2026-03-01T10:04:00.000Z', null],
  [C, MINUTE, null],
  [D, MINUTE, '2026-03-01T10:06:00.000Z'],
];
const values = (ts: (t: string) => string) => ROWS.map(([i, t, d]) => `('${i}', ${ts(t)}, ${d === null ? 'NULL' : ts(d)})`).join(', ');

/** The answers every warehouse must give for the table above (`t`), a table without `_deleted_at` (`plain`) and a missing one. */
async function expectAnswers(held: HeldIds): Promise<void> {
  try {
    // Trash candidates: only live rows count; the soft-deleted D and the absent E do not.
    expect([...(await held.held('t', { ids: [A, D, E] }))].sort()).toEqual([A]);
    // With the watermark's minute: C (edited in it) too, never D.
    expect([...(await held.held('t', { ids: [B], editedSince: MINUTE }))].sort()).toEqual([B, C]);
    expect([...(await held.held('t', { ids: [], editedSince: MINUTE }))]).toEqual([C]);
    expect(await held.held('t', { ids: [] })).toEqual(new Set());
    // Reconciliation: live rows the listing lacks (D is soft-deleted already: not deleted again).
    expect(await held.notListed('t', IdSet.of([A, E]))).toEqual([B, C]);
    expect(await held.notListed('t', IdSet.of([A, B, C]))).toEqual([]);
    // A table without _deleted_at: every row is held.
    expect([...(await held.held('plain', { ids: [A, D] }))].sort()).toEqual([A, D]);
    expect(await held.notListed('plain', IdSet.empty())).toEqual([A, D]);
    // A table that does not exist holds nothing.
    expect(await held.held('missing', { ids: [A], editedSince: MINUTE })).toEqual(new Set());
    expect(await held.notListed('missing', IdSet.empty())).toEqual([]);
  } finally {
    await held.close();
  }
}

describe('DuckDB: which page ids a table holds', () => {
  it('answers from the table, soft-deleted rows and missing tables holding nothing; never creates or changes the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ns-held-'));
    const path = join(dir, 'w.duckdb');
    expect(await createHeldIds({ to: 'duckdb', out: path })!.held('t', { ids: [A] })).toEqual(new Set()); // no file yet
    await queryDuckDb(
      path,
      `CREATE TABLE t (id VARCHAR, last_edited_time TIMESTAMPTZ, _deleted_at TIMESTAMPTZ);
       INSERT INTO t VALUES ${values((t) => `TIMESTAMPTZ '${t}'`)};
       CREATE TABLE plain (id VARCHAR, last_edited_time TIMESTAMPTZ);
       INSERT INTO plain VALUES ('${A}', TIMESTAMPTZ '${MINUTE}'), ('${D}', TIMESTAMPTZ '${MINUTE}');
       SELECT 1`,
      { readWrite: true },
    );
    await expectAnswers(createHeldIds({ to: 'duckdb', out: path })!);
    expect(await queryDuckDb(path, `SELECT count(*)::INT AS n FROM duckdb_tables()`)).toEqual([{ n: 2 }]);
    expect(createHeldIds({ to: 'csv' })).toBeUndefined();
  });
});

describe('BigQuery: which page ids a table holds', () => {
  let bq: BigQueryTestServer | undefined;
  beforeAll(() => {
    process.env.METADATA_SERVER_DETECTION = 'none';
  });
  afterEach(async () => {
    await bq?.close();
  });

  it('answers with query jobs through the real client, soft-deleted rows and missing tables holding nothing', async () => {
    bq = await startBigQueryServer({ projectId: 'test-project' });
    const options = { to: 'bigquery' as const, project: bq.projectId, dataset: 'ds', location: 'US', bigqueryEndpoint: bq.url };
    expect(await createHeldIds(options)!.held('t', { ids: [A] })).toEqual(new Set()); // no dataset yet
    const client = createBigQueryClient({ projectId: bq.projectId, location: 'US', endpoint: bq.url });
    await client.createDataset('ds', { location: 'US' });
    const [job] = await client.createQueryJob({
      location: 'US',
      query: `CREATE TABLE \`ds.t\` (id STRING, last_edited_time TIMESTAMP, _deleted_at TIMESTAMP);
        INSERT INTO \`ds.t\` (id, last_edited_time, _deleted_at) VALUES ${values((t) => `TIMESTAMP '${t}'`)};
        CREATE TABLE \`ds.plain\` (id STRING, last_edited_time TIMESTAMP);
        INSERT INTO \`ds.plain\` (id, last_edited_time) VALUES ('${A}', TIMESTAMP '${MINUTE}'), ('${D}', TIMESTAMP '${MINUTE}');`,
    });
    await job.promise();
    const before = bq.jobs().length;
    await expectAnswers(createHeldIds(options)!);
    const queries = bq.jobs().slice(before);
    expect(queries.every((j) => j.type === 'QUERY' && j.state === 'DONE' && !j.errorResult && j.jobId.startsWith('notion_stream_held_ids_'))).toBe(true);
    expect(queries).toHaveLength(7); // t ×5 (the empty question costs none), plain ×2; the missing table none
  });
});
