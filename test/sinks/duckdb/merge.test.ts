import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { MessageSplitter } from '../../../src/core/split.js';
import type { ColumnSchema, SchemaMessage, SingerMessage } from '../../../src/singer/messages.js';
import { DuckDbSink, STAGE_PREFIX, type DuckDbSinkOptions } from '../../../src/sinks/duckdb/sink.js';
import { STATE_TABLE } from '../../../src/sinks/types.js';
import { dumpDuckDb } from '../../support/duckdb.js';
import { failingAfter, record, schema, str } from '../fixtures.js';

const int: ColumnSchema = { type: ['null', 'integer'] };
const num: ColumnSchema = { type: ['null', 'number'] };
const timestamp: ColumnSchema = { type: ['null', 'string'], format: 'date-time' };
const list: ColumnSchema = { type: ['null', 'array'], items: str };

async function dbPath(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'ns-duckdb-merge-')), 'test.duckdb');
}

async function query(path: string, sql: string): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowsJson() as unknown[][];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const tableNames = async (path: string) => (await query(path, `SELECT table_name FROM duckdb_tables() ORDER BY table_name`)).map((r) => r[0]);
const columnsOf = async (path: string, table: string) =>
  Object.fromEntries(await query(path, `SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = '${table}' ORDER BY column_index`));

/** The messages as the splitter hands them to a sink: list columns become child tables `<table>__<column>`. */
function split(messages: SingerMessage[]): SingerMessage[] {
  const splitter = new MessageSplitter();
  return messages.flatMap((m) => splitter.push(m));
}

/** One run of the sink over the messages, split, fed as a stream. */
function load(path: string, messages: SingerMessage[], options: DuckDbSinkOptions = {}) {
  return new DuckDbSink({ path, mode: 'merge', ...options }).write(Readable.from(split(messages)));
}

const tasks = (properties: Record<string, ColumnSchema> = {}, load_mode?: 'replace'): SchemaMessage => ({
  ...schema('tasks', { id: str, name: str, tags: list, ...properties }),
  ...(load_mode ? { load_mode } : {}),
});
const task = (id: string, name: string, tags: string[] | null = [], extra: Record<string, unknown> = {}) => record('tasks', { id, name, tags, ...extra });
const deletion = (id: string, at = '2025-03-04T05:06:07Z') => record('tasks', { id, _deleted_at: at });
const state = (value: unknown): SingerMessage => ({ type: 'STATE', value });

const tasksRows = (path: string) => query(path, `SELECT id, name FROM tasks ORDER BY id`);
const tagRows = (path: string) => query(path, `SELECT _parent_id, _idx::INTEGER, value FROM tasks__tags ORDER BY _parent_id, _idx`);

