/** The runs table of a BigQuery dataset: its schema, and the INSERT of one run's row as SQL literals. */
import { RUN_COLUMNS, type RunRecord } from '../types.js';
import type { BigQueryField } from './schema.js';
import { column, tableSql, type TableRef } from './sql.js';

/** The columns of `_notion_stream_runs`. */
export const RUN_FIELDS: BigQueryField[] = RUN_COLUMNS.map((c) => ({ name: c.name, type: c.kind, mode: 'NULLABLE', description: c.description }));

/** A GoogleSQL string literal: quotes, backslashes and control characters escaped. */
function stringLiteral(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}'`;
}

/** `INSERT INTO runs (...) VALUES (...)` for one run's row: a few hundred bytes, so literals fit any query. */
export function insertRunSql(target: TableRef, record: RunRecord): string {
  const values = RUN_COLUMNS.map((c) => {
    const value = record[c.name];
    if (value === null) return 'NULL';
    if (c.kind === 'INTEGER') return String(Math.trunc(Number(value)));
    if (c.kind === 'TIMESTAMP') return `TIMESTAMP ${stringLiteral(String(value))}`;
    return stringLiteral(String(value));
  });
  return `INSERT INTO ${tableSql(target)} (${RUN_COLUMNS.map((c) => column(c.name)).join(', ')}) VALUES (${values.join(', ')})`;
}
