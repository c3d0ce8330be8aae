/**
 * Schema evolution between runs, the same rule and the same words for every warehouse sink:
 *   - a new column is added to the table;
 *   - a column the new schema lacks is kept (NULL in new rows);
 *   - a column whose type changed stops the run before anything changes, unless the run is a full
 *     refresh (`--full-refresh`, `fullRefresh`), which rebuilds that table with the new types from this
 *     run's rows.
 */
import { NotionStreamError } from '../errors.js';

/** A column whose type in the destination differs from the run's SCHEMA (types as the destination names them). */
export interface TypeChange {
  table: string;
  column: string;
  /** The type the destination's table has. */
  from: string;
  /** The type the run's SCHEMA makes it. */
  to: string;
}

/**
 * The error of a run whose columns changed type (code `schema_changed`, not retryable): names every
 * table and column with both types, says nothing was changed, and gives the fix. `where` names the
 * destination as the user knows it (a DuckDB file, a BigQuery dataset).
 */
export function typeChangeError(where: string, changes: readonly TypeChange[]): NotionStreamError {
  const tables = new Map<string, TypeChange[]>();
  for (const c of changes) tables.set(c.table, [...(tables.get(c.table) ?? []), c]);
  const parts = [...tables].map(([table, cs]) => `table "${table}": ${cs.map((c) => `column "${c.column}" is ${c.from} in ${where} but ${c.to} now`).join(', ')}`);
  const names = [...tables.keys()];
  return new NotionStreamError(
    'schema_changed',
    `Column types changed since the last load (${parts.join('; ')}). Nothing was changed: notion-stream does not change a column's type in place. Run again with --full-refresh to rebuild ${names.length > 1 ? 'these tables' : 'this table'} with the new types from the run's rows, or drop ${names.length > 1 ? 'them' : 'it'}.`,
    false,
  );
}
