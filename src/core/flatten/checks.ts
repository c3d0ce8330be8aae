/** Reading a value with the type its column needs, or failing with a `FlattenError` naming table, column and page. */
import { NotionStreamError } from '../../errors.js';
import type { Json, JsonObject } from '../../notion/types.js';
import { isObject, type PropertyColumns } from './columns.js';
import type { TableSpec } from './table.js';

/** A value that cannot go into its column without conversion (a formula changing type, ...). */
export class FlattenError extends NotionStreamError {
  constructor(
    readonly table: string,
    readonly column: string,
    message: string,
  ) {
    super('invalid_value', message, false);
  }
}

/** A flat record being written: column name → value. */
export type Row = Record<string, Json>;

/** Context of one property value, for error messages. */
export interface Where {
  spec: TableSpec;
  prop: PropertyColumns;
  pageId: string;
}

/** A value named for a message: `null`, `an array`, `an object`, or its type and JSON. */
export function describe(v: Json | undefined): string {
  if (v === undefined || v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v).slice(0, 60)}`;
}

/** The `FlattenError` for a value at `w`, naming table, column, property and page. */
export function mismatch(w: Where, message: string): FlattenError {
  return new FlattenError(
    w.spec.table,
    w.prop.base,
    `Table "${w.spec.table}", column "${w.prop.base}" (Notion property "${w.prop.name}", ${w.prop.type}), page ${w.pageId}: ${message}`,
  );
}

/** The value as a string or null; throws `FlattenError` for anything else. */
export function str(w: Where, v: Json | undefined): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw mismatch(w, `expected a string, got ${describe(v)}.`);
  return v;
}

/** The value as a number or null; throws `FlattenError` for anything else. */
export function num(w: Where, v: Json | undefined): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number') throw mismatch(w, `expected a number, got ${describe(v)}.`);
  return v;
}

/** The value as a boolean or null; throws `FlattenError` for anything else. */
export function bool(w: Where, v: Json | undefined): boolean | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'boolean') throw mismatch(w, `expected a boolean, got ${describe(v)}.`);
  return v;
}

/** The value as an array (`[]` for null); throws `FlattenError` for anything else. */
export function arr(w: Where, v: Json | undefined): Json[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw mismatch(w, `expected an array, got ${describe(v)}.`);
  return v;
}

/** The value as an object or null; throws `FlattenError` for anything else. */
export function obj(w: Where, v: Json | undefined): JsonObject | null {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) throw mismatch(w, `expected an object, got ${describe(v)}.`);
  return v;
}
