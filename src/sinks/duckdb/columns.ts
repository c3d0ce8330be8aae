/** The columns of a DuckDB table: as the file has them, and how they differ from a run's. */
import type { DuckDBConnection, DuckDBType } from '@duckdb/node-api';
import type { ColumnType } from '../../singer/messages.js';
import type { TypeChange } from '../evolution.js';

/** A column of a table's staging table: from the target, this run's SCHEMA, or both. */
export interface Column {
  name: string;
  type: ColumnType | undefined; // undefined: a column kept from an earlier run, absent from this schema
  appendAs?: DuckDBType;
  sqlType: string;
  comment: string | undefined;
  /** The target has the column already (append and merge add the others to it in the final transaction). */
  inTarget: boolean;
  /** The run-wide row number of a merge table's staging table (`_ns_seq`), never in the target. */
  seq?: true;
}

/** The columns of `table` in the open database, in their order (none when it does not exist). */
export async function existingColumns(connection: DuckDBConnection, table: string): Promise<Column[]> {
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

/** The columns of `have` (the table) whose type differs from the same column of `wanted` (names compared without case). */
export function typeChanges(table: string, have: readonly { name: string; sqlType: string }[], wanted: readonly { name: string; sqlType: string }[]): TypeChange[] {
  const byName = new Map(wanted.map((c) => [c.name.toLowerCase(), c]));
  return have.flatMap((h) => {
    const w = byName.get(h.name.toLowerCase());
    return w && w.sqlType !== h.sqlType ? [{ table, column: h.name, from: h.sqlType, to: w.sqlType }] : [];
  });
}

