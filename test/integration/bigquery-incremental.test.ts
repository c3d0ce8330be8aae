/**
 * The BigQuery sink's incremental loads, through the real `@google-cloud/bigquery` client and the
 * strict BigQuery test server over HTTP: deletions (hard and soft), full-refresh tables
 * (`load_mode: 'replace'`) inside a merge run, the Singer state committed with the data, and the jobs
 * a run costs.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ColumnSchema, SchemaMessage, SingerMessage } from '../../src/singer/messages.js';
import { createBigQueryClient } from '../../src/sinks/bigquery/client.js';
import { BigQuerySink, type BigQuerySinkOptions } from '../../src/sinks/bigquery/sink.js';
import { STATE_TABLE } from '../../src/sinks/types.js';
import { PENDING_TABLE } from '../../src/sinks/bigquery/pending.js';
import { startBigQueryServer, type BigQueryTestServer } from '../support/bigquery-server/index.js';
import { bigQueryTables, type CanonicalTables } from '../support/warehouse-rows.js';

beforeAll(() => {
  process.env.METADATA_SERVER_DETECTION = 'none';
});

let bq: BigQueryTestServer;
afterEach(async () => {
  await bq?.close();
});

async function serve(): Promise<BigQueryTestServer> {
  bq = await startBigQueryServer({ projectId: 'test-project' });
  return bq;
}

const client = () => createBigQueryClient({ projectId: bq.projectId, location: 'US', endpoint: bq.url });

function sink(datasetId: string, options: Partial<BigQuerySinkOptions> = {}): BigQuerySink {
  return new BigQuerySink({ projectId: bq.projectId, datasetId, location: 'US', endpoint: bq.url, mode: 'merge', pollMs: 5, ...options });
}

async function* feed(messages: SingerMessage[], failAfter?: number): AsyncGenerator<SingerMessage> {
  let n = 0;
  for (const m of messages) {
    if (failAfter !== undefined && n++ === failAfter) throw new Error('the source failed');
    yield m;
  }
  if (failAfter !== undefined) throw new Error('the source failed');
}

const str: ColumnSchema = { type: ['null', 'string'] };
const int: ColumnSchema = { type: ['null', 'integer'] };
const time: ColumnSchema = { type: ['null', 'string'], format: 'date-time' };

function schema(stream: string, properties: Record<string, ColumnSchema>, extra: Partial<SchemaMessage> = {}): SchemaMessage {
  return { type: 'SCHEMA', stream, key_properties: ['id'], schema: { type: 'object', properties }, ...extra };
}

/** A child table's SCHEMA as the splitter writes it (no load_mode of its own). */
function childSchema(stream: string): SchemaMessage {
  return { type: 'SCHEMA', stream, key_properties: ['_parent_id', '_idx'], schema: { type: 'object', properties: { _parent_id: str, _idx: int, value: str } } };
}

const record = (stream: string, rec: Record<string, unknown>): SingerMessage => ({ type: 'RECORD', stream, record: rec });
const state = (value: unknown): SingerMessage => ({ type: 'STATE', value });

/** A task and its tags, as the splitter emits them: the parent row, then one child row per tag. */
function task(id: string, title: string, points: number, tags: string[]): SingerMessage[] {
  return [record('tasks', { id, title, points }), ...tags.map((value, _idx) => record('tasks__tags', { _parent_id: id, _idx, value }))];
}

const deletion = (id: string, at: string): SingerMessage => record('tasks', { id, _deleted_at: at });

const TASK_COLUMNS = { id: str, title: str, points: int };

/** The dataset's tables, the state table left out. */
async function readBack(datasetId: string): Promise<CanonicalTables> {
  const all = await bigQueryTables(client(), datasetId, 'US');
  delete all[STATE_TABLE];
  return all;
}

const leftovers = (datasetId: string) => bq.tableIds(datasetId).filter((t) => t.startsWith('_ns_stage_'));

