import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import type { ColumnSchema, SingerMessage } from '../../../src/singer/messages.js';
import { DuckDbSink, STAGE_PREFIX } from '../../../src/sinks/duckdb/sink.js';
import { dumpDuckDb, queryDuckDb } from '../../support/duckdb.js';
import { failingAfter, from, record, schema, str } from '../fixtures.js';

const int: ColumnSchema = { type: ['null', 'integer'] };
const num: ColumnSchema = { type: ['null', 'number'] };

async function dbPath(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'ns-duckdb-')), 'test.duckdb');
}

const query = (path: string, sql: string) => queryDuckDb(path, sql, { readWrite: true });

const tableNames = async (path: string) => (await query(path, `SELECT table_name FROM duckdb_tables() ORDER BY table_name`)).map((r) => r.table_name);
const columnTypes = async (path: string, table: string) =>
  Object.fromEntries((await query(path, `SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = '${table}' ORDER BY column_index`)).map((r) => [r.column_name, r.data_type]));

const stagingLeft = async (path: string) => (await tableNames(path)).filter((t) => String(t).startsWith(STAGE_PREFIX));

async function exec(path: string, sql: string): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    await connection.run(sql);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const people = (n: number, offset = 0): SingerMessage[] => Array.from({ length: n }, (_, i) => record('people', { id: `u${i + offset}`, age: i + offset }));
const peopleSchema = schema('people', { id: str, age: int });
const tagsSchema = schema('tags', { id: str, label: str });

describe('DuckDbSink types', () => {
  it('round-trips every column type, with comments from descriptions', async () => {
    const path = await dbPath();
    const all = schema('all_types', {
      id: { ...str, description: 'Name (title)' },
      ts: { type: ['null', 'string'], format: 'date-time', description: 'Created time' },
      day: { type: ['null', 'string'], format: 'date' },
      n: int,
      big: int,
      x: num,
      ok: { type: ['null', 'boolean'] },
      obj: { 'x-json': true, description: "Owner's stuff" },
      tags: { type: ['null', 'array'], items: str },
      scores: { type: ['null', 'array'], items: num },
      whens: { type: ['null', 'array'], items: { type: ['null', 'string'], format: 'date-time' } },
    });
    all.schema.description = 'All types';
    const summary = await new DuckDbSink({ path }).write(
      from([
        all,
        record('all_types', {
          id: 'a',
          ts: '2024-03-01T12:30:00.123+02:00',
          day: '2024-02-29',
          n: 42,
          big: '9007199254740993',
          x: 1.25,
          ok: true,
          obj: { k: ['v', 1], q: "it's" },
          tags: ['x', 'y'],
          scores: [1.5, 2],
          whens: ['2024-01-01T00:00:00Z'],
        }),
        record('all_types', { id: 'b' }),
      ]),
    );
    expect(summary).toEqual({ destination: path, tables: [{ table: 'all_types', rows: 2 }] });
    expect(await columnTypes(path, 'all_types')).toEqual({
      id: 'VARCHAR',
      ts: 'TIMESTAMP WITH TIME ZONE',
      day: 'DATE',
      n: 'BIGINT',
      big: 'BIGINT',
      x: 'DOUBLE',
      ok: 'BOOLEAN',
      obj: 'JSON',
      tags: 'VARCHAR[]',
      scores: 'DOUBLE[]',
      whens: 'TIMESTAMP WITH TIME ZONE[]',
    });
    const rows = await query(
      path,
      `SELECT id, epoch_ms(ts) AS ts_ms, CAST(day AS VARCHAR) AS day, n, CAST(big AS VARCHAR) AS big, x, ok, obj->>'$.q' AS q, json_array_length(obj->'$.k') AS klen,
              tags, scores, epoch_ms(whens[1]) AS when_ms FROM all_types ORDER BY id`,
    );
    expect(rows[0]).toEqual({
      id: 'a',
      ts_ms: String(Date.parse('2024-03-01T10:30:00.123Z')),
      day: '2024-02-29',
      n: '42',
      big: '9007199254740993',
      x: 1.25,
      ok: true,
      q: "it's",
      klen: '2',
      tags: ['x', 'y'],
      scores: [1.5, 2],
      when_ms: String(Date.parse('2024-01-01T00:00:00Z')),
    });
    expect(Object.values(rows[1]!).filter((v) => v !== null)).toEqual(['b']);
    const comments = await query(path, `SELECT column_name, comment FROM duckdb_columns() WHERE table_name = 'all_types' AND comment IS NOT NULL ORDER BY column_index`);
    expect(comments).toEqual([
      { column_name: 'id', comment: 'Name (title)' },
      { column_name: 'ts', comment: 'Created time' },
      { column_name: 'obj', comment: "Owner's stuff" },
    ]);
    expect(await query(path, `SELECT comment FROM duckdb_tables() WHERE table_name = 'all_types'`)).toEqual([{ comment: 'All types' }]);
  });

  it('loads 50,000 rows through the appender', async () => {
    const path = await dbPath();
    const summary = await new DuckDbSink({ path }).write(from([peopleSchema, ...people(50_000)]));
    expect(summary.tables).toEqual([{ table: 'people', rows: 50_000 }]);
    expect(await query(path, `SELECT count(*)::INTEGER AS n, sum(age)::BIGINT AS s, count(DISTINCT id)::INTEGER AS d FROM people`)).toEqual([{ n: 50_000, s: String((49_999 * 50_000) / 2), d: 50_000 }]);
  });

  it('fails on a value that does not fit its column, naming table, row and column', async () => {
    const path = await dbPath();
    const bad = schema('events', { id: str, at: { type: ['null', 'string'], format: 'date-time' } });
    await expect(new DuckDbSink({ path }).write(from([bad, record('events', { id: 'a', at: 'yesterday' })]))).rejects.toMatchObject({
      code: 'invalid_value',
      message: expect.stringMatching(/Table "events", row 1, column "at": cannot store "yesterday" as TIMESTAMP WITH TIME ZONE/),
    });
    expect(await tableNames(path)).toEqual([]);
  });
});

