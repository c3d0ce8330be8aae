/**
 * DuckDB sink: every Singer stream becomes a table of a local DuckDB file (default `notion.duckdb`),
 * loaded through DuckDB's Appender (bulk, column-typed), never row-by-row INSERT.
 *
 * Types (from `columnType`):
 *   TIMESTAMP → TIMESTAMPTZ (an instant; DuckDB shows it in the session time zone, UTC unless set)
 *   DATE → DATE   INTEGER → BIGINT   NUMBER → DOUBLE   BOOLEAN → BOOLEAN   STRING → VARCHAR
 *   JSON → JSON (DuckDB's bundled json extension; the text of the value)   LIST → <item type>[]
 * Column comments (`COMMENT ON COLUMN`) hold the column descriptions (the original Notion names), the
 * table comment holds the table description.
 *
 * All-or-nothing, in two steps, so DuckDB's memory does not grow with the run:
 *   1. Staging: each table's rows go into a staging table `_ns_stage_<runId>_<table>` (duckdb-staging.ts),
 *      committed every `batchRows` rows of the table (auto-commit mode: each appender flush is a
 *      transaction). Meanwhile DuckDB's memory limit is lowered, so DuckDB evicts the blocks its
 *      checkpoints wrote to the file instead of caching the whole run. Targets are not touched.
 *   2. Only when the whole input has succeeded, ONE transaction moves every staged table into place:
 *      replace (default) drops the target and renames its staging table over it; append adds the new
 *      columns to the target, copies the staged rows (INSERT … SELECT) and drops the staging table (a new
 *      table is renamed into place as in replace). All tables of the run change together at COMMIT;
 *      tables not in the run are left alone.
 *   Any failure (the input throws, a value does not fit its column, an abort) drops this run's staging
 *   tables and leaves every target exactly as before the run. Each run starts by dropping staging tables
 *   a crashed run left behind.
 * Schema evolution between runs (both modes): a new column is added (ALTER TABLE ADD COLUMN); a column
 * the new schema lacks is kept (NULL in the new rows); a changed type fails the run, naming table,
 * column and both types.
 */
import { BIGINT, BOOLEAN, DOUBLE, DuckDBInstance, LIST, listValue, VARCHAR } from '@duckdb/node-api';
import type { DuckDBAppender, DuckDBConnection, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { NotionStreamError } from '../notion/errors.js';
import { columnType, type ColumnType, type SchemaMessage, type SingerMessage } from '../singer/messages.js';
import { throwIfAborted } from '../util/abort.js';
import { dropTables, dropTablesBestEffort, newRunId, quoteIdent, stageName, STAGE_PREFIX, StagingMemory, stagingTables } from './duckdb-staging.js';
import { RunTables, type Sink, type SinkSummary } from './types.js';

export { quoteIdent, STAGE_PREFIX };

export type DuckDbMode = 'replace' | 'append' | 'merge';

export interface DuckDbSinkOptions {
  /** The database file, default `notion.duckdb` (`:memory:` for a throwaway database). */
  path?: string;
  /** `replace` (default) swaps in the run's tables; `append` adds the run's rows. */
  mode?: DuckDbMode;
  /** Rows of a table per staging commit (default 10,000). */
  batchRows?: number;
  /** A deletion record (`_deleted_at` set) keeps its row with `_deleted_at` instead of deleting it. */
  softDelete?: boolean;
}

export const DEFAULT_DUCKDB_PATH = 'notion.duckdb';
export const DEFAULT_BATCH_ROWS = 10_000;

/**
 * DuckDB hands memory back to the system sooner: its allocator is flushed after any task that left more
 * than 8 MiB allocated (default 128 MiB), and purged by background threads. Lowers peak RSS of a load.
 */
const ALLOCATOR_CONFIG = { allocator_flush_threshold: '8MiB', allocator_background_threads: 'true' };

/** The DuckDB column type of a warehouse type, spelled as `duckdb_columns()` reports it. */
export function duckdbType(type: ColumnType): string {
  switch (type.kind) {
    case 'TIMESTAMP':
      return 'TIMESTAMP WITH TIME ZONE';
    case 'DATE':
      return 'DATE';
    case 'INTEGER':
      return 'BIGINT';
    case 'NUMBER':
      return 'DOUBLE';
    case 'BOOLEAN':
      return 'BOOLEAN';
    case 'STRING':
      return 'VARCHAR';
    case 'JSON':
      return 'JSON';
    case 'LIST':
      return `${duckdbType(type.items)}[]`;
  }
}

/** The type a value is handed to the appender as (DuckDB casts text to timestamps, dates and JSON). */
function appendType(type: ColumnType): DuckDBType {
  switch (type.kind) {
    case 'INTEGER':
      return BIGINT;
    case 'NUMBER':
      return DOUBLE;
    case 'BOOLEAN':
      return BOOLEAN;
    case 'LIST':
      return LIST(appendType(type.items));
    default:
      return VARCHAR;
  }
}

function quoteString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

class ValueError extends Error {}

/** A record value as the appender takes it for a column of `type`. */
function toDuckValue(value: unknown, type: ColumnType): DuckDBValue {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case 'TIMESTAMP':
    case 'DATE':
      if (typeof value !== 'string') throw new ValueError(`expected a ${type.kind === 'DATE' ? 'date' : 'date-time'} string`);
      return value;
    case 'INTEGER':
      if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
      if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
      throw new ValueError('expected an integer');
    case 'NUMBER':
      if (typeof value === 'number') return value;
      if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
      throw new ValueError('expected a number');
    case 'BOOLEAN':
      if (typeof value === 'boolean') return value;
      throw new ValueError('expected true or false');
    case 'STRING':
      return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
    case 'JSON':
      return JSON.stringify(value);
    case 'LIST':
      if (!Array.isArray(value)) throw new ValueError('expected a list');
      return listValue(value.map((item: unknown) => toDuckValue(item, type.items)));
  }
}

