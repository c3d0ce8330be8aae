/** Warehouse column types and record values as DuckDB takes them: column types, appender types, cells. */
import { BIGINT, BOOLEAN, DOUBLE, LIST, listValue, VARCHAR } from '@duckdb/node-api';
import type { DuckDBAppender, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import type { ColumnType } from '../../singer/messages.js';
import { stringifyJson } from '../../singer/json.js';
import type { Column } from './columns.js';

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

export function quoteString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

export class ValueError extends Error {}

/** A record value as the appender takes it for a column of `type`. */
export function toDuckValue(value: unknown, type: ColumnType): DuckDBValue {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case 'TIMESTAMP':
    case 'DATE':
      if (typeof value !== 'string') throw new ValueError(`expected a ${type.kind === 'DATE' ? 'date' : 'date-time'} string`);
      return value;
    case 'INTEGER':
      if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
      if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
      if (typeof value === 'bigint') return value;
      throw new ValueError('expected an integer');
    case 'NUMBER':
      if (typeof value === 'number') return value;
      if (typeof value === 'bigint') return Number(value);
      if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
      throw new ValueError('expected a number');
    case 'BOOLEAN':
      if (typeof value === 'boolean') return value;
      throw new ValueError('expected true or false');
    case 'STRING':
      return typeof value === 'string' ? value : typeof value === 'object' ? stringifyJson(value) : String(value);
    case 'JSON':
      return stringifyJson(value);
    case 'LIST':
      if (!Array.isArray(value)) throw new ValueError('expected a list');
      return listValue(value.map((item: unknown) => toDuckValue(item, type.items)));
  }
}

/**
 * Appends one cell with the appender's typed methods, which hand the value straight to DuckDB (text is
 * cast to the column's type there: dates, JSON); lists and timestamps go through a DuckDB value.
 */
export function appendCell(appender: DuckDBAppender, column: Column, type: ColumnType, value: DuckDBValue): void {
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