describe('DuckDbSink merge', () => {
  it('two merge runs (edits, an addition, emptied lists, a new column) equal a replace load of the final data', async () => {
    const merged = await dbPath();
    await load(merged, [tasks(), task('t1', 'one', ['a', 'b']), task('t2', 'two', ['c']), task('t3', 'three', ['d', 'e']), task('t4', 'four', null)]);
    const summary = await load(merged, [
      tasks({ points: int }),
      task('t1', 'one edited', ['b'], { points: 5 }), // shorter list
      task('t2', 'two', []), // emptied list
      task('t5', 'five', ['f', 'g', 'h'], { points: 7 }), // new page
    ]);
    expect(summary.tables).toEqual([
      { table: 'tasks', rows: 3 },
      { table: 'tasks__tags', rows: 4 },
    ]);

    const fresh = await dbPath();
    await load(
      fresh,
      [tasks({ points: int }), task('t1', 'one edited', ['b'], { points: 5 }), task('t2', 'two', []), task('t3', 'three', ['d', 'e']), task('t4', 'four', null), task('t5', 'five', ['f', 'g', 'h'], { points: 7 })],
      { mode: 'replace' },
    );
    const dump = await dumpDuckDb(merged);
    expect(dump).toEqual(await dumpDuckDb(fresh));
    expect(Object.keys(dump)).toEqual(['tasks', 'tasks__tags']);
    expect(dump.tasks!.columns).toEqual(['id:VARCHAR', 'name:VARCHAR', 'points:BIGINT']);
    expect(dump.tasks__tags!.rows.map((r) => r.join(':'))).toEqual(['t1:0:b', 't3:0:d', 't3:1:e', 't5:0:f', 't5:1:g', 't5:2:h']);
  });

  it('keeps the values of a column the run lacks, and of the pages not in the run', async () => {
    const path = await dbPath();
    await load(path, [tasks({ note: str }), task('t1', 'one', [], { note: 'n1' }), task('t2', 'two', [], { note: 'n2' })]);
    await load(path, [tasks(), task('t1', 'one edited'), task('t3', 'three')]);
    expect(await query(path, `SELECT id, name, note FROM tasks ORDER BY id`)).toEqual([
      ['t1', 'one edited', 'n1'],
      ['t2', 'two', 'n2'],
      ['t3', 'three', null],
    ]);
  });

  it.each([undefined, 2])('the last row staged for an id wins, for the row and its child rows (batchRows %s)', async (batchRows) => {
    const path = await dbPath();
    await load(path, [tasks(), task('t1', 'one', ['old']), task('t2', 'two', ['x'])]);
    await load(
      path,
      [
        tasks(),
        task('t1', 'first', ['a', 'b', 'c']),
        task('t3', 'new first', ['n']),
        task('t2', 'two'),
        task('t1', 'second', ['d']),
        task('t2', 'two', ['y']),
        task('t3', 'new last', []),
        task('t1', 'last', ['e', 'f']),
      ],
      { batchRows },
    );
    expect(await tasksRows(path)).toEqual([
      ['t1', 'last'],
      ['t2', 'two'],
      ['t3', 'new last'],
    ]);
    expect(await tagRows(path)).toEqual([
      ['t1', 0, 'e'],
      ['t1', 1, 'f'],
      ['t2', 0, 'y'],
    ]);
  });

  it('fails on a type change, leaving the table as it was', async () => {
    const path = await dbPath();
    await load(path, [tasks({ points: int }), task('t1', 'one', [], { points: 1 })]);
    await expect(load(path, [tasks({ points: num }), task('t1', 'one', [], { points: 1.5 })])).rejects.toMatchObject({
      code: 'schema_changed',
      message: expect.stringMatching(/table "tasks": column "points" is BIGINT in .* but DOUBLE now.*--full-refresh/),
    });
    expect(await query(path, `SELECT id, points FROM tasks`)).toEqual([['t1', '1']]);
  });

  it('refuses a parent table without key_properties', async () => {
    const path = await dbPath();
    await expect(load(path, [schema('nokey', { id: str }, []), record('nokey', { id: 'a' })])).rejects.toMatchObject({ code: 'invalid_schema', message: expect.stringMatching(/merge needs a key: table nokey/) });
  });

  it('a failure in the final transaction leaves every table and the state as before', async () => {
    const path = await dbPath();
    await load(path, [tasks(), task('t1', 'one', ['a']), state({ at: 1 })]);
    const before = await dumpDuckDb(path);
    // A child table whose parent is not in the run cannot be merged: the run fails after tasks moved.
    const orphan = schema('lost__tags', { _parent_id: str, _idx: int, value: str }, ['_parent_id', '_idx']);
    const run = new DuckDbSink({ path, mode: 'merge' }).write(Readable.from([...split([tasks(), task('t1', 'edited', ['b'])]), orphan, record('lost__tags', { _parent_id: 'x', _idx: 0, value: 'v' }), state({ at: 2 })]));
    await expect(run).rejects.toThrow(/child table lost__tags has no parent table/);
    expect(await dumpDuckDb(path)).toEqual(before);
  });
});

describe('DuckDbSink merge with load_mode replace', () => {
  it('refreshes that table whole from the run (rows, a changed type, a removed column) and merges the others', async () => {
    const path = await dbPath();
    const other = schema('other', { id: str, v: str });
    await load(path, [tasks({ points: int, gone: str }), task('t1', 'one', ['a'], { points: 1, gone: 'x' }), task('t2', 'two', ['b']), other, record('other', { id: 'o1', v: 'old' }), record('other', { id: 'o2', v: 'kept' })]);
    await load(path, [tasks({ points: num }, 'replace'), task('t9', 'nine', ['z'], { points: 2.5 }), other, record('other', { id: 'o1', v: 'new' })]);
    expect(await columnsOf(path, 'tasks')).toEqual({ id: 'VARCHAR', name: 'VARCHAR', points: 'DOUBLE' });
    expect(await query(path, `SELECT id, name, points FROM tasks`)).toEqual([['t9', 'nine', 2.5]]);
    expect(await tagRows(path)).toEqual([['t9', 0, 'z']]);
    expect(await query(path, `SELECT id, v FROM other ORDER BY id`)).toEqual([
      ['o1', 'new'],
      ['o2', 'kept'],
    ]);
    expect((await tableNames(path)).filter((t) => String(t).startsWith(STAGE_PREFIX))).toEqual([]);
  });
});