describe('DuckDbSink replace', () => {
  it('replaces every table of the run and leaves other tables alone', async () => {
    const path = await dbPath();
    await new DuckDbSink({ path }).write(from([peopleSchema, ...people(3), tagsSchema, record('tags', { id: 't1', label: 'old' }), schema('other', { id: str }), record('other', { id: 'o' })]));
    await new DuckDbSink({ path }).write(from([peopleSchema, ...people(2, 100), tagsSchema, record('tags', { id: 't2', label: 'new' })]));
    expect(await tableNames(path)).toEqual(['other', 'people', 'tags']);
    expect(await query(path, `SELECT id FROM people ORDER BY id`)).toEqual([{ id: 'u100' }, { id: 'u101' }]);
    expect(await query(path, `SELECT * FROM tags`)).toEqual([{ id: 't2', label: 'new' }]);
    expect(await query(path, `SELECT * FROM other`)).toEqual([{ id: 'o' }]);
  });

  it('leaves every previous table exactly as it was when the input fails mid-run', async () => {
    const path = await dbPath();
    await new DuckDbSink({ path }).write(from([peopleSchema, ...people(3), tagsSchema, record('tags', { id: 't1', label: 'old' })]));
    const second = [tagsSchema, record('tags', { id: 't2', label: 'new' }), schema('fresh', { id: str }), record('fresh', { id: 'f' }), peopleSchema, ...people(10_000, 100)];
    await expect(new DuckDbSink({ path }).write(failingAfter(second, 7_000))).rejects.toThrow('Notion went away');
    expect(await tableNames(path)).toEqual(['people', 'tags']);
    expect(await query(path, `SELECT id, age FROM people ORDER BY id`)).toEqual([
      { id: 'u0', age: '0' },
      { id: 'u1', age: '1' },
      { id: 'u2', age: '2' },
    ]);
    expect(await query(path, `SELECT * FROM tags`)).toEqual([{ id: 't1', label: 'old' }]);
  });

  it('leaves the previous tables when the run is aborted', async () => {
    const path = await dbPath();
    await new DuckDbSink({ path }).write(from([peopleSchema, ...people(3)]));
    const controller = new AbortController();
    async function* abortMidway() {
      yield peopleSchema;
      yield* people(100, 10);
      controller.abort();
      yield* people(100, 200);
    }
    await expect(new DuckDbSink({ path }).write(abortMidway(), controller.signal)).rejects.toMatchObject({ code: 'aborted' });
    expect(await query(path, `SELECT count(*)::INTEGER AS n FROM people`)).toEqual([{ n: 3 }]);
  });

  it('adds a new column and keeps a column the new schema lacks', async () => {
    const path = await dbPath();
    await new DuckDbSink({ path }).write(from([schema('t', { id: str, gone: { ...str, description: 'Gone' } }), record('t', { id: 'a', gone: 'x' })]));
    await new DuckDbSink({ path }).write(from([schema('t', { id: str, added: int }), record('t', { id: 'b', added: 5, gone: 'ignored' })]));
    expect(await columnTypes(path, 't')).toEqual({ id: 'VARCHAR', gone: 'VARCHAR', added: 'BIGINT' });
    expect(await query(path, `SELECT * FROM t`)).toEqual([{ id: 'b', gone: null, added: '5' }]);
    expect(await query(path, `SELECT comment FROM duckdb_columns() WHERE table_name = 't' AND column_name = 'gone'`)).toEqual([{ comment: 'Gone' }]);
  });

  it('fails on a type change, naming table, column, both types and the way out', async () => {
    const path = await dbPath();
    await new DuckDbSink({ path }).write(from([peopleSchema, ...people(2)]));
    const run = new DuckDbSink({ path }).write(from([tagsSchema, schema('people', { id: str, age: num }), record('people', { id: 'x', age: 1.5 })]));
    await expect(run).rejects.toMatchObject({ code: 'schema_changed', message: expect.stringMatching(/table "people": column "age" is BIGINT in .* but DOUBLE now\)\. Nothing was changed.*--full-refresh/) });
    expect(await tableNames(path)).toEqual(['people']);
    expect(await query(path, `SELECT count(*)::INTEGER AS n FROM people`)).toEqual([{ n: 2 }]);
  });

  it('with fullRefresh, rebuilds a table whose column types changed from the run\'s rows, as BigQuery does', async () => {
    const path = await dbPath();
    await new DuckDbSink({ path, mode: 'append' }).write(from([peopleSchema, ...people(2)]));
    await new DuckDbSink({ path, mode: 'append', fullRefresh: true }).write(from([schema('people', { id: str, age: num }), record('people', { id: 'x', age: 1.5 })]));
    expect(await columnTypes(path, 'people')).toEqual({ id: 'VARCHAR', age: 'DOUBLE' });
    expect(await query(path, `SELECT id, age FROM people`)).toEqual([{ id: 'x', age: 1.5 }]);
  });
});

