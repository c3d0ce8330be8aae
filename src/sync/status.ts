/**
 * `readStatus()`: what a warehouse holds from notion-stream runs: its tables with their row counts and
 * last `_synced_at`, the last runs of `_notion_stream_runs`, and the bookmark of each data source from
 * `_notion_stream_state`. Reads only; creates nothing (a missing file or dataset reads as empty).
 */
import { existsSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { NotionStreamError } from '../errors.js';
import { createBigQueryClient } from '../sinks/bigquery/client.js';
import { bigQueryTarget, createSink } from '../sinks/create.js';
import { DEFAULT_DUCKDB_PATH } from '../sinks/duckdb/sink.js';
import { quoteIdent, STAGE_PREFIX } from '../sinks/duckdb/staging.js';
import { RUN_COLUMNS, RUNS_TABLE, STATE_TABLE, type RunRecord } from '../sinks/types.js';
import { parseState } from '../state/state.js';
import { SYNCED_AT } from './lineage.js';

/** Where to look: a DuckDB file or a BigQuery dataset, as for `sync()`. */
export interface StatusOptions {
  /** `duckdb` (default) or `bigquery`. */
  to?: 'duckdb' | 'bigquery';
  /** DuckDB file; default `notion.duckdb`. */
  out?: string;
  /** BigQuery project (default env `GOOGLE_CLOUD_PROJECT`), dataset (required), location, endpoint (default env `BIGQUERY_API_ENDPOINT`). */
  project?: string;
  dataset?: string;
  location?: string;
  bigqueryEndpoint?: string;
  /** How many runs, newest first; default 10. */
  runs?: number;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** A table and what it holds. */
export interface TableStatus {
  table: string;
  rows: number;
  /** The latest `_synced_at` of its rows (ISO 8601), or null (no rows, or a table without lineage). */
  lastSyncedAt: string | null;
}

/** A data source's bookmark for incremental runs. */
export interface BookmarkStatus {
  dataSource: string;
  table: string;
  /** The latest `last_edited_time` loaded (ISO 8601), or null when nothing was loaded. */
  watermark: string | null;
  /** When its ids were last all listed (ISO 8601), or null. */
  reconciledAt: string | null;
}

/** What `readStatus()` resolves with. */
export interface DestinationStatus {
  destination: string;
  tables: TableStatus[];
  /** Newest first, at most `runs`. Times as ISO 8601. */
  runs: RunRecord[];
  bookmarks: BookmarkStatus[];
}

const DATA_TABLE = (name: string) => !name.startsWith('_notion_stream_') && !name.startsWith(STAGE_PREFIX);

/** An instant from either warehouse's client (a Date, `{value}`, a number of ms, or text) as ISO 8601. */
function iso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  const text = typeof value === 'object' ? String((value as { value: unknown }).value) : String(value);
  const t = Date.parse(text.replace(' UTC', 'Z').replace(/^(\d{4}-\d\d-\d\d) /, '$1T'));
  return Number.isNaN(t) ? text : new Date(t).toISOString();
}

function toRun(row: Record<string, unknown>): RunRecord {
  const out: Record<string, unknown> = {};
  for (const c of RUN_COLUMNS) {
    const v = row[c.name];
    out[c.name] = v === null || v === undefined ? (c.kind === 'INTEGER' ? 0 : null) : c.kind === 'INTEGER' ? Number(typeof v === 'object' ? (v as { value: unknown }).value : v) : c.kind === 'TIMESTAMP' ? iso(v) : String(v);
  }
  return out as unknown as RunRecord;
}

/**
 * Reads the status of a warehouse. Throws `NotionStreamError`: `invalid_option` (a bad `to`, a missing
 * BigQuery project or dataset, `runs` not a whole number ≥ 1), `io_error` (a DuckDB file that cannot
 * be opened), `invalid_state` (a state that is not JSON), `bigquery_error`.
 */
export async function readStatus(options: StatusOptions = {}): Promise<DestinationStatus> {
  const to = options.to ?? 'duckdb';
  const limit = options.runs ?? 10;
  if (!Number.isInteger(limit) || limit < 1) throw new NotionStreamError('invalid_option', `--runs takes a whole number of at least 1, got ${limit}.`, false);
  if (to !== 'duckdb' && to !== 'bigquery') throw new NotionStreamError('invalid_option', `status reads --to duckdb or --to bigquery, not ${String(to)}: files hold no runs.`, false);
  const env = options.env ?? process.env;
  const sink = createSink({ ...options, to, env });
  const read = to === 'duckdb' ? await duckDbStatus(options.out ?? DEFAULT_DUCKDB_PATH, limit) : await bigQueryStatus(options, env, limit);
  const state = parseState(await sink.readState!(options.signal), `the ${to} destination's ${STATE_TABLE} table`, { ids: false });
  const bookmarks = Object.entries(state?.bookmarks ?? {}).map(([dataSource, b]) => ({ dataSource, table: b.table, watermark: b.watermark ?? null, reconciledAt: b.reconciledAt ?? null }));
  return { ...read, bookmarks };
}

async function duckDbStatus(path: string, limit: number): Promise<Omit<DestinationStatus, 'bookmarks'>> {
  if (!existsSync(path)) return { destination: path, tables: [], runs: [] };
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  } catch (err) {
    throw new NotionStreamError('io_error', `Cannot open the DuckDB file ${path}: ${(err as Error).message}. Check the path, and that no other program has the file open.`, false, { cause: err });
  }
  const c = await instance.connect();
  try {
    const query = async (sql: string) => (await c.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
    const names = (await query("SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = current_schema() ORDER BY table_name")).map((r) => String(r.table_name));
    const tables: TableStatus[] = [];
    for (const table of names.filter(DATA_TABLE)) {
      const lineage = (await query(`SELECT 1 FROM duckdb_columns() WHERE table_name = '${table.replace(/'/g, "''")}' AND column_name = '${SYNCED_AT}'`)).length > 0;
      const [row] = await query(`SELECT count(*) AS n${lineage ? `, max(${quoteIdent(SYNCED_AT)}) AS last` : ''} FROM ${quoteIdent(table)}`);
      tables.push({ table, rows: Number(row!.n), lastSyncedAt: iso(row!.last) });
    }
    const runs = names.includes(RUNS_TABLE) ? (await query(`SELECT * FROM ${quoteIdent(RUNS_TABLE)} ORDER BY started_at DESC LIMIT ${limit}`)).map(toRun) : [];
    return { destination: path, tables, runs };
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

async function bigQueryStatus(options: StatusOptions, env: NodeJS.ProcessEnv, limit: number): Promise<Omit<DestinationStatus, 'bookmarks'>> {
  const target = bigQueryTarget({ ...options, env });
  const { projectId, datasetId } = target;
  const destination = `${projectId}.${datasetId}`;
  const client = createBigQueryClient(target);
  const dataset = client.dataset(datasetId, { location: options.location });
  const fail = (err: unknown, doing: string) => new NotionStreamError('bigquery_error', `BigQuery failed while ${doing} of ${destination}: ${(err as Error).message ?? err}`, true, { cause: err });
  const query = async (sql: string) => {
    try {
      const [rows] = await client.query({ query: sql, location: options.location });
      return rows as Record<string, unknown>[];
    } catch (err) {
      throw fail(err, 'reading the tables');
    }
  };
  let ids: string[];
  try {
    const [all] = await dataset.getTables({ autoPaginate: true });
    ids = all.map((t) => t.id!).sort();
  } catch (err) {
    if ((err as { code?: number }).code === 404) return { destination, tables: [], runs: [] };
    throw fail(err, 'listing the tables');
  }
  const ref = (table: string) => `\`${projectId}.${datasetId}.${table}\``;
  const tables: TableStatus[] = [];
  for (const table of ids.filter(DATA_TABLE)) {
    const [metadata] = await dataset.table(table).getMetadata().catch((err: unknown) => { throw fail(err, `reading table ${table}`); });
    const lineage = ((metadata.schema?.fields ?? []) as { name: string }[]).some((f) => f.name === SYNCED_AT);
    const [row] = await query(`SELECT COUNT(*) AS n${lineage ? `, MAX(\`${SYNCED_AT}\`) AS last` : ''} FROM ${ref(table)}`);
    tables.push({ table, rows: Number(row!.n), lastSyncedAt: iso(row!.last) });
  }
  const runs = ids.includes(RUNS_TABLE) ? (await query(`SELECT * FROM ${ref(RUNS_TABLE)} ORDER BY started_at DESC LIMIT ${limit}`)).map(toRun) : [];
  return { destination, tables, runs };
}
