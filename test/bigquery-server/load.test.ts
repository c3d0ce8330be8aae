/**
 * The BigQuery test server through the real @google-cloud/bigquery client: streamed NDJSON loads,
 * BigQuery's schema and value rules, dispositions, schema evolution, atomicity, tables and tabledata.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BigQuery, Table } from '@google-cloud/bigquery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBigQueryClient } from '../../src/sinks/bigquery/client.js';
import { startBigQueryServer, type BigQueryTestServer } from '../support/bigquery-server/index.js';

process.env.METADATA_SERVER_DETECTION = 'none';

type Fields = { name: string; type: string; mode?: string; description?: string; fields?: Fields }[];

let server: BigQueryTestServer;
let bq: BigQuery;
let seq = 0;

beforeAll(async () => {
  server = await startBigQueryServer();
  bq = createBigQueryClient({ projectId: 'test-project', location: 'US', endpoint: server.url });
  await bq.dataset('ds').create({ location: 'US' });
});
afterAll(async () => {
  await server?.close();
});

const tableName = () => `t${++seq}`;

async function load(table: Table, rows: unknown[], metadata: Record<string, unknown> = {}): Promise<{ jobId: string }> {
  const stream = table.createWriteStream({ sourceFormat: 'NEWLINE_DELIMITED_JSON', ...metadata });
  let jobId = '';
  stream.on('job', (job: { id: string }) => (jobId = job.id));
  await pipeline(Readable.from(rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r)) + '\n')), stream);
  return { jobId };
}

/** The load's error, as the client surfaces it (err.errors holds BigQuery's reasons). */
async function loadError(table: Table, rows: unknown[], metadata: Record<string, unknown> = {}): Promise<{ message: string; errors: { reason: string; message: string }[] }> {
  try {
    await load(table, rows, metadata);
  } catch (e) {
    const err = e as { message: string; errors?: { reason: string; message: string }[] };
    return { message: err.message, errors: err.errors ?? [] };
  }
  throw new Error('load succeeded but was expected to fail');
}

const ALL_TYPES: Fields = [
  { name: 'id', type: 'INT64', mode: 'REQUIRED' },
  { name: 'name', type: 'STRING', description: 'Name (original: "Name")' },
  { name: 'score', type: 'FLOAT64' },
  { name: 'amount', type: 'NUMERIC' },
  { name: 'done', type: 'BOOL' },
  { name: 'due', type: 'TIMESTAMP' },
  { name: 'day', type: 'DATE' },
  { name: 'tags', type: 'STRING', mode: 'REPEATED' },
  { name: 'props', type: 'JSON' },
  { name: 'big', type: 'INT64' },
  { name: 'rec', type: 'RECORD', fields: [{ name: 'a', type: 'INT64' }, { name: 'b', type: 'STRING', mode: 'REPEATED' }] },
];