describe('DuckDbSink append', () => {
  it('adds the rows of the run to the existing tables', async () => {
    const path = await dbPath();
    await new DuckDbSink({ path, mode: 'append' }).write(from([peopleSchema, ...people(2)]));
    const summary = await new DuckDbSink({ path, mode: 'append' }).write(from([peopleSchema, ...people(3, 10)]));
    expect(summary.tables).toEqual([{ table: 'people', rows: 3 }]);
    expect(await query(path, `SELECT id FROM people ORDER BY id`)).toEqual(['u0', 'u1', 'u10', 'u11', 'u12'].map((id) => ({ id })));
    expect(await tableNames(path)).toEqual(['people']);
  });

  it('leaves every table exactly as it was when the input fails mid-run', async () => {
    const path = await dbPath();
    await new DuckDbSink({ path, mode: 'append' }).write(from([peopleSchema, ...people(2), tagsSchema, record('tags', { id: 't1', label: 'old' })]));
    const second = [tagsSchema, record('tags', { id: 't2', label: 'new' }), schema('people', { id: str, age: int, extra: str }), ...people(5_000, 100)];
    await expect(new DuckDbSink({ path, mode: 'append' }).write(failingAfter(second, 4_000))).rejects.toThrow('Notion went away');
    expect(await tableNames(path)).toEqual(['people', 'tags']);
    expect(await columnTypes(path, 'people')).toEqual({ id: 'VARCHAR', age: 'BIGINT' });
    expect(await query(path, `SELECT id FROM people ORDER BY id`)).toEqual([{ id: 'u0' }, { id: 'u1' }]);
    expect(await query(path, `SELECT * FROM tags`)).toEqual([{ id: 't1', label: 'old' }]);
  });

  it('adds new columns, keeps missing ones (NULL in new rows), and rejects a type change', async () => {
    const path = await dbPath();
    await new DuckDbSink({ path, mode: 'append' }).write(from([schema('t', { id: str, gone: str }), record('t', { id: 'a', gone: 'x' })]));
    await new DuckDbSink({ path, mode: 'append' }).write(from([schema('t', { id: str, added: { type: ['null', 'boolean'] } }), record('t', { id: 'b', added: true })]));
    expect(await query(path, `SELECT * FROM t ORDER BY id`)).toEqual([
      { id: 'a', gone: 'x', added: null },
      { id: 'b', gone: null, added: true },
    ]);
    await expect(new DuckDbSink({ path, mode: 'append' }).write(from([schema('t', { id: str, added: str })]))).rejects.toMatchObject({
      message: expect.stringMatching(/table "t": column "added" is BOOLEAN in .* but VARCHAR now/),
    });
  });

  it.each([undefined, 1])('takes a new SCHEMA for a table in the middle of the run (batchRows %s)', async (batchRows) => {
    const path = await dbPath();
    await new DuckDbSink({ path, mode: 'append', batchRows }).write(
      from([schema('t', { id: str }), record('t', { id: 'a' }), schema('t', { id: str, n: int }), record('t', { id: 'b', n: 2 })]),
    );
    expect(await query(path, `SELECT * FROM t ORDER BY id`)).toEqual([
      { id: 'a', n: null },
      { id: 'b', n: '2' },
    ]);
  });
});

