/**
 * The property flattener's pure core: a data source becomes a table (`TableSpec`, and its Singer
 * SCHEMA), a page becomes one flat record of typed columns. No I/O.
 *
 * Column types come from the data source schema, not from values, so a column has the same type
 * whether the first page has a value or not. Two exceptions, because the schema cannot tell:
 * - a formula's result type (string, number, boolean, date) is decided by its first non-null value;
 * - a rollup whose function is not one notion-stream knows is decided the same way.
 * Until decided, such a property writes no column; once decided, a value of another type throws a
 * `FlattenError` naming the table and the column (never a silent conversion). `freezeSpec` decides
 * whatever is still open as STRING (the stage calls it before emitting the SCHEMA).
 *
 * Values are JSON without loss: numbers as JSON numbers, TIMESTAMP as UTC ISO strings (the instant is
 * kept, whatever offset Notion wrote), DATE as `YYYY-MM-DD` exactly as written, LIST as arrays without
 * null items (empty list: `[]`), JSON columns as the raw value. multi_select, people and files are
 * lists of objects whose fields the SCHEMA names (`items: {type:["null","object"], properties}`),
 * so the splitter can give their child tables one column per field. Every typed column is present in every
 * record (null when empty); a JSON column is left out when its value is null (SQL NULL).
 *
 * Dates keep everything Notion says (`{start, end, time_zone}`), in six columns:
 *   <col>              DATE       the start's calendar date as written (date-only and datetime alike):
 *                                 never null when Notion has a date
 *   <col>_at           TIMESTAMP  the start instant of a datetime; null for a date-only value
 *   <col>_end          DATE       the end's calendar date as written
 *   <col>_end_at       TIMESTAMP  the end instant of a datetime range
 *   <col>_time_zone    STRING     Notion's time_zone (IANA name) or null
 *   <col>_is_datetime  BOOLEAN    false for a date-only value, true when it has a time
 * A date-only value never becomes a midnight-UTC TIMESTAMP.
 *
 * The code lives in flatten/, one module per job: columns (shapes and the column model), table (the
 * `TableSpec` of a data source and its SCHEMA), deletion (the deletion record), checks (typed reads
 * and `FlattenError`), dates, users, rollups, values (the converters per property type) and page (the
 * flat record of a page). This module re-exports the public part.
 */
export { columnJsonSchema, schemaShape, SYSTEM_COLUMNS, type Column, type PropertyColumns, type Shape } from './flatten/columns.js';
export { DELETED_AT, deletionRecord } from './flatten/deletion.js';
export { freezeSpec, retypedProperties, schemaMessage, specLayout, tableColumns, tableSpec, undecidedProperties, type FlattenOptions, type TableSpec } from './flatten/table.js';
export { FlattenError } from './flatten/checks.js';
export { toInstant } from './flatten/dates.js';
export { userFields } from './flatten/users.js';
export { rollupItems, type RollupItem } from './flatten/rollups.js';
export { flattenPage } from './flatten/page.js';
