/**
 * Column schemas as other Singer taps write them, brought to the shapes `columnType` reads.
 */
import { type ColumnSchema } from './messages.js';

/** JSON Schema format of a decimal sent as a string to keep its digits (pipelinewise, Meltano taps). */
export const SINGER_DECIMAL = 'singer.decimal';

/** A column schema in the form notion-stream's sinks read, and whether its values come as decimal strings. */
export interface NormalizedColumn {
  schema: ColumnSchema;
  /** True when values arrive as strings (`"12.50"`) to be loaded as numbers. */
  decimal: boolean;
}

function typeList(schema: ColumnSchema): string[] {
  return Array.isArray(schema.type) ? schema.type : typeof schema.type === 'string' ? [schema.type] : [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Normalises one column schema written by any Singer tap:
 * - `{"anyOf": [{"type": "null"}, X]}` (null plus one schema) becomes X, nullable;
 * - `{"type": ["null", "string"], "format": "singer.decimal"}` (or `"number"` with that format) becomes
 *   a NUMBER column, and `decimal` is set so values given as strings are read as numbers;
 * - `items` of a list are normalised the same way.
 * Anything else is returned as it is (a type list of several non-null types stays raw JSON).
 */
export function normalizeColumnSchema(schema: ColumnSchema): NormalizedColumn {
  let out: ColumnSchema = schema;
  const anyOf = schema.anyOf;
  if (Array.isArray(anyOf) && schema.type === undefined) {
    const options = anyOf.filter(isObject) as ColumnSchema[];
    const nonNull = options.filter((o) => !(typeList(o).length === 1 && typeList(o)[0] === 'null'));
    if (options.length === anyOf.length && nonNull.length === 1) {
      const { anyOf: _dropped, ...rest } = schema;
      const inner = nonNull[0]!;
      out = { ...inner, ...rest, type: ['null', ...typeList(inner).filter((t) => t !== 'null')] };
    }
  }
  let decimal = false;
  if ((out.format as string | undefined) === SINGER_DECIMAL) {
    const types = typeList(out).filter((t) => t !== 'null');
    if (types.length === 1 && (types[0] === 'string' || types[0] === 'number')) {
      const { format: _format, ...rest } = out;
      out = { ...rest, type: ['null', 'number'] };
      decimal = true;
    }
  }
  if (isObject(out.items)) {
    const items = normalizeColumnSchema(out.items as ColumnSchema);
    if (items.schema !== out.items) out = { ...out, items: items.schema };
  }
  return { schema: out, decimal };
}
