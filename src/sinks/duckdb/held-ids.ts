/**
 * DuckDB's answers about the page ids its tables hold (../held-ids.ts): SQL on the table, through an
 * in-memory database that attaches the file read-only, so the file is never created or changed. The trashed
 * pages to look up go into an in-memory table; for a reconciliation the table's ids stream out a chunk
 * at a time and are looked up in the listing.
 */
import { existsSync } from 'node:fs';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { NotionStreamError } from '../../errors.js';
import { DELETED_AT } from '../../core/flatten.js';
import type { IdSet } from '../../state/id-set.js';
import { throwIfAborted } from '../../util/abort.js';
import type { HeldIds, HeldQuery } from '../held-ids.js';
import { quoteIdent } from './staging.js';
import { quoteString } from './values.js';

/** The schema the file is attached as. */
const SOURCE = 'notion_stream_source';

/** `HeldIds` of a DuckDB file; opens it (read-only) at the first question, `close()` lets it go. */
export class DuckDbHeldIds implements HeldIds {
  private open: Promise<{ instance: DuckDBInstance; connection: DuckDBConnection } | undefined> | undefined;

  /** `path`: the DuckDB file (`:memory:` or empty: nothing is held). */
  constructor(readonly path: string) {}

  private connect(): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection } | undefined> {
    this.open ??= (async () => {
      if (this.path === '' || this.path === ':memory:' || !existsSync(this.path)) return undefined;
      try {
        const instance = await DuckDBInstance.create(':memory:');
        const connection = await instance.connect();
        await connection.run(`ATTACH ${quoteString(this.path)} AS ${SOURCE} (READ_ONLY)`);
        return { instance, connection };
      } catch (err) {
        throw new NotionStreamError('io_error', `Cannot open the DuckDB file ${this.path}: ${(err as Error).message}. Check the path, and that no other program has the file open.`, false, { cause: err });
      }
    })();
    return this.open;
  }

  /** The live-row condition of `table` (no `_deleted_at` column: every row), or undefined when the table does not exist. */
  private async liveRows(connection: DuckDBConnection, table: string): Promise<string | undefined> {
    const reader = await connection.runAndReadAll(
      `SELECT column_name FROM duckdb_columns() WHERE database_name = $db AND schema_name = 'main' AND table_name = $table`,
      { db: SOURCE, table },
    );
    const columns = new Set(reader.getRowObjectsJS().map((r) => String(r.column_name)));
    if (!columns.has('id')) return undefined;
    return columns.has(DELETED_AT) ? `${quoteIdent(DELETED_AT)} IS NULL` : 'TRUE';
  }

  /** Fills a new in-memory table `name (id VARCHAR)` with `ids`. */
  private async idTable(connection: DuckDBConnection, name: string, ids: Iterable<string>, signal?: AbortSignal): Promise<void> {
    await connection.run(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(name)} (id VARCHAR)`);
    const appender = await connection.createAppender(name, 'main', 'temp');
    let n = 0;
    try {
      for (const id of ids) {
        appender.appendVarchar(id);
        appender.endRow();
        if (++n % 100_000 === 0) throwIfAborted(signal);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  async held(table: string, query: HeldQuery, signal?: AbortSignal): Promise<Set<string>> {
    throwIfAborted(signal);
    if (query.ids.length === 0 && query.editedSince === undefined) return new Set();
    const db = await this.connect();
    if (!db) return new Set();
    const live = await this.liveRows(db.connection, table);
    if (!live) return new Set();
    await this.idTable(db.connection, 'wanted', query.ids, signal);
    const since = query.editedSince === undefined ? 'FALSE' : `last_edited_time >= CAST(${quoteString(query.editedSince)} AS TIMESTAMPTZ)`;
    const reader = await db.connection.runAndReadAll(
      `SELECT id FROM ${SOURCE}.main.${quoteIdent(table)} WHERE ${live} AND (id IN (SELECT id FROM temp.main.wanted) OR ${since})`,
    );
    throwIfAborted(signal);
    return new Set(reader.getRowsJS().map((r) => String(r[0])));
  }

  async notListed(table: string, listed: IdSet, signal?: AbortSignal): Promise<string[]> {
    throwIfAborted(signal);
    const db = await this.connect();
    if (!db) return [];
    const live = await this.liveRows(db.connection, table);
    if (!live) return [];
    // The table's ids stream out a chunk at a time and are looked up in the listing (sorted bytes).
    const result = await db.connection.stream(`SELECT id FROM ${SOURCE}.main.${quoteIdent(table)} WHERE ${live} AND id IS NOT NULL`);
    const gone: string[] = [];
    for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      throwIfAborted(signal);
      for (const id of chunk.getColumnValues(0)) if (!listed.has(String(id))) gone.push(String(id));
    }
    return gone.sort();
  }

  async close(): Promise<void> {
    const open = this.open;
    this.open = undefined;
    const db = await open?.catch(() => undefined);
    if (!db) return;
    db.connection.closeSync();
    db.instance.closeSync();
  }
}