describe('streamed NDJSON load', () => {
  it('loads every type and reads it back with table.getRows() and the inspection API', async () => {
    const table = bq.dataset('ds').table(tableName());
    const { jobId } = await load(
      table,
      [
        { id: 1, name: 'a', score: 1.5, amount: '12.345678901', done: true, due: '2024-01-02T03:04:05.123456Z', day: '2024-01-02', tags: ['x', 'y'], props: { k: [1, 2] }, big: '9007199254740993', rec: { a: 7, b: ['q'] } },
        { id: 2, due: '2024-01-02 03:04:05+02:00', tags: null, props: null },
      ],
      { schema: { fields: ALL_TYPES }, writeDisposition: 'WRITE_TRUNCATE', jobId: 'load_all_types', location: 'US' },
    );
    expect(jobId).toBe('load_all_types');

    const [rows] = await table.getRows();
    const first = rows.find((r) => r.id === 1)!;
    expect(first.name).toBe('a');
    expect(first.score).toBe(1.5);
    expect(first.amount.toString()).toBe('12.345678901');
    expect(first.done).toBe(true);
    expect(first.due.value).toBe('2024-01-02T03:04:05.123456000Z');
    expect(first.day.value).toBe('2024-01-02');
    expect(first.tags).toEqual(['x', 'y']);
    expect(first.props).toBe('{"k":[1,2]}');
    expect(first.rec).toEqual({ a: 7, b: ['q'] });

    const plain = await server.rows('ds', table.id!);
    expect(plain).toEqual([
      { id: 1, name: 'a', score: 1.5, amount: '12.345678901', done: true, due: '2024-01-02T03:04:05.123456Z', day: '2024-01-02', tags: ['x', 'y'], props: { k: [1, 2] }, big: '9007199254740993', rec: { a: 7, b: ['q'] } },
      { id: 2, name: null, score: null, amount: null, done: null, due: '2024-01-02T01:04:05.000Z', day: null, tags: [], props: null, big: null, rec: null },
    ]);
    const job = server.jobs().find((j) => j.jobId === 'load_all_types')!;
    expect(job).toMatchObject({ type: 'LOAD', datasetId: 'ds', tableId: table.id, state: 'DONE', rows: 2, location: 'US' });
    expect(job.maxBadRecords).toBeUndefined();
    expect(job.ignoreUnknownValues).toBeUndefined();

    const [meta] = await table.getMetadata();
    expect(meta.numRows).toBe('2');
    expect(meta.type).toBe('TABLE');
    expect(meta.location).toBe('US');
    expect(meta.schema.fields[0]).toEqual({ name: 'id', type: 'INTEGER', mode: 'REQUIRED' });
    expect(meta.schema.fields[1]).toEqual({ name: 'name', type: 'STRING', mode: 'NULLABLE', description: 'Name (original: "Name")' });
    expect(server.schema('ds', table.id!)?.map((f) => f.type)).toEqual(['INTEGER', 'STRING', 'FLOAT', 'NUMERIC', 'BOOLEAN', 'TIMESTAMP', 'DATE', 'STRING', 'JSON', 'INTEGER', 'RECORD']);
  });

  it('stores a JSON value given as a string as a JSON string (a double-encoded value stays visible)', async () => {
    const table = bq.dataset('ds').table(tableName());
    await load(table, [{ j: JSON.stringify({ a: 1 }) }, { j: { a: 1 } }], { schema: { fields: [{ name: 'j', type: 'JSON' }] } });
    expect(await server.rows('ds', table.id!)).toEqual([{ j: '{"a":1}' }, { j: { a: 1 } }]);
    const [rows] = await table.getRows();
    expect(rows.map((r) => r.j).sort()).toEqual(['"{\\"a\\":1}"', '{"a":1}']);
  });

  it('keeps a JSON null apart from a missing key (SQL NULL)', async () => {
    const table = bq.dataset('ds').table(tableName());
    await load(table, [{ n: 1, j: null }, { n: 2 }], { schema: { fields: [{ name: 'n', type: 'INT64' }, { name: 'j', type: 'JSON' }] } });
    const [rows] = await bq.query({ query: `SELECT n, j IS NULL AS sql_null FROM ds.${table.id} ORDER BY n`, location: 'US' });
    expect(rows).toEqual([{ n: 1, sql_null: false }, { n: 2, sql_null: true }]);
  });

  it('patches a nested RECORD with new subfields and keeps the rows', async () => {
    const table = bq.dataset('ds').table(tableName());
    const rec = (extra: Fields = []) => ({ name: 'r', type: 'RECORD', mode: 'REPEATED', fields: [{ name: 'a', type: 'INT64' }, ...extra] });
    await load(table, [{ id: 'x', r: [{ a: 1 }, { a: 2 }] }], { schema: { fields: [{ name: 'id', type: 'STRING' }, rec()] } });
    await table.setMetadata({ schema: { fields: [{ name: 'id', type: 'STRING' }, rec([{ name: 'b', type: 'STRING' }])] } });
    await load(table, [{ id: 'y', r: [{ a: 3, b: 'B' }] }]);
    expect(await server.rows('ds', table.id!)).toEqual([
      { id: 'x', r: [{ a: 1, b: null }, { a: 2, b: null }] },
      { id: 'y', r: [{ a: 3, b: 'B' }] },
    ]);
  });

  it('uploads a job for zero rows, and WRITE_TRUNCATE with no rows empties the table', async () => {
    const table = bq.dataset('ds').table(tableName());
    const schema = { fields: [{ name: 'x', type: 'INT64' }] };
    await load(table, [{ x: 1 }], { schema });
    await load(table, [], { schema, writeDisposition: 'WRITE_TRUNCATE' });
    expect(await server.rows('ds', table.id!)).toEqual([]);
    expect(server.tableIds('ds')).toContain(table.id);
  });
});

