/**
 * Singer messages, the record format on pipes (one JSON object per line):
 * SCHEMA before a table's records, RECORD per row, STATE for bookmarks.
 *
 * Column types travel as JSON Schema; `columnType` reads the warehouse type back from it:
 *   {type:["null","string"], format:"date-time"} → TIMESTAMP     {format:"date"} → DATE
 *   {type:["null","integer"]} → INTEGER   {type:["null","number"]} → NUMBER   {type:["null","boolean"]} → BOOLEAN
 *   {type:["null","string"]} → STRING     {type:["null","array"], items:{...}} → LIST of the item type
 *   {"type":["null","object","array","string","number","boolean"], "x-json": true} (any JSON value) → JSON
 *   (the explicit type list lets other Singer targets, which need a `type`, map it to their JSON type)
 * `description` holds the original Notion name of the column.
 */

/** The JSON Schema type list of a raw JSON column: any JSON value. */
export const JSON_TYPES = ['null', 'object', 'array', 'string', 'number', 'boolean'] as const;

/**
 * The JSON Schema of one column (a SCHEMA message's `schema.properties` value); `columnType` reads the
 * warehouse type from it (see the table at the top of this file).
 */
export interface ColumnSchema {
  /** JSON Schema type(s), `null` included when the column is nullable (every column notion-stream writes). */
  type?: string | string[];
  /** `date-time`: TIMESTAMP (UTC ISO strings); `date`: DATE (`YYYY-MM-DD`). */
  format?: 'date-time' | 'date';
  /** For an array (LIST) column: the schema of its items (objects list their fields in `properties`). */
  items?: ColumnSchema;
  /** The column's original Notion name (a property name), shown as the column description. */
  description?: string;
  /** Marks a column holding raw JSON (objects, unknown property types). */
  'x-json'?: true;
  [key: string]: unknown;
}

export interface TableSchema {
  type: 'object';
  properties: Record<string, ColumnSchema>;
  /** The table's original name (the Notion data source title), and anything else a sink may show. */
  description?: string;
  [key: string]: unknown;
}

/**
 * Singer SCHEMA: declares a table (`stream`) and its columns; comes before the table's first RECORD
 * and may come again with more columns.
 */
export interface SchemaMessage {
  /** Always `SCHEMA`. */
  type: 'SCHEMA';
  /** The table name. */
  stream: string;
  /** An object JSON Schema: one `properties` entry per column, in column order. */
  schema: TableSchema;
  /**
   * The columns that identify a row (`["id"]` for data tables; `_parent_id`, `_idx` for child tables);
   * `--mode merge` needs them.
   */
  key_properties: string[];
  /**
   * notion-stream's extension for incremental runs: `replace` says this stream carries the whole table
   * (a first or full refresh), so a sink merging the run replaces this table instead; `merge` (or
   * absent) follows the sink's mode.
   */
  load_mode?: 'replace' | 'merge';
  /**
   * notion-stream's extension: the rows of this stream belong to rows of another stream (other Singer
   * targets ignore the field). Written by the splitter on its child tables and by the page content and
   * comments tables; read by the warehouse sinks to merge (see ../sinks/plan.ts).
   */
  parent?: ParentLink;
}

/**
 * The link of a stream's rows to their parent rows: `column` of this stream holds the `key` of a row
 * of `stream`.
 *   list   the rows are the elements of a list column of the parent row, each following its parent's
 *          RECORD (the splitter's `<table>__<column>`, `column` `_parent_id`): the table loads as its
 *          parent does, and a merge replaces a parent's elements by those of its last record.
 *   scope  the rows belong to the parent row by key only (a page's blocks, content and comments, by
 *          `page_id`): a merge replaces every row of each parent key the run carried, deletions
 *          included, with the run's rows of that key (none when it has none).
 * `stream` may list several streams holding the same kind of parent (every table of pages).
 */
export interface ParentLink {
  stream: string | string[];
  /** The parent's key column (`id`). */
  key: string;
  /** This stream's column holding the parent's key (`_parent_id`, `page_id`). */
  column: string;
  kind: 'list' | 'scope';
}

/** Singer RECORD: one row of a table whose SCHEMA came before. */
export interface RecordMessage {
  /** Always `RECORD`. */
  type: 'RECORD';
  /** The table name (a SCHEMA for it came earlier). */
  stream: string;
  /** Column name → value, as the SCHEMA types it (TIMESTAMP as UTC ISO text, LIST as arrays). */
  record: Record<string, unknown>;
}

/** Singer STATE: the bookmarks to resume from; a sink commits the last one with the data (`SyncState`). */
export interface StateMessage {
  /** Always `STATE`. */
  type: 'STATE';
  /** Any JSON value; notion-stream writes a `SyncState`. */
  value: unknown;
}

/** One line of a Singer stream: SCHEMA, RECORD or STATE (told apart by `type`). */
export type SingerMessage = SchemaMessage | RecordMessage | StateMessage;

export type ColumnType =
  | { kind: 'TIMESTAMP' | 'DATE' | 'INTEGER' | 'NUMBER' | 'BOOLEAN' | 'STRING' | 'JSON' }
  | { kind: 'LIST'; items: ColumnType };

/** The warehouse type a column schema stands for (see the table at the top of this file). */
export function columnType(schema: ColumnSchema): ColumnType {
  if (schema['x-json']) return { kind: 'JSON' };
  const types = (Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []).filter((t) => t !== 'null');
  if (types.length !== 1) return { kind: 'JSON' };
  switch (types[0]) {
    case 'string':
      return { kind: schema.format === 'date-time' ? 'TIMESTAMP' : schema.format === 'date' ? 'DATE' : 'STRING' };
    case 'integer':
      return { kind: 'INTEGER' };
    case 'number':
      return { kind: 'NUMBER' };
    case 'boolean':
      return { kind: 'BOOLEAN' };
    case 'array':
      return { kind: 'LIST', items: schema.items ? columnType(schema.items) : { kind: 'JSON' } };
    default:
      return { kind: 'JSON' };
  }
}

/** Builds the column schema of a warehouse type (the inverse of `columnType`). */
export function columnSchema(type: ColumnType, description?: string): ColumnSchema {
  const withDescription = (s: ColumnSchema): ColumnSchema => (description === undefined ? s : { ...s, description });
  switch (type.kind) {
    case 'TIMESTAMP':
      return withDescription({ type: ['null', 'string'], format: 'date-time' });
    case 'DATE':
      return withDescription({ type: ['null', 'string'], format: 'date' });
    case 'INTEGER':
      return withDescription({ type: ['null', 'integer'] });
    case 'NUMBER':
      return withDescription({ type: ['null', 'number'] });
    case 'BOOLEAN':
      return withDescription({ type: ['null', 'boolean'] });
    case 'STRING':
      return withDescription({ type: ['null', 'string'] });
    case 'JSON':
      return withDescription({ type: [...JSON_TYPES], 'x-json': true });
    case 'LIST':
      return withDescription({ type: ['null', 'array'], items: columnSchema(type.items) });
  }
}
