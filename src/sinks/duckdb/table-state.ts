/** One table of a DuckDB run: its staging table, its appender, and the rows appended so far. */
import type { DuckDBAppender } from '@duckdb/node-api';
import { NotionStreamError } from '../../errors.js';
import type { TablePlan } from '../plan.js';
import type { Column } from './columns.js';
import { appendCell, toDuckValue } from './values.js';

/** What the sink knows of a table during a run. */
export interface TableState {
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
  /** The run plan's entry of the table: its load, key, deletions and parent link. */
  plan: TablePlan;
}

/** Appends one record (and its run-wide row number for a merge table); throws `invalid_value` for a value that does not fit its column. */
export function appendRow(state: TableState, record: Record<string, unknown>, seq: number): void {
  const appender = state.appender!;
  state.rows++;
  for (const column of state.columns) {
    if (column.seq) {
      appender.appendBigInt(BigInt(seq));
      continue;
    }
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
        'invalid_value',
        `Table "${state.target}", row ${state.rows}, column "${column.name}": cannot store ${shown.length > 80 ? `${shown.slice(0, 80)}…` : shown} as ${column.sqlType} (${(err as Error).message}). Fix the value or the column's type in the SCHEMA.`,
        false,
        { cause: err },
      );
    }
  }
  appender.endRow();
}

/** Commits the rows the table's appender holds: in auto-commit mode a flush is its own transaction. */
export function commitBatch(state: TableState): void {
  state.pending = 0;
  state.appender!.flushSync();
}

/** Flushes and closes the table's appender, if open. */
export function closeAppender(state: TableState): void {
  if (!state.appender) return;
  const appender = state.appender;
  state.appender = undefined;
  appender.flushSync();
  appender.closeSync();
}

/** Drops the rows the appender holds and closes it, if open. */
export function discardAppender(state: TableState): void {
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