describe('value validation rejects the whole load', () => {
  const cases: [string, Fields, unknown[], RegExp][] = [
    ['a date-only TIMESTAMP', [{ name: 'due', type: 'TIMESTAMP' }], [{ due: '2024-01-02' }], /Could not convert value 'string_value: "2024-01-02"' to timestamp\. Field: due; Value: 2024-01-02/],
    ['a null in a REPEATED field', [{ name: 'tags', type: 'STRING', mode: 'REPEATED' }], [{ tags: ['a', null] }], /Only optional fields can be set to NULL\. Field: tags; Value: NULL/],
    ['an unknown field', [{ name: 'a', type: 'STRING' }], [{ a: 'x', extra: 1 }], /No such field: extra/],
    ['a missing REQUIRED field', [{ name: 'a', type: 'STRING', mode: 'REQUIRED' }], [{}], /Missing required field: a/],
    ['an object for a STRING', [{ name: 'a', type: 'STRING' }], [{ a: { b: 1 } }], /JSON object specified for non-record field: a/],
    ['an array for a STRING', [{ name: 'a', type: 'STRING' }], [{ a: ['x'] }], /Array specified for non-repeated field: a/],
    ['a fraction for an INT64', [{ name: 'n', type: 'INT64' }], [{ n: 1.5 }], /to integer/],
    ['a NUMERIC with 10 decimals', [{ name: 'n', type: 'NUMERIC' }], [{ n: '0.1234567891' }], /to numeric/],
    ['a DATE with a time', [{ name: 'd', type: 'DATE' }], [{ d: '2024-01-02T00:00:00Z' }], /to date/],
    ['a line that is not JSON', [{ name: 'a', type: 'STRING' }], ['{"a": '], /JSON parsing error in row starting at position 0/],
  ];
  for (const [what, fields, rows, message] of cases) {
    it(`rejects ${what}`, async () => {
      const table = bq.dataset('ds').table(tableName());
      const err = await loadError(table, rows, { schema: { fields } });
      expect(err.errors[0]!.reason).toBe('invalid');
      expect(err.errors.map((e) => e.message).join('\n')).toMatch(message);
      expect(server.tableIds('ds')).not.toContain(table.id);
    });
  }

  it('commits nothing when a row in the middle of the file is bad, and reports its position', async () => {
    const table = bq.dataset('ds').table(tableName());
    const schema = { fields: [{ name: 'n', type: 'INT64' }, { name: 'due', type: 'TIMESTAMP' }] };
    await load(table, [{ n: 0 }], { schema });
    const lines = [{ n: 1 }, { n: 2, due: '2024-01-02' }, { n: 3 }].map((r) => JSON.stringify(r));
    const err = await loadError(table, lines, { schema });
    expect(err.errors[0]!.message).toMatch(/JSON table encountered too many errors, giving up\. Rows: 2; errors: 1/);
    const position = lines[0]!.length + 1;
    expect(err.errors.some((e) => e.message.includes(`row starting at position ${position}:`))).toBe(true);
    expect(await server.rows('ds', table.id!)).toEqual([{ n: 0, due: null }]);
    const failed = server.jobs().at(-1)!;
    expect(failed).toMatchObject({ type: 'LOAD', state: 'DONE', errorResult: { reason: 'invalid' } });
  });

  it('accepts BigQuery\'s other spellings: epoch-second timestamps, digit strings for INT64, "true" for BOOL', async () => {
    const table = bq.dataset('ds').table(tableName());
    const fields = [{ name: 'due', type: 'TIMESTAMP' }, { name: 'n', type: 'INT64' }, { name: 'b', type: 'BOOL' }, { name: 'Mixed', type: 'STRING' }];
    await load(table, [{ due: 1704164645.5, n: '42', b: 'true', mixed: 'case-insensitive key' }], { schema: { fields } });
    expect(await server.rows('ds', table.id!)).toEqual([{ due: '2024-01-02T03:04:05.500Z', n: 42, b: true, Mixed: 'case-insensitive key' }]);
  });

  it('records maxBadRecords and ignoreUnknownValues, which drop data silently', async () => {
    const table = bq.dataset('ds').table(tableName());
    const fields = [{ name: 'n', type: 'INT64' }];
    await load(table, [{ n: 1 }, { n: 'x' }, { n: 3, extra: true }], { schema: { fields }, maxBadRecords: 1, ignoreUnknownValues: true });
    expect(await server.rows('ds', table.id!)).toEqual([{ n: 1 }, { n: 3 }]);
    expect(server.jobs().at(-1)).toMatchObject({ maxBadRecords: 1, ignoreUnknownValues: true });
  });
});