interface Column {
  name: string;
  type: ColumnType | undefined; // undefined: a column kept from an earlier run, absent from this schema
  appendAs?: DuckDBType;
  sqlType: string;
  comment: string | undefined;
  /** The target has the column already (append mode adds the others to it in the final transaction). */
  inTarget: boolean;
}

interface TableState {
  target: string;
  /** This run's staging table, which the rows go into. */
  stage: string;
  /** The target existed when the table's first SCHEMA arrived. */
  targetExists: boolean;
  /** The staging table's columns: the target's (kept ones first, in their order), then new ones. */
  columns: Column[];
  description: string | undefined;
  appender: DuckDBAppender | undefined;
  rows: number;
  /** Rows appended since the last staging commit. */
  pending: number;
}

export class DuckDbSink implements Sink {
  readonly path: string;
  readonly mode: DuckDbMode;
  readonly batchRows: number;

  constructor(options: DuckDbSinkOptions = {}) {
    this.path = options.path ?? DEFAULT_DUCKDB_PATH;
    this.mode = options.mode ?? 'replace';
    this.batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
    if (this.mode !== 'replace' && this.mode !== 'append') {
      throw new NotionStreamError('invalid_input', `DuckDB mode "${String(this.mode)}" is not supported: use replace or append.`, false);
    }
    if (!Number.isSafeInteger(this.batchRows) || this.batchRows < 1) {
      throw new NotionStreamError('invalid_input', `DuckDB batchRows must be a positive whole number, not ${String(this.batchRows)}.`, false);
    }
  }

