/**
 * SQL and copy jobs on the BigQuery test server, through the real client: scripts in transactions
 * that roll back, MERGE with BigQuery's one-source-row rule, the sink's statement shapes, double-quoted
 * strings as literals, both query paths of the client (jobs.query and jobs.insert + getQueryResults).
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BigQuery } from '@google-cloud/bigquery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBigQueryClient } from '../../src/sinks/bigquery/client.js';
import { startBigQueryServer, type BigQueryTestServer } from '../support/bigquery-server/index.js';

process.env.METADATA_SERVER_DETECTION = 'none';

let server: BigQueryTestServer;
let bq: BigQuery;

const fields = [
  { name: 'id', type: 'STRING', mode: 'REQUIRED' },
  { name: 'title', type: 'STRING' },
  { name: 'n', type: 'INT64' },
  { name: 'edited', type: 'TIMESTAMP' },
  { name: '_ns_seq', type: 'INT64' },
];

async function load(tableId: string, rows: unknown[], writeDisposition = 'WRITE_TRUNCATE', dataset = 'ds'): Promise<void> {
  const stream = bq.dataset(dataset).table(tableId).createWriteStream({ sourceFormat: 'NEWLINE_DELIMITED_JSON', schema: { fields }, writeDisposition });
  await pipeline(Readable.from(rows.map((r) => JSON.stringify(r) + '\n')), stream);
}

/** Runs a script as the sink does: createQueryJob with a jobId, then wait for DONE. */
async function script(query: string): Promise<Record<string, unknown>> {
  const [job] = await bq.createQueryJob({ query, location: 'US', jobId: `q_${Math.random().toString(36).slice(2)}` });
  for (;;) {
    const [meta] = await job.getMetadata();
    if (meta.status.state === 'DONE') return meta;
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function ids(tableId: string): Promise<unknown[]> {
  return (await server.rows('ds', tableId)).map((r) => [r.id, r.title, r.n]);
}

beforeAll(async () => {
  server = await startBigQueryServer();
  bq = createBigQueryClient({ projectId: 'test-project', location: 'US', endpoint: server.url });
  await bq.dataset('ds').create({ location: 'US' });
});
afterAll(async () => {
  await server?.close();
});

describe('queries', () => {
  it('answers bigquery.query() (jobs.query) with typed rows', async () => {
    await load('q1', [{ id: 'a', title: 'A', n: 1, edited: '2024-01-02T03:04:05Z' }, { id: 'b', n: 2 }]);
    const [rows] = await bq.query({ query: 'SELECT id, n, edited FROM `test-project.ds.q1` WHERE n >= @min ORDER BY id', params: { min: 1 }, location: 'US' });
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ id: 'a', n: 1 });
    expect(rows[0].edited.value).toBe('2024-01-02T03:04:05.000Z');
    expect(rows[1].edited).toBeNull();
    expect(server.requests().some((r) => r.method === 'POST' && r.path === '/bigquery/v2/projects/test-project/queries')).toBe(true);
  });

  it('answers createQueryJob + getQueryResults, with pages', async () => {
    const [job] = await bq.createQueryJob({ query: 'SELECT x FROM UNNEST(GENERATE_ARRAY(1, 25)) AS x ORDER BY x', location: 'US' });
    const [all] = await job.getQueryResults();
    expect(all.map((r) => r.x)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    const [page, next] = await job.getQueryResults({ maxResults: 10, autoPaginate: false });
    expect(page).toHaveLength(10);
    expect(next).toMatchObject({ pageToken: expect.any(String) });
  });

  it('treats double-quoted tokens as string literals and resolves every spelling of a table path', async () => {
    await load('q2', [{ id: 'title', title: 'id', n: 5 }]);
    const [rows] = await bq.query({ query: 'SELECT "id" AS lit, id FROM `test-project`.`ds`.`q2` WHERE title = "id"', location: 'US' });
    expect(rows).toEqual([{ lit: 'id', id: 'title' }]);
    const [rows2] = await bq.query({ query: "SELECT b.n FROM ds.q2 JOIN `ds.q2` AS b USING (id) WHERE id = 'title'", location: 'US' });
    expect(rows2).toEqual([{ n: 5 }]);
    const [rows3] = await bq.query({ query: 'SELECT n FROM q2', defaultDataset: { datasetId: 'ds' }, location: 'US' });
    expect(rows3).toEqual([{ n: 5 }]);
    await expect(bq.query({ query: 'SELECT n FROM q2', location: 'US' })).rejects.toMatchObject({ code: 400, message: expect.stringMatching(/must be qualified with a dataset/) });
  });

  it('fails on a missing table with notFound and on a bad column with invalidQuery', async () => {
    await expect(bq.query({ query: 'SELECT * FROM ds.nope', location: 'US' })).rejects.toMatchObject({ code: 404, message: expect.stringMatching(/Not found: Table test-project:ds\.nope/) });
    await load('q3', [{ id: 'a' }]);
    await expect(bq.query({ query: 'SELECT nope FROM ds.q3', location: 'US' })).rejects.toMatchObject({ code: 400, errors: [expect.objectContaining({ reason: 'invalidQuery' })] });
    const meta = await script('DELETE FROM `test-project.ds.missing` WHERE TRUE');
    expect(meta.status).toMatchObject({ state: 'DONE', errorResult: { reason: 'notFound' } });
    expect(server.jobs().at(-1)).toMatchObject({ type: 'QUERY', errorResult: { reason: 'notFound' } });
  });

  it('rejects legacy SQL, DELETE without WHERE, and a query_error fault', async () => {
    await expect(bq.createQueryJob({ query: 'SELECT 1', useLegacySql: true, location: 'US' })).rejects.toMatchObject({ code: 400 });
    await load('q4', [{ id: 'a' }]);
    expect((await script('DELETE FROM ds.q4')).status).toMatchObject({ errorResult: { reason: 'invalidQuery', message: 'DELETE must have a WHERE clause' } });
    server.inject({ kind: 'query_error', match: 'q4', reason: 'backendError', message: 'injected' });
    expect((await script('DELETE FROM ds.q4 WHERE TRUE')).status).toMatchObject({ errorResult: { reason: 'backendError', message: 'injected' } });
    expect(await ids('q4')).toEqual([['a', null, null]]);
  });
  it('translates BigQuery forms: UNNEST aliases, OFFSET, STRUCT, SELECT * EXCEPT, IN UNNEST, parameters, typed literals', async () => {
    await bq.dataset('ds').createTable('q5', { schema: { fields: [{ name: 'id', type: 'STRING' }, { name: 'tags', type: 'STRING', mode: 'REPEATED' }, { name: 'j', type: 'JSON' }] } });
    const [ins] = await bq.query({ query: `INSERT ds.q5 (id, tags, j) VALUES ('a', ['x', 'y'], JSON '{"k": 1}'), ("b", [], NULL)`, location: 'US' });
    expect(ins).toEqual([]);
    const [rows] = await bq.query({
      query: `SELECT * EXCEPT (tags, j), tags[OFFSET(1)] AS second, JSON_VALUE(j, '$.k') AS k, STRUCT(1 AS x, "s" AS y) AS st, TIMESTAMP '2024-01-02 03:04:05' AS ts
              FROM ds.q5 WHERE id IN UNNEST(@ids) AND ARRAY_LENGTH(tags) > @min`,
      params: { ids: ['a', 'b'], min: 0 },
      location: 'US',
    });
    expect(rows).toEqual([{ id: 'a', second: 'y', k: '1', st: { x: 1, y: 's' }, ts: expect.objectContaining({ value: '2024-01-02T03:04:05.000Z' }) }]);
    const [tags] = await bq.query({ query: 'SELECT t.id, tag FROM ds.q5 AS t, UNNEST(t.tags) AS tag ORDER BY tag', location: 'US' });
    expect(tags).toEqual([{ id: 'a', tag: 'x' }, { id: 'a', tag: 'y' }]);
  });

  it('reports DML affected rows', async () => {
    await load('q6', [{ id: 'a', n: 1 }, { id: 'b', n: 2 }]);
    const [job] = await bq.createQueryJob({ query: 'UPDATE ds.q6 SET n = n * 10 WHERE n > 0', location: 'US' });
    const [, , response] = await job.getQueryResults();
    expect(response).toMatchObject({ numDmlAffectedRows: '2', jobComplete: true });
    const [meta] = await job.getMetadata();
    expect(meta.statistics.query).toMatchObject({ statementType: 'UPDATE', numDmlAffectedRows: '2' });
    expect(await ids('q6')).toEqual([['a', null, 10], ['b', null, 20]]);
  });
});

describe('scripts and transactions', () => {
  it('runs the sink\'s replace script atomically', async () => {
    await load('target', [{ id: 'old', n: 0 }]);
    await load('stage', [{ id: 'a', title: 'A', n: 1 }, { id: 'b', title: 'B', n: 2 }]);
    const meta = await script(
      [
        'BEGIN TRANSACTION;',
        'DELETE FROM `test-project.ds.target` WHERE TRUE;',
        'INSERT INTO `test-project.ds.target` (`id`, `title`, `n`) SELECT `id`, `title`, `n` FROM `test-project.ds.stage`;',
        'COMMIT TRANSACTION;',
      ].join('\n'),
    );
    expect(meta.status).toEqual({ state: 'DONE' });
    expect((meta.statistics as { query: { statementType: string } }).query.statementType).toBe('SCRIPT');
    expect(await ids('target')).toEqual([['a', 'A', 1], ['b', 'B', 2]]);
  });

  it('rolls everything back when a statement fails mid-transaction', async () => {
    await load('t1', [{ id: 'keep1', n: 1 }]);
    await load('t2', [{ id: 'keep2', n: 2 }]);
    const meta = await script(`BEGIN TRANSACTION;
      DELETE FROM ds.t1 WHERE TRUE;
      INSERT INTO ds.t1 (id, n) VALUES ('new', 10);
      DELETE FROM ds.t2 WHERE TRUE;
      INSERT INTO ds.t2 (id, n) SELECT id, no_such_column FROM ds.t1;
      COMMIT TRANSACTION;`);
    expect(meta.status).toMatchObject({ state: 'DONE', errorResult: { reason: 'invalidQuery', message: expect.stringMatching(/Unrecognized name: no_such_column/) } });
    expect(await ids('t1')).toEqual([['keep1', null, 1]]);
    expect(await ids('t2')).toEqual([['keep2', null, 2]]);
  });

  it('fails DDL inside a transaction, and rolls back what came before', async () => {
    await load('t3', [{ id: 'keep', n: 1 }]);
    const meta = await script('BEGIN TRANSACTION; DELETE FROM ds.t3 WHERE TRUE; CREATE TABLE ds.t4 (x INT64); COMMIT TRANSACTION;');
    expect(meta.status).toMatchObject({ errorResult: { message: expect.stringMatching(/CREATE TABLE statement is not supported inside a transaction/) } });
    expect(await ids('t3')).toEqual([['keep', null, 1]]);
    expect(server.tableIds('ds')).not.toContain('t4');
  });

  it('runs statements outside a transaction one by one (earlier ones stay)', async () => {
    await load('t5', [{ id: 'a', n: 1 }]);
    const meta = await script("UPDATE ds.t5 SET n = 2 WHERE id = 'a'; SELECT nope FROM ds.t5;");
    expect(meta.status).toMatchObject({ errorResult: { reason: 'invalidQuery' } });
    expect(await ids('t5')).toEqual([['a', null, 2]]);
  });

  it('supports DDL outside transactions: CREATE TABLE, ALTER TABLE ADD COLUMN, DROP TABLE IF EXISTS', async () => {
    const meta = await script(`CREATE TABLE ds.made (id STRING NOT NULL, tags ARRAY<STRING>, ts TIMESTAMP, rec STRUCT<a INT64, b STRING>);
      ALTER TABLE ds.made ADD COLUMN extra JSON;
      INSERT INTO ds.made (id, tags, ts, extra) VALUES ('x', ['p', 'q'], TIMESTAMP '2024-01-02 03:04:05', JSON '{"k": 1}');`);
    expect(meta.status).toEqual({ state: 'DONE' });
    expect(server.schema('ds', 'made')).toEqual([
      { name: 'id', type: 'STRING', mode: 'REQUIRED' },
      { name: 'tags', type: 'STRING', mode: 'REPEATED' },
      { name: 'ts', type: 'TIMESTAMP', mode: 'NULLABLE' },
      { name: 'rec', type: 'RECORD', mode: 'NULLABLE', fields: [{ name: 'a', type: 'INTEGER', mode: 'NULLABLE' }, { name: 'b', type: 'STRING', mode: 'NULLABLE' }] },
      { name: 'extra', type: 'JSON', mode: 'NULLABLE' },
    ]);
    expect(await server.rows('ds', 'made')).toEqual([{ id: 'x', tags: ['p', 'q'], ts: '2024-01-02T03:04:05.000Z', rec: null, extra: { k: 1 } }]);
    expect((await script('DROP TABLE ds.made; DROP TABLE IF EXISTS ds.made;')).status).toEqual({ state: 'DONE' });
    expect(server.tableIds('ds')).not.toContain('made');
    expect((await script('DROP TABLE ds.made')).status).toMatchObject({ errorResult: { reason: 'notFound' } });
  });
});

describe('MERGE', () => {
  const mergeSql = (target: string, stage: string) => `BEGIN TRANSACTION;
MERGE \`test-project.ds.${target}\` T USING (SELECT \`id\`, \`title\`, \`n\` FROM \`test-project.ds.${stage}\` WHERE TRUE QUALIFY ROW_NUMBER() OVER (PARTITION BY \`id\` ORDER BY \`_ns_seq\` DESC) = 1) S ON T.\`id\` = S.\`id\`
WHEN MATCHED THEN UPDATE SET \`title\` = S.\`title\`, \`n\` = S.\`n\`
WHEN NOT MATCHED THEN INSERT (\`id\`, \`title\`, \`n\`) VALUES (S.\`id\`, S.\`title\`, S.\`n\`);
COMMIT TRANSACTION;`;

  it('updates matched rows and inserts new ones, one source row per key after QUALIFY', async () => {
    await load('m_target', [{ id: 'a', title: 'old', n: 1 }, { id: 'z', title: 'untouched', n: 9 }]);
    await load('m_stage', [
      { id: 'a', title: 'first', n: 2, _ns_seq: 1 },
      { id: 'a', title: 'last', n: 3, _ns_seq: 2 },
      { id: 'b', title: 'new', n: 4, _ns_seq: 3 },
    ]);
    expect((await script(mergeSql('m_target', 'm_stage'))).status).toEqual({ state: 'DONE' });
    expect(await ids('m_target')).toEqual([['a', 'last', 3], ['b', 'new', 4], ['z', 'untouched', 9]]);
  });

  it('fails when several source rows match one target row, and changes nothing', async () => {
    await load('m2_target', [{ id: 'a', title: 'old', n: 1 }]);
    await load('m2_stage', [{ id: 'a', title: 'x', n: 2 }, { id: 'a', title: 'y', n: 3 }]);
    await load('m2_other', [{ id: 'o', n: 1 }]);
    const meta = await script(`BEGIN TRANSACTION;
DELETE FROM ds.m2_other WHERE TRUE;
MERGE ds.m2_target T USING ds.m2_stage S ON T.id = S.id WHEN MATCHED THEN UPDATE SET title = S.title;
COMMIT TRANSACTION;`);
    expect(meta.status).toMatchObject({ errorResult: { message: 'UPDATE/MERGE must match at most one source row for each target row' } });
    expect(await ids('m2_target')).toEqual([['a', 'old', 1]]);
    expect(await ids('m2_other')).toEqual([['o', null, 1]]);
  });

  it('keeps SQL semantics of TIMESTAMP columns (comparisons in UTC)', async () => {
    await load('ts', [{ id: 'a', edited: '2024-01-02T03:04:05+02:00' }]);
    const [rows] = await bq.query({ query: "SELECT id FROM ds.ts WHERE edited = TIMESTAMP '2024-01-02 01:04:05 UTC' AND edited < CURRENT_TIMESTAMP()", location: 'US' });
    expect(rows).toEqual([{ id: 'a' }]);
  });
});

describe('copy jobs', () => {
  it('copies data and schema, with the destination\'s write disposition', async () => {
    await load('src', [{ id: 'a', n: 1 }]);
    const [job] = await bq.dataset('ds').table('src').copy(bq.dataset('ds').table('dst'));
    expect(job.status?.state).toBe('DONE');
    expect(await ids('dst')).toEqual([['a', null, 1]]);
    expect(server.schema('ds', 'dst')).toEqual(server.schema('ds', 'src'));
    await expect(bq.dataset('ds').table('src').copy(bq.dataset('ds').table('dst'))).rejects.toMatchObject({ errors: [expect.objectContaining({ reason: 'duplicate' })] });
    await load('src', [{ id: 'b', n: 2 }]);
    await bq.dataset('ds').table('src').copy(bq.dataset('ds').table('dst'), { writeDisposition: 'WRITE_TRUNCATE' });
    expect(await ids('dst')).toEqual([['b', null, 2]]);
    expect(server.jobs().filter((j) => j.type === 'COPY' && j.tableId === 'dst').map((j) => j.errorResult?.reason ?? 'ok')).toEqual(['ok', 'duplicate', 'ok']);
  });

  it('fails a copy from a missing table with notFound', async () => {
    await expect(bq.dataset('ds').table('no_such').copy(bq.dataset('ds').table('dst2'))).rejects.toMatchObject({ errors: [expect.objectContaining({ reason: 'notFound' })] });
    expect(server.tableIds('ds')).not.toContain('dst2');
  });
});