describe('schema rules', () => {
  const bad: [string, Fields, RegExp][] = [
    ['case-insensitive duplicate columns', [{ name: 'Status', type: 'STRING' }, { name: 'status', type: 'STRING' }], /Duplicate\(Case Insensitive\) field names: Status and status/],
    ['a reserved prefix', [{ name: '_PARTITIONTIME_x', type: 'STRING' }], /not allowed to start with/],
    ['a reserved prefix in lower case', [{ name: '_table_suffix', type: 'STRING' }], /not allowed to start with/],
    ['a character outside letters, digits and underscore', [{ name: 'Due date', type: 'STRING' }], /Invalid field name "Due date"/],
    ['a leading digit', [{ name: '1st', type: 'STRING' }], /Invalid field name "1st"/],
    ['a name over 300 characters', [{ name: 'a'.repeat(301), type: 'STRING' }], /at most 300 characters/],
    ['a description over 1024 characters', [{ name: 'a', type: 'STRING', description: 'd'.repeat(1025) }], /description/],
    ['an unknown type', [{ name: 'a', type: 'TEXT' }], /Invalid value for type: TEXT/],
  ];
  for (const [what, fields, message] of bad) {
    it(`rejects ${what} in a load schema`, async () => {
      const table = bq.dataset('ds').table(tableName());
      const err = await loadError(table, [{}], { schema: { fields } });
      expect(err.errors.map((e) => e.message).join('\n')).toMatch(message);
      expect(server.tableIds('ds')).not.toContain(table.id);
    });
  }

  it('rejects the same schemas in tables.insert with 400', async () => {
    await expect(bq.dataset('ds').createTable(tableName(), { schema: { fields: [{ name: 'Status', type: 'STRING' }, { name: 'status', type: 'STRING' }] } })).rejects.toMatchObject({ code: 400 });
    await expect(bq.dataset('ds').createTable('bad-name', { schema: { fields: [{ name: 'a', type: 'STRING' }] } })).rejects.toMatchObject({ code: 400 });
  });

  it('rejects more than 10,000 columns', async () => {
    const fields = Array.from({ length: 10_001 }, (_, i) => ({ name: `c${i}`, type: 'STRING' }));
    await expect(bq.dataset('ds').createTable(tableName(), { schema: { fields } })).rejects.toMatchObject({ code: 400 });
  });
});