  async write(messages: AsyncIterable<SingerMessage>, signal?: AbortSignal): Promise<SinkSummary> {
    throwIfAborted(signal);
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(this.path, ALLOCATOR_CONFIG);
    } catch (err) {
      throw new NotionStreamError('invalid_input', `Cannot open the DuckDB file ${this.path}: ${(err as Error).message}. Check the path, and that no other program has the file open.`, false, { cause: err });
    }
    try {
      const connection = await instance.connect();
      try {
        return await this.load(connection, messages, signal);
      } finally {
        connection.closeSync();
      }
    } finally {
      instance.closeSync();
    }
  }

  private async load(connection: DuckDBConnection, messages: AsyncIterable<SingerMessage>, signal: AbortSignal | undefined): Promise<SinkSummary> {
    const tables = new RunTables();
    const states = new Map<string, TableState>();
    const runId = newRunId();
    // The memory limit only bounds a file database's cache; an in-memory database keeps its tables in it.
    const memory = this.path === ':memory:' || this.path === '' ? undefined : new StagingMemory(connection);
    await dropTables(connection, await stagingTables(connection));
    try {
      // 1. Staging, in auto-commit mode: every appender flush is its own committed transaction.
      for await (const message of messages) {
        throwIfAborted(signal);
        if (message.type === 'SCHEMA') {
          tables.schema(message);
          await this.applySchema(connection, states, message, runId);
          await memory?.fit(Math.max(...[...states.values()].map((s) => s.columns.length)));
        } else if (message.type === 'RECORD') {
          tables.record(message.stream);
          const state = states.get(message.stream)!;
          appendRow(state, message.record);
          if (++state.pending >= this.batchRows) commitBatch(state);
        }
      }
      throwIfAborted(signal);
      for (const state of states.values()) closeAppender(state);
      throwIfAborted(signal);
      // 2. One transaction moves every staged table into place, with DuckDB's own memory limit.
      await memory?.restore();
      await connection.run('BEGIN TRANSACTION');
      try {
        for (const state of states.values()) await this.finishTable(connection, state);
        throwIfAborted(signal);
        await connection.run('COMMIT');
      } catch (err) {
        await connection.run('ROLLBACK').catch(() => {});
        throw err;
      }
    } catch (err) {
      for (const state of states.values()) discardAppender(state);
      await dropTablesBestEffort(connection, [...states.values()].map((s) => s.stage));
      throw err;
    }
    return tables.summary(this.path);
  }

  /** Creates the staging table of the table a SCHEMA describes (or adds its new columns) and opens its appender. */
  private async applySchema(connection: DuckDBConnection, states: Map<string, TableState>, message: SchemaMessage, runId: string): Promise<void> {
    const target = message.stream;
    const wanted = Object.entries(message.schema.properties).map(([name, schema]) => {
      const type = columnType(schema);
      return { name, type, sqlType: duckdbType(type), comment: schema.description, inTarget: false };
    });
    let state = states.get(target);
    if (!state) {
      const existing = await existingColumns(connection, target);
      // Kept columns of the existing table come first, in their order, then the new ones.
      const columns: Column[] = existing.map((c) => ({ ...c, type: undefined }));
      state = { target, stage: stageName(runId, target), targetExists: existing.length > 0, columns, description: message.schema.description, appender: undefined, rows: 0, pending: 0 };
      states.set(target, state);
      this.evolve(state, wanted, (c) => columns.push(c));
      await connection.run(`CREATE TABLE ${quoteIdent(state.stage)} (${columns.map((c) => `${quoteIdent(c.name)} ${c.sqlType}`).join(', ')})`);
    } else {
      closeAppender(state);
      state.pending = 0;
      state.description = message.schema.description ?? state.description;
      const added: Column[] = [];
      this.evolve(state, wanted, (c) => added.push(c));
      for (const c of added) {
        await connection.run(`ALTER TABLE ${quoteIdent(state.stage)} ADD COLUMN ${quoteIdent(c.name)} ${c.sqlType}`);
        state.columns.push(c);
      }
    }
    state.appender = await connection.createAppender(state.stage);
  }

  /** Matches the wanted columns against the table's: new ones go to `add`; a type change fails. */
  private evolve(state: TableState, wanted: Column[], add: (c: Column) => void): void {
    const byName = new Map(state.columns.map((c) => [c.name.toLowerCase(), c]));
    for (const c of wanted) {
      const have = byName.get(c.name.toLowerCase());
      if (!have) {
        add(c);
        continue;
      }
      if (have.sqlType !== c.sqlType) {
        throw new NotionStreamError(
          'invalid_input',
          `Table "${state.target}", column "${have.name}": it is ${have.sqlType} in ${this.path} but the new schema makes it ${c.sqlType}, and notion-stream does not change column types. To load it, drop the table (in duckdb ${this.path}: DROP TABLE ${quoteIdent(state.target)};) or delete ${this.path}, then run again.`,
          false,
        );
      }
      have.type = c.type;
      have.appendAs = undefined;
      if (c.comment !== undefined) have.comment = c.comment;
    }
    for (const c of state.columns) if (!wanted.some((w) => w.name.toLowerCase() === c.name.toLowerCase())) c.type = undefined;
  }

  /**
   * Moves a staged table into place, inside the final transaction, and sets the comments. Replace, or a
   * table that did not exist: the staging table is renamed over the target. Append to an existing table:
   * the new columns are added to it, the staged rows copied, and the staging table dropped.
   */
  private async finishTable(connection: DuckDBConnection, state: TableState): Promise<void> {
    const target = quoteIdent(state.target);
    const stage = quoteIdent(state.stage);
    if (this.mode === 'replace' || !state.targetExists) {
      await connection.run(`DROP TABLE IF EXISTS ${target}`);
      await connection.run(`ALTER TABLE ${stage} RENAME TO ${target}`);
    } else {
      for (const c of state.columns) if (!c.inTarget) await connection.run(`ALTER TABLE ${target} ADD COLUMN ${quoteIdent(c.name)} ${c.sqlType}`);
      const columns = state.columns.map((c) => quoteIdent(c.name)).join(', ');
      await connection.run(`INSERT INTO ${target} (${columns}) SELECT ${columns} FROM ${stage}`);
      await connection.run(`DROP TABLE ${stage}`);
    }
    if (state.description !== undefined) await connection.run(`COMMENT ON TABLE ${target} IS ${quoteString(state.description)}`);
    for (const c of state.columns) {
      if (c.comment !== undefined) await connection.run(`COMMENT ON COLUMN ${target}.${quoteIdent(c.name)} IS ${quoteString(c.comment)}`);
    }
  }
}

