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
 *   1. Staging: each table's rows go into a staging table `_ns_stage_<runId>_<table>` (./staging.ts),
 *      committed every `batchRows` rows of the table (auto-commit mode: each appender flush is a
 *      transaction). Meanwhile DuckDB's memory limit is lowered, so DuckDB evicts the blocks its
 *      checkpoints wrote to the file instead of caching the whole run. Targets are not touched.
 *   2. Only when the whole input has succeeded, ONE transaction moves every staged table into place (and
 *      stores the run's state). By mode:
 *        replace (default)  drops the target and renames its staging table over it.
 *        append             adds the new columns to the target, copies the staged rows (INSERT … SELECT).
 *        merge              adds the new columns to the target and runs the statements of swap-sql.ts:
 *                           a parent table is MERGEd by its key_properties, the last staged row of a key
 *                           winning; a list child table (the SCHEMA's `parent` link, see ./plan.ts) loses
 *                           the rows of every staged parent and gets the child rows of the parent's last
 *                           staged row; a scoped table (a page's blocks, content, comments) loses the rows
 *                           of every parent key staged in its parent tables and MERGEs its own rows. Its
 *                           staging tables number their rows in a run-wide `_ns_seq`.
 *      A table that does not exist yet is renamed into place (replace, append) or created (merge). In a
 *      merge run, a SCHEMA with `load_mode: 'replace'` (a first load or a full refresh; its child tables go
 *      with it) replaces its table whole, rebuilt from the run's columns only: old columns are gone and
 *      column types may change. All tables of the run change together at COMMIT; tables not in the run
 *      are left alone.
 *   Any failure (the input throws, a value does not fit its column, an abort) drops this run's staging
 *   tables and leaves every target, and the state, exactly as before the run. Each run starts by dropping
 *   staging tables a crashed run left behind.
 * Schema evolution between runs (all modes, but a table replaced whole in a merge run): a new column is
 * added (ALTER TABLE ADD COLUMN); a column the new schema lacks is kept (NULL in new rows, its value kept
 * by a merge); a changed type fails the run, naming table, column and both types.
 *
 * Deletions: a parent SCHEMA with a `_deleted_at` column (TIMESTAMP) marks a stream whose RECORDs with
 * `_deleted_at` set are deletions (`{id, _deleted_at}`, other columns absent).
 *   hard (default)     merge deletes the row and its child rows; the target never gets `_deleted_at`, and
 *                      a table loaded whole (replace, append, a full refresh) never gets deletion rows.
 *   soft (softDelete)  merge sets `_deleted_at` on the existing row, keeping its values and child rows (a
 *                      later live row clears it); a table loaded whole gets deletions as rows.
 * State: the value of the stream's last STATE message replaces the one row of `_notion_stream_state`
 * (`value`: its JSON text, `committed_at`) in the final transaction; `readState` reads it back. A run
 * without STATE leaves the table alone. Runs: with `runRecord`, the run's row is appended to
 * `_notion_stream_runs` in that same transaction; `recordRun` appends a failed run's row on its own.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { NotionStreamError } from '../../errors.js';
import { columnType, type SchemaMessage, type SingerMessage } from '../../singer/messages.js';
import { throwIfAborted } from '../../util/abort.js';
import { dropTables, dropTablesBestEffort, newRunId, quoteIdent, SEQ_COLUMN, stageName, STAGE_PREFIX, StagingMemory, stagingTables } from './staging.js';
import { RunPlan, type TablePlan } from '../plan.js';
import { typeChangeError } from '../evolution.js';
import { DELETED_AT, swapStatements, type Deletions, type Dialect, type ScopeParent, type SwapTable } from '../swap-sql.js';
import { RunTables, STATE_TABLE, type RunRecord, type Sink, type SinkSummary, type WriteOptions } from '../types.js';
import { saveRun } from './runs.js';
import type { WriteMode } from '../destinations.js';
import { existingColumns, typeChanges, type Column } from './columns.js';
import { appendRow, closeAppender, commitBatch, discardAppender, type TableState } from './table-state.js';
import { duckdbType, quoteString } from './values.js';

export { quoteIdent, STAGE_PREFIX };
export { duckdbType };


/** Options of `DuckDbSink`; every field is optional. */
export interface DuckDbSinkOptions {
  /** The database file, default `notion.duckdb` (`:memory:` for a throwaway database). */
  path?: string;
  /** `replace` (default) swaps in the run's tables; `append` adds the run's rows; `merge` upserts them by key. */
  mode?: WriteMode;
  /** Rows of a table per staging commit (default 10,000). */
  batchRows?: number;
  /** A deletion record (`_deleted_at` set) keeps its row with `_deleted_at` instead of deleting it. */
  softDelete?: boolean;
  /**
   * A table whose column types changed since the last load is rebuilt with the new types from this run's
   * rows (default false: the run stops with `schema_changed`). See ../evolution.ts.
   */
  fullRefresh?: boolean;
}

export const DEFAULT_DUCKDB_PATH = 'notion.duckdb';
export const DEFAULT_BATCH_ROWS = 10_000;

/**
 * DuckDB hands memory back to the system sooner: its allocator is flushed after any task that left more
 * than 8 MiB allocated (default 128 MiB), and purged by background threads. Lowers peak RSS of a load.
 */
const ALLOCATOR_CONFIG = { allocator_flush_threshold: '8MiB', allocator_background_threads: 'true' };

const DUCKDB_DIALECT: Dialect = { ident: quoteIdent, order: quoteIdent(SEQ_COLUMN) };

/**
 * DuckDB sink: every Singer stream becomes a table of a local DuckDB file (default `notion.duckdb`),
 * loaded through DuckDB's Appender into staging tables, then moved into place in ONE transaction with the
 * run's state (`_notion_stream_state`) only when the whole input succeeded; modes replace (default),
 * append and merge (by `key_properties`). See this file's header for types, modes, schema evolution and
 * deletions. The constructor throws `NotionStreamError` `invalid_option` for a mode other than
 * replace/append/merge or a `batchRows` that is not a positive integer. `write` rejects leaving the file
 * as it was, with `io_error` (the file cannot be opened), `invalid_state` (the stored state is not JSON),
 * `invalid_schema` (merge without `key_properties`), `schema_changed` (a column whose type changed),
 * `invalid_value` (a value that does not fit its column), `invalid_message` (a RECORD before its SCHEMA),
 * `aborted`, or the stream's own error.
 */
export class DuckDbSink implements Sink {
  /** The database file (`:memory:` or empty: an in-memory database). */
  readonly path: string;
  /** How the run's tables get into place: replace, append or merge. */
  readonly mode: WriteMode;
  /** Rows of a table per staging commit. */
  readonly batchRows: number;
  /** Deletion records mark their row (`_deleted_at`) instead of deleting it. */
  readonly softDelete: boolean;
  /** A table whose column types changed is rebuilt from the run's rows instead of failing the run. */
  readonly fullRefresh: boolean;

  constructor(options: DuckDbSinkOptions = {}) {
    this.path = options.path ?? DEFAULT_DUCKDB_PATH;
    this.mode = options.mode ?? 'replace';
    this.batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
    this.softDelete = options.softDelete ?? false;
    this.fullRefresh = options.fullRefresh ?? false;
    if (this.mode !== 'replace' && this.mode !== 'append' && this.mode !== 'merge') {
      throw new NotionStreamError('invalid_option', `DuckDB mode "${String(this.mode)}" is not supported: use replace, append or merge.`, false);
    }
    if (!Number.isSafeInteger(this.batchRows) || this.batchRows < 1) {
      throw new NotionStreamError('invalid_option', `DuckDB batchRows must be a positive whole number, not ${String(this.batchRows)}.`, false);
    }
  }

  private get inMemory(): boolean {
    return this.path === ':memory:' || this.path === '';
  }

  private async open(config: Record<string, string>): Promise<DuckDBInstance> {
    try {
      return await DuckDBInstance.create(this.path, config);
    } catch (err) {
      throw new NotionStreamError('io_error', `Cannot open the DuckDB file ${this.path}: ${(err as Error).message}. Check the path, and that no other program has the file open.`, false, { cause: err });
    }
  }

  async write(messages: AsyncIterable<SingerMessage>, signal?: AbortSignal, options: WriteOptions = {}): Promise<SinkSummary> {
    throwIfAborted(signal);
    // A run that fails leaves no file behind where there was none (no empty database).
    const created = !this.inMemory && !existsSync(this.path);
    try {
      const instance = await this.open(ALLOCATOR_CONFIG);
      try {
        const connection = await instance.connect();
        try {
          return await this.load(connection, messages, signal, options);
        } finally {
          connection.closeSync();
        }
      } finally {
        instance.closeSync();
      }
    } catch (err) {
      if (created) await Promise.all([rm(this.path, { force: true }), rm(`${this.path}.wal`, { force: true })]).catch(() => {});
      throw err;
    }
  }

  /** The state value an earlier run committed, or undefined (no file, no state table, no row). Never creates the file. */
  async readState(signal?: AbortSignal): Promise<unknown> {
    throwIfAborted(signal);
    if (this.inMemory || !existsSync(this.path)) return undefined;
    const instance = await this.open({ access_mode: 'READ_ONLY' });
    try {
      const connection = await instance.connect();
      try {
        const tables = await connection.runAndReadAll(
          `SELECT 1 FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = current_schema() AND table_name = $table`,
          { table: STATE_TABLE },
        );
        if (tables.currentRowCount === 0) return undefined;
        const rows = (await connection.runAndReadAll(`SELECT value FROM ${quoteIdent(STATE_TABLE)} ORDER BY committed_at DESC LIMIT 1`)).getRowsJS();
        if (rows.length === 0) return undefined;
        try {
          return JSON.parse(String(rows[0]![0]));
        } catch {
          throw new NotionStreamError('invalid_state', `The table ${STATE_TABLE} in ${this.path} holds a state that is not JSON. Drop that table (DROP TABLE ${STATE_TABLE}) to start over with a full read.`, false);
        }
      } finally {
        connection.closeSync();
      }
    } finally {
      instance.closeSync();
    }
  }

  /** Appends a run's row to `_notion_stream_runs` on its own (a failed run); false, writing nothing, when the file does not exist. */
  async recordRun(record: RunRecord, signal?: AbortSignal): Promise<boolean> {
    throwIfAborted(signal);
    if (this.inMemory || !existsSync(this.path)) return false;
    const instance = await this.open({});
    try {
      const connection = await instance.connect();
      try {
        await saveRun(connection, record);
        return true;
      } finally {
        connection.closeSync();
      }
    } finally {
      instance.closeSync();
    }
  }

  private async load(connection: DuckDBConnection, messages: AsyncIterable<SingerMessage>, signal: AbortSignal | undefined, options: WriteOptions): Promise<SinkSummary> {
    const tables = new RunTables();
    const plan = new RunPlan(this.mode);
    const states = new Map<string, TableState>();
    const runId = newRunId();
    let seq = 0;
    // The memory limit only bounds a file database's cache; an in-memory database keeps its tables in it.
    const memory = this.inMemory ? undefined : new StagingMemory(connection);
    await dropTables(connection, await stagingTables(connection));
    try {
      // 1. Staging, in auto-commit mode: every appender flush is its own committed transaction.
      for await (const message of messages) {
        throwIfAborted(signal);
        if (message.type === 'SCHEMA') {
          tables.schema(message);
          await this.applySchema(connection, states, plan.schema(message), message, runId);
          await memory?.fit(Math.max(...[...states.values()].map((s) => s.columns.length)));
        } else if (message.type === 'RECORD') {
          tables.record(message.stream);
          const state = states.get(message.stream)!;
          if (this.dropsDeletions(state) && message.record[DELETED_AT] != null) continue;
          appendRow(state, message.record, ++seq);
          if (++state.pending >= this.batchRows) commitBatch(state);
        } else {
          tables.state(message.value);
        }
      }
      throwIfAborted(signal);
      for (const state of states.values()) closeAppender(state);
      throwIfAborted(signal);
      const summary = tables.summary(this.path);
      // 2. One transaction moves every staged table into place, with DuckDB's own memory limit.
      await memory?.restore();
      await connection.run('BEGIN TRANSACTION');
      try {
        for (const table of plan.finishOrder()) await this.finishTable(connection, states.get(table.stream)!, states, plan);
        // Merge statements of child tables read their parent's staging table: drop them all at the end.
        for (const state of states.values()) await connection.run(`DROP TABLE IF EXISTS ${quoteIdent(state.stage)}`);
        if ('state' in summary) await saveState(connection, summary.state);
        if (options.runRecord) await saveRun(connection, options.runRecord(summary));
        throwIfAborted(signal);
        await connection.run('COMMIT');
      } catch (err) {
        await connection.run('ROLLBACK').catch(() => {});
        throw err;
      }
      return summary;
    } catch (err) {
      for (const state of states.values()) discardAppender(state);
      await dropTablesBestEffort(connection, [...states.values()].map((s) => s.stage));
      throw err;
    }
  }

  /** Deletion rows of a table loaded whole are left out (with `_deleted_at`) unless deletions are soft. */
  private dropsDeletions(state: TableState): boolean {
    return state.plan.deletions && !this.softDelete && state.plan.load !== 'merge';
  }

  /** Creates the staging table of the table a SCHEMA describes (or adds its new columns) and opens its appender. */
  private async applySchema(connection: DuckDBConnection, states: Map<string, TableState>, plan: TablePlan, message: SchemaMessage, runId: string): Promise<void> {
    const target = message.stream;
    const wanted = Object.entries(message.schema.properties).map(([name, schema]) => {
      const type = columnType(schema);
      return { name, type, sqlType: duckdbType(type), comment: schema.description, inTarget: false };
    });
    let state = states.get(target);
    const created = !state;
    if (!state) {
      if (plan.load === 'merge' && message.key_properties.length === 0) {
        throw new NotionStreamError('invalid_schema', `--mode merge needs a key: table ${target} has no key_properties in its SCHEMA. Use --mode replace or append.`, false);
      }
      const existing = await existingColumns(connection, target);
      // A full refresh rebuilds a table whose column types changed from this run's rows, as BigQuery does.
      if (this.fullRefresh && plan.load !== 'replace' && plan.load !== 'refresh' && typeChanges(target, existing, wanted).length > 0) plan = { ...plan, load: 'refresh' };
      // Kept columns of the existing table come first, in their order, then the new ones. A table
      // replaced whole in a merge run is rebuilt from the run's columns only.
      const columns: Column[] = plan.load === 'refresh' ? [] : existing.map((c) => ({ ...c, type: undefined }));
      state = {
        target,
        stage: stageName(runId, target),
        targetExists: existing.length > 0,
        columns,
        description: message.schema.description,
        appender: undefined,
        rows: 0,
        pending: 0,
        plan,
      };
      states.set(target, state);
    } else {
      closeAppender(state);
      state.pending = 0;
      state.description = message.schema.description ?? state.description;
    }
    const added: Column[] = [];
    this.evolve(state, this.dropsDeletions(state) ? wanted.filter((c) => c.name !== DELETED_AT) : wanted, (c) => added.push(c));
    if (created) {
      if (state.plan.load === 'merge') added.push({ name: SEQ_COLUMN, type: undefined, sqlType: 'BIGINT', comment: undefined, inTarget: false, seq: true });
      state.columns.push(...added);
      await connection.run(`CREATE TABLE ${quoteIdent(state.stage)} (${state.columns.map((c) => `${quoteIdent(c.name)} ${c.sqlType}`).join(', ')})`);
    } else {
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
        throw typeChangeError(this.path, typeChanges(state.target, state.columns, wanted));
      }
      have.type = c.type;
      have.appendAs = undefined;
      if (c.comment !== undefined) have.comment = c.comment;
    }
    for (const c of state.columns) if (!wanted.some((w) => w.name.toLowerCase() === c.name.toLowerCase())) c.type = undefined;
  }

  /** The target's columns: the staging table's but `_ns_seq`, and `_deleted_at` when deletions are hard. */
  private targetColumns(state: TableState): Column[] {
    return state.columns.filter((c) => !c.seq && !(state.plan.deletions && !this.softDelete && c.name === DELETED_AT));
  }

  /**
   * Moves a staged table into place, inside the final transaction, and sets the comments. Replace, a full
   * refresh, or a new table in append mode: the staging table is renamed over the target. Otherwise the
   * target (created for a new table in merge mode) gets the new columns and the swap-sql.ts statements;
   * the staging table is dropped later.
   */
  private async finishTable(connection: DuckDBConnection, state: TableState, states: Map<string, TableState>, plan: RunPlan): Promise<void> {
    const target = quoteIdent(state.target);
    const columns = this.targetColumns(state);
    const load = state.plan.load;
    if (load === 'replace' || load === 'refresh' || (load === 'append' && !state.targetExists)) {
      await connection.run(`DROP TABLE IF EXISTS ${target}`);
      await connection.run(`ALTER TABLE ${quoteIdent(state.stage)} RENAME TO ${target}`);
    } else {
      if (!state.targetExists) await connection.run(`CREATE TABLE ${target} (${columns.map((c) => `${quoteIdent(c.name)} ${c.sqlType}`).join(', ')})`);
      else for (const c of columns) if (!c.inTarget) await connection.run(`ALTER TABLE ${target} ADD COLUMN ${quoteIdent(c.name)} ${c.sqlType}`);
      const swap = this.swapTable(state, states, plan, columns);
      for (const statement of swapStatements(DUCKDB_DIALECT, load, swap)) await connection.run(statement);
    }
    if (state.description !== undefined) await connection.run(`COMMENT ON TABLE ${target} IS ${quoteString(state.description)}`);
    for (const c of columns) {
      if (c.comment !== undefined) await connection.run(`COMMENT ON COLUMN ${target}.${quoteIdent(c.name)} IS ${quoteString(c.comment)}`);
    }
  }

  /**
   * What swap-sql.ts needs to append or merge a table: the run's columns (a kept column keeps its
   * values), and for a merge the key, deletions and parent link from the run plan. Throws
   * `invalid_schema` for a merge the plan cannot do (see `RunPlan.checkMerge`).
   */
  private swapTable(state: TableState, states: Map<string, TableState>, plan: RunPlan, columns: Column[]): SwapTable {
    const swap: SwapTable = { target: quoteIdent(state.target), stage: quoteIdent(state.stage), columns: columns.filter((c) => c.type).map((c) => c.name) };
    const deletions: Deletions = this.softDelete ? 'soft' : 'hard';
    const table = state.plan;
    if (table.load !== 'merge') return swap;
    plan.checkMerge(table.stream);
    const parents = plan.parents(table.stream).map((p) => states.get(p.stream)!);
    const link = plan.link(table.stream);
    if (link?.kind === 'list') {
      const parent = parents[0]!;
      return { ...swap, parent: { stage: quoteIdent(parent.stage), key: link.key, column: link.column, deletions: parent.plan.deletions ? deletions : undefined } };
    }
    const merged = { ...swap, key: table.key, deletions: table.deletions ? deletions : undefined };
    if (table.parent?.kind !== 'scope') return merged;
    // Parents staged for a merge have `_ns_seq` (their deletions apply); a parent replaced whole has
    // not, and the keys its target held before the run are in scope too (its rows may be gone).
    const scope = parents.map((p): ScopeParent => ({
      stage: quoteIdent(p.stage),
      key: table.parent!.key,
      ...(p.plan.load === 'merge' && p.plan.deletions ? { deletions } : {}),
      ...(p.plan.load !== 'merge' && p.targetExists ? { target: quoteIdent(p.target) } : {}),
    }));
    return { ...merged, scope: { column: table.parent.column, parents: scope } };
  }
}

/** Replaces the one row of the state table, inside the final transaction. */
async function saveState(connection: DuckDBConnection, value: unknown): Promise<void> {
  const table = quoteIdent(STATE_TABLE);
  await connection.run(`CREATE TABLE IF NOT EXISTS ${table} (value VARCHAR, committed_at TIMESTAMPTZ)`);
  await connection.run(`DELETE FROM ${table}`);
  await connection.run(`INSERT INTO ${table} VALUES ($value, current_timestamp)`, { value: JSON.stringify(value) ?? 'null' });
}