describe('DuckDbSink deletions', () => {
  const withDeletions = (load_mode?: 'replace') => tasks({ _deleted_at: timestamp }, load_mode);

  it('hard (default): a deletion removes the row and its child rows; the target has no _deleted_at', async () => {
    const path = await dbPath();
    await load(path, [tasks(), task('t1', 'one', ['a', 'b']), task('t2', 'two', ['c'])]);
    await load(path, [withDeletions(), deletion('t1'), deletion('unknown'), task('t3', 'three', ['d'])]);
    expect(await columnsOf(path, 'tasks')).toEqual({ id: 'VARCHAR', name: 'VARCHAR' });
    expect(await tasksRows(path)).toEqual([
      ['t2', 'two'],
      ['t3', 'three'],
    ]);
    expect(await tagRows(path)).toEqual([
      ['t2', 0, 'c'],
      ['t3', 0, 'd'],
    ]);
  });

  it('hard: a new table never gets deletion rows nor _deleted_at', async () => {
    const path = await dbPath();
    await load(path, [withDeletions(), task('t1', 'one', ['a']), deletion('t2')]);
    expect(await columnsOf(path, 'tasks')).toEqual({ id: 'VARCHAR', name: 'VARCHAR' });
    expect(await tasksRows(path)).toEqual([['t1', 'one']]);
  });

  it('soft: a deletion sets _deleted_at, keeping the values and child rows; a live row clears it', async () => {
    const path = await dbPath();
    const soft = { softDelete: true };
    await load(path, [tasks(), task('t1', 'one', ['a', 'b']), task('t2', 'two', ['c'])], soft);
    await load(path, [withDeletions(), deletion('t1', '2025-03-04T05:06:07Z'), deletion('unknown')], soft);
    const rows = () => query(path, `SELECT id, name, strftime(_deleted_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S') FROM tasks ORDER BY id`);
    expect(await rows()).toEqual([
      ['t1', 'one', '2025-03-04T05:06:07'],
      ['t2', 'two', null],
    ]);
    expect(await tagRows(path)).toEqual([
      ['t1', 0, 'a'],
      ['t1', 1, 'b'],
      ['t2', 0, 'c'],
    ]);
    await load(path, [withDeletions(), task('t1', 'restored', ['z'])], soft);
    expect(await rows()).toEqual([
      ['t1', 'restored', null],
      ['t2', 'two', null],
    ]);
    expect(await tagRows(path)).toEqual([
      ['t1', 0, 'z'],
      ['t2', 0, 'c'],
    ]);
  });

  it.each([
    ['replace', undefined],
    ['append', undefined],
    ['merge', 'replace'],
  ] as const)('%s (load_mode %s): hard leaves deletion rows out, soft keeps them as rows', async (mode, load_mode) => {
    const run = [withDeletions(load_mode), task('t1', 'one', ['a']), deletion('t2')];
    const hard = await dbPath();
    await load(hard, run, { mode });
    expect(await columnsOf(hard, 'tasks')).toEqual({ id: 'VARCHAR', name: 'VARCHAR' });
    expect(await tasksRows(hard)).toEqual([['t1', 'one']]);
    const soft = await dbPath();
    await load(soft, run, { mode, softDelete: true });
    expect(await query(soft, `SELECT id, name, _deleted_at IS NOT NULL FROM tasks ORDER BY id`)).toEqual([
      ['t1', 'one', false],
      ['t2', null, true],
    ]);
    expect(await tagRows(soft)).toEqual([['t1', 0, 'a']]);
  });
});

describe('DuckDbSink state', () => {
  it('commits the last STATE value with the data, replacing the previous one, in every mode', async () => {
    const path = await dbPath();
    const sink = new DuckDbSink({ path, mode: 'merge' });
    expect(await sink.readState()).toBeUndefined();
    const first = await load(path, [tasks(), state({ cursor: 'a' }), task('t1', 'one'), state({ cursor: 'b', n: [1, 2] })]);
    expect(first).toEqual({
      destination: path,
      tables: [
        { table: 'tasks', rows: 1 },
        { table: 'tasks__tags', rows: 0 },
      ],
      state: { cursor: 'b', n: [1, 2] },
    });
    expect(await sink.readState()).toEqual({ cursor: 'b', n: [1, 2] });

    await load(path, [tasks(), task('t2', 'two'), state({ cursor: 'c' })], { mode: 'replace' });
    expect(await sink.readState()).toEqual({ cursor: 'c' });
    expect(await query(path, `SELECT value, committed_at IS NOT NULL FROM ${STATE_TABLE}`)).toEqual([['{"cursor":"c"}', true]]);

    // A run without STATE leaves the state alone, and says none came.
    const third = await load(path, [tasks(), task('t3', 'three')], { mode: 'append' });
    expect(third).not.toHaveProperty('state');
    expect(await sink.readState()).toEqual({ cursor: 'c' });
  });

  it('a run that fails after records and a STATE leaves the old data and the old state', async () => {
    const path = await dbPath();
    await load(path, [tasks(), task('t1', 'one', ['a']), state({ cursor: 'old' })]);
    const before = await dumpDuckDb(path);
    const second = split([tasks({ points: int }), task('t1', 'edited', ['b'], { points: 1 }), task('t2', 'two'), state({ cursor: 'new' })]);
    await expect(new DuckDbSink({ path, mode: 'merge' }).write(failingAfter(second, second.length))).rejects.toThrow('Notion went away');
    expect(await dumpDuckDb(path)).toEqual(before);
    expect(await new DuckDbSink({ path }).readState()).toEqual({ cursor: 'old' });
  });

  it('readState: undefined for a missing file (not created) and for a database without state', async () => {
    const missing = await dbPath();
    expect(await new DuckDbSink({ path: missing }).readState()).toBeUndefined();
    expect(existsSync(missing)).toBe(false);
    const path = await dbPath();
    await load(path, [tasks(), task('t1', 'one')]);
    expect(await new DuckDbSink({ path }).readState()).toBeUndefined();
    expect(await tableNames(path)).toEqual(['tasks', 'tasks__tags']);
  });
});