async function existingColumns(connection: DuckDBConnection, table: string): Promise<Column[]> {
  const reader = await connection.runAndReadAll(
    `SELECT column_name, data_type, comment FROM duckdb_columns()
     WHERE database_name = current_database() AND schema_name = current_schema() AND table_name = $table
     ORDER BY column_index`,
    { table },
  );
  return reader.getRowObjectsJS().map((r) => ({
    name: String(r.column_name),
    type: undefined,
    sqlType: String(r.data_type),
    comment: typeof r.comment === 'string' && r.comment !== '' ? r.comment : undefined,
    inTarget: true,
  }));
}

function appendRow(state: TableState, record: Record<string, unknown>): void {
  const appender = state.appender!;
  state.rows++;
  for (const column of state.columns) {
    const value = column.type ? record[column.name] : undefined;
    if (value === null || value === undefined || !column.type) {
      appender.appendNull();
      continue;
    }
    try {
      appendCell(appender, column, column.type, toDuckValue(value, column.type));
    } catch (err) {
      const shown = JSON.stringify(value);
      throw new NotionStreamError(
        'invalid_input',
        `Table "${state.target}", row ${state.rows}, column "${column.name}": cannot store ${shown.length > 80 ? `${shown.slice(0, 80)}…` : shown} as ${column.sqlType} (${(err as Error).message}). Fix the value or the column's type in the SCHEMA.`,
        false,
        { cause: err },
      );
    }
  }
  appender.endRow();
}

/**
 * Appends one cell with the appender's typed methods, which hand the value straight to DuckDB (text is
 * cast to the column's type there: dates, JSON); lists and timestamps go through a DuckDB value.
 */
function appendCell(appender: DuckDBAppender, column: Column, type: ColumnType, value: DuckDBValue): void {
  switch (type.kind) {
    case 'INTEGER':
      return appender.appendBigInt(value as bigint);
    case 'NUMBER':
      return appender.appendDouble(value as number);
    case 'BOOLEAN':
      return appender.appendBoolean(value as boolean);
    case 'LIST':
    case 'TIMESTAMP': // appendVarchar would drop the text's UTC offset; a VARCHAR value is cast keeping it
      return appender.appendValue(value, (column.appendAs ??= appendType(type)));
    default:
      return appender.appendVarchar(value as string);
  }
}

/** Commits the rows the table's appender holds: in auto-commit mode a flush is its own transaction. */
function commitBatch(state: TableState): void {
  state.pending = 0;
  state.appender!.flushSync();
}

function closeAppender(state: TableState): void {
  if (!state.appender) return;
  const appender = state.appender;
  state.appender = undefined;
  appender.flushSync();
  appender.closeSync();
}

function discardAppender(state: TableState): void {
  if (!state.appender) return;
  const appender = state.appender;
  state.appender = undefined;
  try {
    appender.clear();
    appender.closeSync();
  } catch {
    // its staging table is dropped anyway
  }
}
