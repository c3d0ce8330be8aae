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
 * All-or-nothing: the whole run is ONE transaction, from the first message to COMMIT after the last.
 * Any failure (the input throws, a value does not fit its column, an abort) rolls it back, so every
 * table is exactly as before the run.
 *   replace (default): each table is written into a staging table `_ns_stage_<table>`; at the end, still
 *     in the transaction, every target is dropped and its staging table renamed over it, so all tables
 *     of the run change together at COMMIT. Tables not in the run are left alone.
 *   append: rows are appended to the existing tables.
 * Schema evolution between runs (both modes): a new column is added (ALTER TABLE ADD COLUMN); a column
 * the new schema lacks is kept (NULL in the new rows); a changed type fails the run, naming table,
 * column and both types.
 */
import { BIGINT, BOOLEAN, DOUBLE, DuckDBInstance, LIST, listValue, VARCHAR } from '@duckdb/node-api';
import type { DuckDBAppender, DuckDBConnection, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { NotionStreamError } from '../notion/errors.js';
import { columnType, type ColumnType, type SchemaMessage, type SingerMessage } from '../singer/messages.js';
import { throwIfAborted } from '../util/abort.js';
import { RunTables, type Sink, type SinkSummary } from './types.js';

export type DuckDbMode = 'replace' | 'append';

export interface DuckDbSinkOptions {
  /** The database file, default `notion.duckdb` (`:memory:` for a throwaway database). */
  path?: string;
  /** `replace` (default) swaps in the run's tables; `append` adds the run's rows. */
  mode?: DuckDbMode;
}

export const DEFAULT_DUCKDB_PATH = 'notion.duckdb';
export const STAGE_PREFIX = '_ns_stage_';

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

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
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
}

interface TableState {
  target: string;
  /** The table rows go into: the staging table (replace) or the target (append). */
  table: string;
  columns: Column[];
  description: string | undefined;
  appender: DuckDBAppender | undefined;
  rows: number;
}

export class DuckDbSink implements Sink {
  readonly path: string;
  readonly mode: DuckDbMode;

  constructor(options: DuckDbSinkOptions = {}) {
    this.path = options.path ?? DEFAULT_DUCKDB_PATH;
    this.mode = options.mode ?? 'replace';
    if (this.mode !== 'replace' && this.mode !== 'append') {
      throw new NotionStreamError('invalid_input', `DuckDB mode "${String(this.mode)}" is not supported: use replace or append.`, false);
    }
  }

  async write(messages: AsyncIterable<SingerMessage>, signal?: AbortSignal): Promise<SinkSummary> {
    throwIfAborted(signal);
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(this.path);
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
    await connection.run('BEGIN TRANSACTION');
    try {
      for await (const message of messages) {
        throwIfAborted(signal);
        if (message.type === 'SCHEMA') {
          tables.schema(message);
          await this.applySchema(connection, states, message);
        } else if (message.type === 'RECORD') {
          tables.record(message.stream);
          appendRow(states.get(message.stream)!, message.record);
        }
      }
      throwIfAborted(signal);
      for (const state of states.values()) closeAppender(state);
      for (const state of states.values()) await this.finishTable(connection, state);
      throwIfAborted(signal);
      await connection.run('COMMIT');
    } catch (err) {
      for (const state of states.values()) discardAppender(state);
      await connection.run('ROLLBACK').catch(() => {});
      throw err;
    }
    return tables.summary(this.path);
  }

  /** Creates or evolves the table a SCHEMA describes and opens its appender. */
  private async applySchema(connection: DuckDBConnection, states: Map<string, TableState>, message: SchemaMessage): Promise<void> {
    const target = message.stream;
    const wanted = Object.entries(message.schema.properties).map(([name, schema]) => {
      const type = columnType(schema);
      return { name, type, sqlType: duckdbType(type), comment: schema.description };
    });
    let state = states.get(target);
    if (!state) {
      const existing = await existingColumns(connection, target);
      const table = this.mode === 'replace' ? `${STAGE_PREFIX}${target}` : target;
      state = { target, table, columns: [], description: message.schema.description, appender: undefined, rows: 0 };
      states.set(target, state);
      if (this.mode === 'replace' || existing.length === 0) {
        // Kept columns of the previous table come first, in their order, then the new ones.
        state.columns = existing.map((c) => ({ ...c, type: undefined }));
        if (this.mode === 'replace') await connection.run(`DROP TABLE IF EXISTS ${quoteIdent(table)}`);
        this.evolve(state, wanted, (c) => state!.columns.push(c));
        await connection.run(`CREATE TABLE ${quoteIdent(table)} (${state.columns.map((c) => `${quoteIdent(c.name)} ${c.sqlType}`).join(', ')})`);
      } else {
        state.columns = existing.map((c) => ({ ...c, type: undefined }));
        await this.addColumns(connection, state, wanted);
      }
    } else {
      closeAppender(state);
      state.description = message.schema.description ?? state.description;
      await this.addColumns(connection, state, wanted);
    }
    state.appender = await connection.createAppender(state.table);
  }

  private async addColumns(connection: DuckDBConnection, state: TableState, wanted: Column[]): Promise<void> {
    const added: Column[] = [];
    this.evolve(state, wanted, (c) => added.push(c));
    for (const c of added) {
      await connection.run(`ALTER TABLE ${quoteIdent(state.table)} ADD COLUMN ${quoteIdent(c.name)} ${c.sqlType}`);
      state.columns.push(c);
    }
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

  /** Moves a staged table into place (replace) and sets the comments. */
  private async finishTable(connection: DuckDBConnection, state: TableState): Promise<void> {
    if (state.table !== state.target) {
      await connection.run(`DROP TABLE IF EXISTS ${quoteIdent(state.target)}`);
      await connection.run(`ALTER TABLE ${quoteIdent(state.table)} RENAME TO ${quoteIdent(state.target)}`);
    }
    const table = quoteIdent(state.target);
    if (state.description !== undefined) await connection.run(`COMMENT ON TABLE ${table} IS ${quoteString(state.description)}`);
    for (const c of state.columns) {
      if (c.comment !== undefined) await connection.run(`COMMENT ON COLUMN ${table}.${quoteIdent(c.name)} IS ${quoteString(c.comment)}`);
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
      appender.appendValue(toDuckValue(value, column.type), (column.appendAs ??= appendType(column.type)));
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
    // the transaction is rolled back anyway
  }
}