describe('DuckDbSink staging', () => {
  it('drops staging tables a crashed run left behind', async () => {
    const path = await dbPath();
    await new DuckDbSink({ path }).write(from([peopleSchema, ...people(3)]));
    // What a run killed while staging leaves: its staging tables, with committed rows.
    await exec(path, `CREATE TABLE "${STAGE_PREFIX}deadbeef_people" AS SELECT 'zombie' AS id, 1::BIGINT AS age; CREATE TABLE "${STAGE_PREFIX}deadbeef_tags" (id VARCHAR)`);
    expect(await stagingLeft(path)).toHaveLength(2);
    await new DuckDbSink({ path, mode: 'append' }).write(from([peopleSchema, ...people(1, 10)]));
    expect(await tableNames(path)).toEqual(['people']);
    expect(await query(path, `SELECT id FROM people ORDER BY id`)).toEqual(['u0', 'u1', 'u10', 'u2'].map((id) => ({ id })));
  });

  it('drops leftover staging tables even when the new run fails', async () => {
    const path = await dbPath();
    await exec(path, `CREATE TABLE "${STAGE_PREFIX}deadbeef_people" (id VARCHAR)`);
    await expect(new DuckDbSink({ path }).write(failingAfter([peopleSchema, ...people(10)], 5))).rejects.toThrow('Notion went away');
    expect(await tableNames(path)).toEqual([]);
  });

  it.each(['replace', 'append', 'merge'] as const)('%s: commits staged rows in batches, and a failure after several batches leaves the targets exactly as before', async (mode) => {
    const path = await dbPath();
    await new DuckDbSink({ path, mode }).write(from([peopleSchema, ...people(3), tagsSchema, record('tags', { id: 't1', label: 'old' })]));
    const before = await dumpDuckDb(path);
    let staged: Record<string, unknown>[] = [];
    async function* failAfterBatches(): AsyncGenerator<SingerMessage> {
      yield tagsSchema;
      yield record('tags', { id: 't2', label: 'new' });
      yield schema('fresh', { id: str });
      yield record('fresh', { id: 'f' });
      yield schema('people', { id: str, age: int, extra: str });
      yield* people(1_050, 100);
      // 10 batches of 100 people are committed: a second reader of the file sees them.
      const reader = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
      const connection = await reader.connect();
      try {
        const stage = (await connection.runAndReadAll(`SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '${STAGE_PREFIX}%people'`)).getRowsJS()[0]![0];
        staged = (await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM "${String(stage)}"`)).getRowObjectsJS();
      } finally {
        connection.closeSync();
        reader.closeSync();
      }
      throw new Error('Notion went away');
    }
    await expect(new DuckDbSink({ path, mode, batchRows: 100 }).write(failAfterBatches())).rejects.toThrow('Notion went away');
    expect(staged).toEqual([{ n: 1_000 }]);
    expect(await dumpDuckDb(path)).toEqual(before);
    expect(await stagingLeft(path)).toEqual([]);
  });

  it.each(['replace', 'append', 'merge'] as const)('%s: loads many batches of several tables and leaves no staging table', async (mode) => {
    const path = await dbPath();
    const run = (offset: number) => [peopleSchema, tagsSchema, ...people(1_000, offset).flatMap((m, i) => [m, record('tags', { id: `t${i + offset}`, label: i % 2 ? 'odd' : null })])];
    await new DuckDbSink({ path, mode, batchRows: 64 }).write(from(run(0)));
    const summary = await new DuckDbSink({ path, mode, batchRows: 64 }).write(from(run(5_000)));
    expect(summary.tables).toEqual([
      { table: 'people', rows: 1_000 },
      { table: 'tags', rows: 1_000 },
    ]);
    const n = mode === 'replace' ? 1_000 : 2_000;
    expect(await query(path, `SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS d FROM people`)).toEqual([{ n, d: n }]);
    expect(await query(path, `SELECT count(*)::INTEGER AS n, count(label)::INTEGER AS labelled FROM tags`)).toEqual([{ n, labelled: n / 2 }]);
    expect(await tableNames(path)).toEqual(['people', 'tags']);
  });

  it('rejects a batch size that is not a positive whole number', () => {
    expect(() => new DuckDbSink({ batchRows: 0 })).toThrow(/batchRows must be a positive whole number/);
    expect(() => new DuckDbSink({ batchRows: 2.5 })).toThrow(/batchRows/);
  });
});