describe('BigQuery incremental loads', () => {
  it('merge with hard deletions: the deleted row and its child rows are gone, no _deleted_at column; equals a replace load of the final data', async () => {
    await serve();
    await sink('hard').write(feed([
      schema('tasks', TASK_COLUMNS, { load_mode: 'replace' }), childSchema('tasks__tags'),
      ...task('a', 'A', 1, ['x', 'y']), ...task('b', 'B', 2, ['z']), ...task('c', 'C', 3, []),
    ]));
    const summary = await sink('hard').write(feed([
      schema('tasks', { ...TASK_COLUMNS, _deleted_at: time }), childSchema('tasks__tags'),
      ...task('b', 'B edited', 20, ['w']),
      ...task('d', 'D', 4, ['v']),
      deletion('a', '2026-03-01T10:00:00Z'),
      deletion('never-loaded', '2026-03-01T10:00:00Z'),
    ]));
    expect(summary.tables).toEqual([{ table: 'tasks', rows: 4 }, { table: 'tasks__tags', rows: 2 }]);

    await sink('fresh', { mode: 'replace' }).write(feed([
      schema('tasks', TASK_COLUMNS), childSchema('tasks__tags'),
      ...task('b', 'B edited', 20, ['w']), ...task('c', 'C', 3, []), ...task('d', 'D', 4, ['v']),
    ]));
    const merged = await readBack('hard');
    expect(merged.tasks!.rows.map((r) => r.id)).toEqual(['b', 'c', 'd']);
    expect(merged.tasks__tags!.rows.some((r) => r._parent_id === 'a')).toBe(false);
    expect(bq.schema('hard', 'tasks')!.map((f) => f.name)).toEqual(['id', 'title', 'points']);
    expect(merged).toEqual(await readBack('fresh'));
    expect(leftovers('hard')).toEqual([]);
  });

  it('soft deletion keeps the row, its values and its child rows with _deleted_at set; a later live row clears it', async () => {
    await serve();
    const soft = () => sink('soft', { softDelete: true });
    await soft().write(feed([schema('tasks', TASK_COLUMNS), childSchema('tasks__tags'), ...task('a', 'A', 1, ['x', 'y']), ...task('b', 'B', 2, ['z'])]));
    const before = await readBack('soft');

    await soft().write(feed([schema('tasks', { ...TASK_COLUMNS, _deleted_at: time }), childSchema('tasks__tags'), deletion('a', '2026-03-01T10:00:00Z')]));
    const deleted = await readBack('soft');
    expect(deleted.tasks!.columns._deleted_at).toBe('TIMESTAMP');
    expect(deleted.tasks!.rows).toEqual([
      { id: 'a', title: 'A', points: 1, _deleted_at: '2026-03-01T10:00:00.000Z' },
      { id: 'b', title: 'B', points: 2, _deleted_at: null },
    ]);
    expect(deleted.tasks__tags).toEqual(before.tasks__tags);

    await soft().write(feed([schema('tasks', { ...TASK_COLUMNS, _deleted_at: time }), childSchema('tasks__tags'), ...task('a', 'A restored', 5, ['q'])]));
    const restored = await readBack('soft');
    expect(restored.tasks!.rows).toEqual([
      { id: 'a', title: 'A restored', points: 5, _deleted_at: null },
      { id: 'b', title: 'B', points: 2, _deleted_at: null },
    ]);
    expect(restored.tasks__tags!.rows.map((r) => [r._parent_id, r.value])).toEqual([['a', 'q'], ['b', 'z']]);
  });

  it('load_mode replace in a merge run rebuilds that table with a retyped and a dropped column while another table merges; a failed swap puts it back', async () => {
    await serve();
    await sink('refresh').write(feed([
      schema('projects', { id: str, n: int, old: str }), childSchema('projects__tags'),
      record('projects', { id: 'p1', n: 1, old: 'x' }), record('projects__tags', { _parent_id: 'p1', _idx: 0, value: 't1' }),
      record('projects', { id: 'p2', n: 2, old: 'y' }),
      schema('tasks', TASK_COLUMNS), ...[record('tasks', { id: 't1', title: 'one', points: 1 }), record('tasks', { id: 't2', title: 'two', points: 2 })],
    ]));
    const before = await readBack('refresh');
    const second: SingerMessage[] = [
      schema('projects', { id: str, n: str }, { load_mode: 'replace' }), childSchema('projects__tags'),
      record('projects', { id: 'p3', n: 'three' }), record('projects__tags', { _parent_id: 'p3', _idx: 0, value: 't3' }),
      schema('tasks', TASK_COLUMNS), record('tasks', { id: 't2', title: 'two edited', points: 22 }), record('tasks', { id: 't3', title: 'three', points: 3 }),
    ];

    bq.inject({ kind: 'query_error', match: 'BEGIN TRANSACTION', message: 'injected failure of the swap' });
    await expect(sink('refresh').write(feed(second))).rejects.toThrow(/injected failure of the swap/);
    expect(await readBack('refresh')).toEqual(before);
    expect(bq.schema('refresh', 'projects')!.map((f) => `${f.name} ${f.type}`)).toEqual(['id STRING', 'n INTEGER', 'old STRING']);
    expect(leftovers('refresh')).toEqual([]);

    const summary = await sink('refresh').write(feed(second));
    expect(summary.jobs).toEqual({ load: 3, copy: 1, query: 2 }); // the copy: projects set aside before it is recreated; the queries: its record (_notion_stream_pending), the swap
    const after = await readBack('refresh');
    expect(after.projects).toEqual({ columns: { id: 'STRING', n: 'STRING' }, rows: [{ id: 'p3', n: 'three' }] });
    expect(after.projects__tags!.rows).toEqual([{ _parent_id: 'p3', _idx: 0, value: 't3' }]);
    expect(after.tasks!.rows).toEqual([
      { id: 't1', title: 'one', points: 1 },
      { id: 't2', title: 'two edited', points: 22 },
      { id: 't3', title: 'three', points: 3 },
    ]);
    expect(leftovers('refresh')).toEqual([]);
  });

  it('commits the last STATE with the data; readState returns it; a failed swap or a failing input keeps the old data and state', async () => {
    await serve();
    expect(await sink('nowhere').readState()).toBeUndefined();
    expect((await client().dataset('nowhere').exists())[0]).toBe(false);
    expect(bq.requests().filter((r) => r.method !== 'GET')).toEqual([]);

    // Past BigQuery's 1 MB of query text (the server refuses such a query, as BigQuery does): it loads.
    const ids = Array.from({ length: 40_000 }, (_, i) => `0f0f0f0f-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const first = { cursor: '2026-03-01T00:00:00Z', ids };
    const summary = await sink('s').write(feed([state({ cursor: 'older' }), schema('tasks', TASK_COLUMNS), ...task('a', 'A', 1, []), state(first)]));
    expect(JSON.stringify(first).length).toBeGreaterThan(1024 * 1024);
    expect(summary.state).toEqual(first);
    expect(summary.tables.map((t) => t.table)).toEqual(['tasks']);
    expect(await sink('s').readState()).toEqual(first);
    await client().createDataset('other', { location: 'US' });
    expect(await sink('other').readState()).toBeUndefined(); // a dataset without the state table
    const stateRow = await bq.rows('s', STATE_TABLE);
    expect(stateRow).toHaveLength(1);
    const data = await readBack('s');

    const next: SingerMessage[] = [schema('tasks', TASK_COLUMNS), ...task('a', 'A edited', 2, []), state({ cursor: '2026-03-02T00:00:00Z' })];
    // The swap fails on a statement of the data, then on one of the state: neither changes.
    for (const match of ['MERGE INTO', STATE_TABLE]) {
      bq.inject({ kind: 'query_error', match, message: 'injected failure of the swap' });
      await expect(sink('s').write(feed(next))).rejects.toThrow(/injected failure of the swap/);
      expect(await sink('s').readState()).toEqual(first);
      expect(await readBack('s')).toEqual(data);
    }

    await expect(sink('s').write(feed(next, next.length))).rejects.toThrow(/the source failed/); // after its STATE
    expect(await sink('s').readState()).toEqual(first);
    expect(await readBack('s')).toEqual(data);
    expect(leftovers('s')).toEqual([]);

    // A run without STATE leaves the state row alone.
    const noState = await sink('s').write(feed(next.slice(0, -1)));
    expect(noState.state).toBeUndefined();
    expect((await readBack('s')).tasks!.rows).toEqual([{ id: 'a', title: 'A edited', points: 2 }]);
    expect(await bq.rows('s', STATE_TABLE)).toEqual(stateRow);

    expect((await sink('s').write(feed(next))).state).toEqual({ cursor: '2026-03-02T00:00:00Z' });
    expect(await sink('s').readState()).toEqual({ cursor: '2026-03-02T00:00:00Z' });
    expect(await bq.rows('s', STATE_TABLE)).toHaveLength(1);
  });

  it('costs one load job per table, one for the state, and two queries: the record of the tables it creates, the swap', async () => {
    await serve();
    const summary = await sink('jobs').write(feed([
      schema('tasks', { ...TASK_COLUMNS, _deleted_at: time }), childSchema('tasks__tags'),
      ...task('a', 'A', 1, ['x']), ...task('b', 'B', 2, ['y', 'z']), deletion('c', '2026-03-01T10:00:00Z'),
      schema('people', { id: str, name: str }, { load_mode: 'replace' }), record('people', { id: 'u1', name: 'Ann' }),
      state({ cursor: 1 }), state({ cursor: 2 }),
    ]));
    expect(summary.jobs).toEqual({ load: 4, copy: 0, query: 2 });
    expect(summary.state).toEqual({ cursor: 2 });
    const jobs = bq.jobs();
    const loads = jobs.filter((j) => j.type === 'LOAD');
    expect(loads.map((j) => j.tableId!.replace(/^_ns_stage_[a-z0-9]+_/, '')).sort()).toEqual([STATE_TABLE, 'people', 'tasks', 'tasks__tags']);
    expect(jobs.filter((j) => j.type === 'QUERY').map((j) => j.jobId.replace(/^notion_stream_[a-z0-9]+_/, ''))).toEqual(['pending', 'swap']);
    expect(jobs.filter((j) => j.type === 'COPY')).toHaveLength(0);
    expect(jobs.every((j) => j.state === 'DONE' && !j.errorResult)).toBe(true);
    expect(bq.tableIds('jobs').sort()).toEqual([PENDING_TABLE, STATE_TABLE, 'people', 'tasks', 'tasks__tags']);
    expect(await bq.rows('jobs', PENDING_TABLE)).toEqual([]); // cleared by the swap that committed
  });
});