describe('write dispositions and schema evolution', () => {
  const base = { fields: [{ name: 'id', type: 'INT64', mode: 'REQUIRED' }, { name: 'name', type: 'STRING' }] };

  it('appends by default, WRITE_TRUNCATE replaces data and schema, WRITE_TRUNCATE_DATA keeps the schema', async () => {
    const table = bq.dataset('ds').table(tableName());
    await load(table, [{ id: 1, name: 'a' }], { schema: base });
    await load(table, [{ id: 2 }], { schema: base });
    expect((await server.rows('ds', table.id!)).map((r) => r.id)).toEqual([1, 2]);
    await load(table, [{ other: 'x' }], { schema: { fields: [{ name: 'other', type: 'STRING' }] }, writeDisposition: 'WRITE_TRUNCATE' });
    expect(await server.rows('ds', table.id!)).toEqual([{ other: 'x' }]);
    expect(server.schema('ds', table.id!)).toEqual([{ name: 'other', type: 'STRING', mode: 'NULLABLE' }]);
    await load(table, [{ other: 'y' }], { writeDisposition: 'WRITE_TRUNCATE_DATA' });
    expect(await server.rows('ds', table.id!)).toEqual([{ other: 'y' }]);
  });

  it('WRITE_EMPTY fails on a table with data, and CREATE_NEVER on a missing table', async () => {
    const table = bq.dataset('ds').table(tableName());
    await load(table, [{ id: 1 }], { schema: base, writeDisposition: 'WRITE_EMPTY' });
    const err = await loadError(table, [{ id: 2 }], { schema: base, writeDisposition: 'WRITE_EMPTY' });
    expect(err.errors[0]).toMatchObject({ reason: 'duplicate' });
    expect(await server.rows('ds', table.id!)).toEqual([{ id: 1, name: null }]);
    const missing = await loadError(bq.dataset('ds').table(tableName()), [{ id: 1 }], { schema: base, createDisposition: 'CREATE_NEVER' });
    expect(missing.errors[0]).toMatchObject({ reason: 'notFound' });
  });

  it('adding a field needs ALLOW_FIELD_ADDITION; a type change always fails', async () => {
    const table = bq.dataset('ds').table(tableName());
    await load(table, [{ id: 1, name: 'a' }], { schema: base });
    const wider = { fields: [...base.fields, { name: 'extra', type: 'STRING' }] };
    const err = await loadError(table, [{ id: 2, extra: 'x' }], { schema: wider });
    expect(err.errors[0]!.message).toMatch(/Cannot add fields \(field: extra\)/);
    await load(table, [{ id: 2, extra: 'x' }], { schema: wider, schemaUpdateOptions: ['ALLOW_FIELD_ADDITION'] });
    expect(await server.rows('ds', table.id!)).toEqual([{ id: 1, name: 'a', extra: null }, { id: 2, name: null, extra: 'x' }]);
    const retyped = { fields: [base.fields[0]!, { name: 'name', type: 'INT64' }, { name: 'extra', type: 'STRING' }] };
    const typeErr = await loadError(table, [{ id: 3 }], { schema: retyped, schemaUpdateOptions: ['ALLOW_FIELD_ADDITION', 'ALLOW_FIELD_RELAXATION'] });
    expect(typeErr.errors[0]!.message).toMatch(/Field name has changed type from STRING to INTEGER/);
    const opts = await loadError(table, [{ id: 3 }], { schema: wider, writeDisposition: 'WRITE_TRUNCATE', schemaUpdateOptions: ['ALLOW_FIELD_ADDITION'] });
    expect(opts.errors[0]!.message).toMatch(/Schema update options should only be specified with WRITE_APPEND/);
  });

  it('relaxing REQUIRED to NULLABLE needs ALLOW_FIELD_RELAXATION', async () => {
    const table = bq.dataset('ds').table(tableName());
    await load(table, [{ id: 1 }], { schema: base });
    const relaxed = { fields: [{ name: 'id', type: 'INT64' }, { name: 'name', type: 'STRING' }] };
    expect((await loadError(table, [{ name: 'x' }], { schema: relaxed })).errors[0]!.message).toMatch(/changed mode from REQUIRED to NULLABLE/);
    await load(table, [{ name: 'x' }], { schema: relaxed, schemaUpdateOptions: ['ALLOW_FIELD_RELAXATION'] });
    expect(server.schema('ds', table.id!)![0]).toEqual({ name: 'id', type: 'INTEGER', mode: 'NULLABLE' });
  });

  it('rejects CSV loads as unsupported, before creating a job', async () => {
    const table = bq.dataset('ds').table(tableName());
    const before = server.jobs().length;
    await expect(load(table, ['a,b'], { sourceFormat: 'CSV', schema: base })).rejects.toMatchObject({ code: 400 });
    expect(server.jobs().length).toBe(before);
  });

  it('answers 409 duplicate for a jobId used before', async () => {
    const table = bq.dataset('ds').table(tableName());
    await load(table, [{ id: 1 }], { schema: base, jobId: 'dup_job' });
    await expect(load(table, [{ id: 2 }], { schema: base, jobId: 'dup_job' })).rejects.toMatchObject({ code: 409, message: expect.stringMatching(/Already Exists: Job test-project:US\.dup_job/) });
    expect(await server.rows('ds', table.id!)).toEqual([{ id: 1, name: null }]);
  });
});

describe('tables API', () => {
  it('creates, gets, lists with pages, patches and deletes tables', async () => {
    const ds = bq.dataset('tables_api');
    await ds.create({ location: 'US' });
    await expect(ds.create({ location: 'US' })).rejects.toMatchObject({ code: 409 });
    for (const id of ['a', 'b', 'c']) await ds.createTable(id, { schema: { fields: [{ name: 'x', type: 'STRING', mode: 'REQUIRED' }] } });
    await expect(ds.createTable('a', { schema: { fields: [{ name: 'x', type: 'STRING' }] } })).rejects.toMatchObject({ code: 409 });

    const [page1, next] = await ds.getTables({ maxResults: 2, autoPaginate: false });
    expect(page1.map((t) => t.id)).toEqual(['a', 'b']);
    const [page2, last] = await ds.getTables(next!);
    expect(page2.map((t) => t.id)).toEqual(['c']);
    expect(last).toBeNull();

    const a = ds.table('a');
    await a.setMetadata({ schema: { fields: [{ name: 'x', type: 'STRING' }, { name: 'y', type: 'INT64', description: 'new' }] } });
    expect(server.schema('tables_api', 'a')).toEqual([
      { name: 'x', type: 'STRING', mode: 'NULLABLE' },
      { name: 'y', type: 'INTEGER', mode: 'NULLABLE', description: 'new' },
    ]);
    await expect(a.setMetadata({ schema: { fields: [{ name: 'x', type: 'INT64' }, { name: 'y', type: 'INT64' }] } })).rejects.toMatchObject({ code: 400 });
    await expect(a.setMetadata({ schema: { fields: [{ name: 'x', type: 'STRING' }] } })).rejects.toMatchObject({ code: 400 });
    await expect(a.setMetadata({ schema: { fields: [{ name: 'x', type: 'STRING' }, { name: 'y', type: 'INT64' }, { name: 'z', type: 'INT64', mode: 'REQUIRED' }] } })).rejects.toMatchObject({ code: 400 });

    await ds.table('b').delete();
    expect(server.tableIds('tables_api')).toEqual(['a', 'c']);
    await expect(ds.table('b').get()).rejects.toMatchObject({ code: 404 });
    await expect(ds.delete()).rejects.toMatchObject({ code: 400 });
    await ds.delete({ force: true });
    await expect(ds.get()).rejects.toMatchObject({ code: 404 });
  });

  it('pages tabledata.list with maxResults and pageToken', async () => {
    const table = bq.dataset('ds').table(tableName());
    await load(table, Array.from({ length: 25 }, (_, i) => ({ n: i })), { schema: { fields: [{ name: 'n', type: 'INT64' }] } });
    const seen: number[] = [];
    let query: Record<string, unknown> | null = { maxResults: 10, autoPaginate: false };
    let pages = 0;
    while (query) {
      const [rows, next]: [{ n: number }[], Record<string, unknown> | null] = (await table.getRows(query)) as never;
      seen.push(...rows.map((r) => r.n));
      query = next;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it('answers 404 for another project', async () => {
    const other = createBigQueryClient({ projectId: 'other-project', location: 'US', endpoint: server.url });
    await expect(other.dataset('ds').get()).rejects.toMatchObject({ code: 404 });
  });
});
