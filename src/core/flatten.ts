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
 */
import { NotionStreamError } from '../notion/errors.js';
import { plainText, type Json, type JsonObject, type NotionDataSource, type NotionPage, type PropertyValue, type SchemaProperty } from '../notion/types.js';
import { columnSchema, type ColumnSchema, type ColumnType, type SchemaMessage, type TableSchema } from '../singer/messages.js';
import { ColumnNamer, normalizePropertyId, tableName } from './names.js';
import type { PropertyLayout } from '../state/state.js';

export interface FlattenOptions {
  /** Table name overrides by data source id (dashed or not), from `--table <id>=<name>`. */
  tableNames?: Readonly<Record<string, string>>;
  /** Told about unknown property types, properties missing from the schema, undecided formulas. */
  onWarning?: (message: string) => void;
  /**
   * Incremental runs: how each property of the table was loaded before, by property id. A property
   * found there keeps its column name whatever it is called now (ids survive renames), and a formula or
   * rollup keeps its decided type; new properties get names no earlier column has.
   */
  layout?: Readonly<Record<string, PropertyLayout>>;
  /** Incremental runs: the table has a `_deleted_at` column (TIMESTAMP) for deletion records. */
  deletions?: boolean;
}

/** The column of deletion records in incremental runs: when the page was trashed, deleted or unshared. */
export const DELETED_AT = '_deleted_at';

/** A value that cannot go into its column without conversion (a formula changing type, ...). */
export class FlattenError extends NotionStreamError {
  constructor(
    readonly table: string,
    readonly column: string,
    message: string,
  ) {
    super('invalid_input', message, false);
  }
}

export interface Column {
  name: string;
  type: ColumnType;
  /** The original Notion property name (or what a system column holds). */
  description: string;
  /** For a LIST of objects with known fields: the fields (all STRING), given as `items.properties`. */
  fields?: readonly string[];
}

const T = {
  STRING: { kind: 'STRING' },
  NUMBER: { kind: 'NUMBER' },
  INTEGER: { kind: 'INTEGER' },
  BOOLEAN: { kind: 'BOOLEAN' },
  TIMESTAMP: { kind: 'TIMESTAMP' },
  DATE: { kind: 'DATE' },
  JSON: { kind: 'JSON' },
} as const satisfies Record<string, ColumnType>;

/** The columns every table has, before the property columns. */
export const SYSTEM_COLUMNS: readonly Column[] = [
  { name: 'id', type: T.STRING, description: 'Notion page id' },
  { name: 'url', type: T.STRING, description: 'Notion page URL' },
  { name: 'created_time', type: T.TIMESTAMP, description: 'Page created time' },
  { name: 'last_edited_time', type: T.TIMESTAMP, description: 'Page last edited time' },
  { name: 'created_by', type: T.STRING, description: 'Id of the user who created the page' },
  { name: 'last_edited_by', type: T.STRING, description: 'Id of the user who last edited the page' },
  { name: 'in_trash', type: T.BOOLEAN, description: 'Page is in the trash' },
  { name: 'data_source_id', type: T.STRING, description: 'Notion data source id' },
];

/** How a property's value is laid out in columns. */
export type Shape =
  | 'string'
  | 'number'
  | 'boolean'
  | 'timestamp'
  | 'date'
  | 'string_list'
  | 'json_list'
  | 'json'
  | 'option'
  | 'user'
  | 'unique_id'
  | 'verification'
  | 'place'
  | 'none';

const DATE_PARTS: ReadonlyArray<readonly [string, ColumnType]> = [
  ['', T.DATE],
  ['_at', T.TIMESTAMP],
  ['_end', T.DATE],
  ['_end_at', T.TIMESTAMP],
  ['_time_zone', T.STRING],
  ['_is_datetime', T.BOOLEAN],
];

/** A user (created_by, last_edited_by, verified_by): its id, name, e-mail and kind (person, bot, group). */
const USER_PARTS: ReadonlyArray<readonly [string, ColumnType]> = [
  ['', T.STRING],
  ['_name', T.STRING],
  ['_email', T.STRING],
  ['_type', T.STRING],
];

/** Column suffixes and types of each shape. */
const PARTS: Record<Shape, ReadonlyArray<readonly [string, ColumnType]>> = {
  string: [['', T.STRING]],
  number: [['', T.NUMBER]],
  boolean: [['', T.BOOLEAN]],
  timestamp: [['', T.TIMESTAMP]],
  date: DATE_PARTS,
  string_list: [['', { kind: 'LIST', items: T.STRING }]],
  json_list: [['', { kind: 'LIST', items: T.JSON }]],
  json: [['', T.JSON]],
  option: [
    ['', T.STRING],
    ['_id', T.STRING],
  ],
  user: USER_PARTS,
  unique_id: [
    ['', T.STRING],
    ['_number', T.INTEGER],
  ],
  verification: [['_state', T.STRING], ...USER_PARTS.map(([s, t]) => [`_verified_by${s}`, t] as const), ...DATE_PARTS.map(([s, t]) => [`_date${s}`, t] as const)],
  place: [
    ['_lat', T.NUMBER],
    ['_lon', T.NUMBER],
    ['_name', T.STRING],
    ['_address', T.STRING],
    ['_google_place_id', T.STRING],
    ['_aws_place_id', T.STRING],
  ],
  none: [],
};

/** Shapes of the property types whose shape the schema tells. */
const SHAPE_OF_TYPE: Record<string, Shape> = {
  title: 'string',
  rich_text: 'string',
  number: 'number',
  select: 'option',
  status: 'option',
  multi_select: 'json_list',
  date: 'date',
  people: 'json_list',
  files: 'json_list',
  checkbox: 'boolean',
  url: 'string',
  email: 'string',
  phone_number: 'string',
  relation: 'string_list',
  created_time: 'timestamp',
  last_edited_time: 'timestamp',
  created_by: 'user',
  last_edited_by: 'user',
  unique_id: 'unique_id',
  verification: 'verification',
  place: 'place',
  button: 'none',
};

const ROLLUP_NUMBER_FUNCTIONS = new Set([
  'count', 'count_all', 'count_values', 'unique', 'count_unique_values', 'empty', 'count_empty', 'not_empty',
  'count_not_empty', 'percent_empty', 'percent_not_empty', 'sum', 'average', 'median', 'min', 'max', 'range',
  'checked', 'unchecked', 'percent_checked', 'percent_unchecked',
]);
const ROLLUP_DATE_FUNCTIONS = new Set(['earliest_date', 'latest_date', 'date_range']);
const ROLLUP_ARRAY_FUNCTIONS = new Set(['show_original', 'show_unique']);

/** Fields of the object items of list-valued property types (the splitter makes them child columns). */
const ITEM_FIELDS: Record<string, readonly string[]> = {
  multi_select: ['id', 'name'],
  people: ['id', 'name', 'email', 'type'],
  files: ['name', 'type', 'url', 'expiry_time'],
  rollup: ['type', 'value', 'json'],
};

/** Shape of a formula or rollup result type (`{type:"number", number: 3}` → number). */
const RESULT_SHAPES: Record<string, Shape> = { string: 'string', number: 'number', boolean: 'boolean', date: 'date', array: 'json_list' };

/** One property of a table and the columns it writes. */
export interface PropertyColumns {
  /** Property id as Notion gives it (URL-encoded). */
  id: string;
  /** The Notion property name. */
  name: string;
  /** The Notion property type. */
  type: string;
  /** Column base name: the property's columns are `base + suffix`. */
  base: string;
  /** undefined while a formula or rollup waits for its first non-null value. */
  shape: Shape | undefined;
  /** For formulas and rollups: the result type (`string`, `number`, ...) values must have. */
  resultType?: string;
  /** False for a property a page carried that the data source schema lacks (kept as JSON). */
  inSchema: boolean;
  columns: Column[];
}

/** A table being flattened. Mutable: formula types get decided, unknown properties get added. */
export interface TableSpec {
  table: string;
  /** The data source title (the table's description). */
  title: string;
  dataSourceId: string;
  /** Property columns in column order. */
  properties: PropertyColumns[];
  byId: Map<string, PropertyColumns>;
  namer: ColumnNamer;
  /** Set by `freezeSpec`: every type is decided and no longer changes. */
  frozen: boolean;
  /** Bumped whenever the table's columns change (a type decided, a column added). */
  version: number;
  warned: Set<string>;
  onWarning: (message: string) => void;
  /** The table has the `_deleted_at` column of incremental runs. */
  deletions: boolean;
}

/** Suffixes to reserve for a property's names: the union of what it may ever write. */
function nameSuffixes(shape: Shape | undefined): string[] {
  return (shape === undefined ? DATE_PARTS : PARTS[shape]).map(([s]) => s);
}

function columnsOf(p: Pick<PropertyColumns, 'base' | 'name' | 'shape' | 'type'>): Column[] {
  if (p.shape === undefined) return [];
  const fields = p.shape === 'json_list' ? ITEM_FIELDS[p.type] : undefined;
  return PARTS[p.shape].map(([suffix, type]) => ({ name: p.base + suffix, type, description: p.name, ...(fields ? { fields } : {}) }));
}

/** The JSON Schema of a column; lists of objects with known fields describe them as `items.properties`. */
export function columnJsonSchema(c: Column): ColumnSchema {
  const schema = columnSchema(c.type, c.description);
  if (c.fields === undefined) return schema;
  const properties: Record<string, ColumnSchema> = {};
  for (const f of c.fields) properties[f] = columnSchema(T.STRING, f);
  return { ...schema, items: { type: ['null', 'object'], properties } };
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The shape a schema property gives, and for rollups the result type it implies. */
export function schemaShape(prop: SchemaProperty): { shape: Shape | undefined; resultType?: string; known: boolean } {
  if (prop.type === 'formula') return { shape: undefined, known: true };
  if (prop.type === 'rollup') {
    const config = prop.rollup;
    const fn = isObject(config) && typeof config.function === 'string' ? config.function : '';
    if (ROLLUP_NUMBER_FUNCTIONS.has(fn)) return { shape: 'number', resultType: 'number', known: true };
    if (ROLLUP_DATE_FUNCTIONS.has(fn)) return { shape: 'date', resultType: 'date', known: true };
    if (ROLLUP_ARRAY_FUNCTIONS.has(fn)) return { shape: 'json_list', resultType: 'array', known: true };
    return { shape: undefined, known: true };
  }
  const shape = SHAPE_OF_TYPE[prop.type];
  return shape === undefined ? { shape: 'json', known: false } : { shape, known: true };
}

function warnOnce(spec: TableSpec, key: string, message: string): void {
  if (spec.warned.has(key)) return;
  spec.warned.add(key);
  spec.onWarning(message);
}

/** Builds the table of a data source: its name, and a column set for every schema property. */
export function tableSpec(dataSource: NotionDataSource, options: FlattenOptions = {}): TableSpec {
  const title = plainText(dataSource.title);
  const table = tableName(title, dataSource.id, options.tableNames);
  const spec: TableSpec = {
    table,
    title,
    dataSourceId: dataSource.id,
    properties: [],
    byId: new Map(),
    namer: new ColumnNamer([...SYSTEM_COLUMNS.map((c) => c.name), ...(options.deletions ? [DELETED_AT] : [])]),
    frozen: false,
    version: 0,
    warned: new Set(),
    onWarning: options.onWarning ?? (() => {}),
    deletions: options.deletions ?? false,
  };
  const props = Object.values(dataSource.properties ?? {});
  const shapes = new Map(props.map((p) => [p.id, schemaShape(p)]));
  // Columns loaded before keep their names (and formulas their decided types); nobody else gets them.
  // A property whose type changed cannot keep its columns, but prefers their base name (its old
  // columns go away with a rebuilt table, or the type change is reported by the destination).
  const layout = new Map(Object.entries(options.layout ?? {}).map(([id, l]) => [normalizePropertyId(id), l]));
  const kept = new Map<string, PropertyLayout>();
  const retyped = new Map<string, string>();
  for (const p of props) {
    const before = layout.get(normalizePropertyId(p.id));
    if (before === undefined) continue;
    if (before.type !== p.type) {
      retyped.set(p.id, before.column);
      continue;
    }
    kept.set(p.id, before);
    if (shapes.get(p.id)!.shape === undefined && before.shape !== undefined) shapes.set(p.id, { shape: before.shape as Shape, resultType: before.result, known: true });
  }
  const retypedIds = new Set([...retyped.keys()].map(normalizePropertyId));
  for (const [id, l] of layout) if (!retypedIds.has(id)) spec.namer.reserve(nameSuffixes(l.shape as Shape | undefined).map((suffix) => l.column + suffix));
  const fresh = props.filter((p) => !kept.has(p.id));
  const bases = spec.namer.nameAll(fresh.map((p) => ({ id: p.id, name: p.name, suffixes: nameSuffixes(shapes.get(p.id)?.shape), prefer: retyped.get(p.id) })));
  for (const [id, l] of kept) bases.set(id, l.column);
  // Column order: the title first, then by property id (the same for the same schema).
  const ordered = [...props].sort((a, b) => {
    if ((a.type === 'title') !== (b.type === 'title')) return a.type === 'title' ? -1 : 1;
    const x = normalizePropertyId(a.id);
    const y = normalizePropertyId(b.id);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  for (const p of ordered) {
    const { shape, resultType, known } = shapes.get(p.id)!;
    const entry: PropertyColumns = { id: p.id, name: p.name, type: p.type, base: bases.get(p.id)!, shape, inSchema: true, columns: [] };
    if (resultType !== undefined) entry.resultType = resultType;
    entry.columns = columnsOf(entry);
    spec.properties.push(entry);
    spec.byId.set(normalizePropertyId(p.id), entry);
    if (!known) {
      warnOnce(spec, `type:${p.type}`, `Table "${table}": property "${p.name}" has type "${p.type}", which notion-stream does not know; its raw value is kept as JSON in column "${entry.base}".`);
    }
  }
  return spec;
}

/** Formula and rollup properties whose type is not decided yet (no non-null value seen). */
export function undecidedProperties(spec: TableSpec): PropertyColumns[] {
  return spec.properties.filter((p) => p.shape === undefined);
}

/** Decides every open formula/rollup type as STRING and fixes the table's columns from now on. */
export function freezeSpec(spec: TableSpec): void {
  if (spec.frozen) return;
  for (const p of undecidedProperties(spec)) {
    p.shape = 'string';
    p.resultType = 'string';
    p.columns = columnsOf(p);
    spec.version++;
    warnOnce(
      spec,
      `undecided:${p.id}`,
      `Table "${spec.table}": ${p.type} "${p.name}" had no value in the pages read before the schema was written; column "${p.base}" is STRING, and a later value of another type is an error.`,
    );
  }
  spec.frozen = true;
}

/** Every column of the table, system columns first. */
export function tableColumns(spec: TableSpec): Column[] {
  const deletions: Column[] = spec.deletions ? [{ name: DELETED_AT, type: T.TIMESTAMP, description: 'When the page was trashed, deleted or unshared (deletion records only)' }] : [];
  return [...SYSTEM_COLUMNS, ...deletions, ...spec.properties.flatMap((p) => p.columns)];
}

/** How the table's properties are laid out in columns, by property id: what the state keeps. */
export function specLayout(spec: TableSpec): Record<string, PropertyLayout> {
  const out: Record<string, PropertyLayout> = {};
  for (const p of spec.properties) {
    if (!p.inSchema) continue;
    out[p.id] = { name: p.name, type: p.type, column: p.base, ...(p.shape ? { shape: p.shape } : {}), ...(p.resultType ? { result: p.resultType } : {}) };
  }
  return out;
}

/**
 * Properties whose columns cannot stay as they were loaded: their Notion type changed, or (rollups) the
 * type their function gives. Such a table needs a full refresh.
 */
export function retypedProperties(layout: Readonly<Record<string, PropertyLayout>>, dataSource: NotionDataSource): { name: string; from: string; to: string }[] {
  const byId = new Map(Object.entries(layout).map(([id, l]) => [normalizePropertyId(id), l]));
  const out: { name: string; from: string; to: string }[] = [];
  for (const p of Object.values(dataSource.properties ?? {})) {
    const before = byId.get(normalizePropertyId(p.id));
    if (before === undefined) continue;
    const shape = schemaShape(p).shape;
    if (before.type !== p.type) out.push({ name: p.name, from: before.type, to: p.type });
    else if (shape !== undefined && before.shape !== undefined && shape !== before.shape) out.push({ name: p.name, from: `${before.type} (${before.shape})`, to: `${p.type} (${shape})` });
  }
  return out;
}

/** The record of a page that left the data source: its id and when, nothing else. */
export function deletionRecord(pageId: string, deletedAt: string): Record<string, Json> {
  return { id: pageId, [DELETED_AT]: deletedAt };
}

/** The Singer SCHEMA message of the table as it stands. */
export function schemaMessage(spec: TableSpec): SchemaMessage {
  const properties: TableSchema['properties'] = {};
  for (const c of tableColumns(spec)) properties[c.name] = columnJsonSchema(c);
  return {
    type: 'SCHEMA',
    stream: spec.table,
    schema: { type: 'object', properties, description: spec.title },
    key_properties: ['id'],
  };
}

// ---------------------------------------------------------------------------------------------------
// Values

type Row = Record<string, Json>;

/** Context of one property value, for error messages. */
interface Where {
  spec: TableSpec;
  prop: PropertyColumns;
  pageId: string;
}

function describe(v: Json | undefined): string {
  if (v === undefined || v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v).slice(0, 60)}`;
}

function mismatch(w: Where, message: string): FlattenError {
  return new FlattenError(
    w.spec.table,
    w.prop.base,
    `Table "${w.spec.table}", column "${w.prop.base}" (Notion property "${w.prop.name}", ${w.prop.type}), page ${w.pageId}: ${message}`,
  );
}

function str(w: Where, v: Json | undefined): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw mismatch(w, `expected a string, got ${describe(v)}.`);
  return v;
}

function num(w: Where, v: Json | undefined): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number') throw mismatch(w, `expected a number, got ${describe(v)}.`);
  return v;
}

function bool(w: Where, v: Json | undefined): boolean | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'boolean') throw mismatch(w, `expected a boolean, got ${describe(v)}.`);
  return v;
}

function arr(w: Where, v: Json | undefined): Json[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw mismatch(w, `expected an array, got ${describe(v)}.`);
  return v;
}

function obj(w: Where, v: Json | undefined): JsonObject | null {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) throw mismatch(w, `expected an object, got ${describe(v)}.`);
  return v;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const HAS_OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;

/** Milliseconds to add to a UTC instant to get the wall clock of `timeZone` at that instant. */
function zoneOffset(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * The UTC ISO instant of a Notion datetime. An offset (or `Z`) fixes the instant; a datetime without
 * one is a wall clock in `timeZone` (UTC when Notion gives no time zone). Undefined when unreadable.
 */
export function toInstant(value: string, timeZone: string | null = null): string | undefined {
  if (!DATE_TIME.test(value)) return undefined;
  if (HAS_OFFSET.test(value)) {
    const t = Date.parse(value);
    return Number.isNaN(t) ? undefined : new Date(t).toISOString();
  }
  const wall = Date.parse(`${value}Z`);
  if (Number.isNaN(wall)) return undefined;
  if (timeZone === null) return new Date(wall).toISOString();
  try {
    let t = wall - zoneOffset(wall, timeZone);
    t = wall - zoneOffset(t, timeZone);
    return new Date(t).toISOString();
  } catch {
    return undefined;
  }
}

function timestamp(w: Where, v: Json | undefined, timeZone: string | null = null): string | null {
  const s = str(w, v);
  if (s === null) return null;
  const instant = toInstant(s, timeZone);
  if (instant === undefined) throw mismatch(w, `"${s}" is not a date and time.`);
  return instant;
}

function userId(v: Json | undefined): string | null {
  return isObject(v) && typeof v.id === 'string' ? v.id : null;
}

/**
 * What a user object says: id, name, e-mail and kind. The kind is `person` or `bot` (a user's `type`),
 * `group` (an object of `object: "group"`), or null for a partial user (`{object:"user", id}`), which
 * does not say.
 */
export function userFields(v: Json | undefined): { id: string | null; name: string | null; email: string | null; type: string | null } {
  if (!isObject(v)) return { id: null, name: null, email: null, type: null };
  const person = v.person;
  const type = v.object === 'group' ? 'group' : typeof v.type === 'string' ? v.type : null;
  return {
    id: typeof v.id === 'string' ? v.id : null,
    name: typeof v.name === 'string' ? v.name : null,
    email: isObject(person) && typeof person.email === 'string' ? person.email : null,
    type,
  };
}

function writeUser(row: Row, base: string, v: Json | undefined): void {
  const u = userFields(v);
  row[base] = u.id;
  row[`${base}_name`] = u.name;
  row[`${base}_email`] = u.email;
  row[`${base}_type`] = u.type;
}

function writeDate(w: Where, row: Row, base: string, v: Json | undefined): void {
  const d = obj(w, v);
  const start = str(w, d?.start);
  const end = str(w, d?.end);
  const timeZone = str(w, d?.time_zone);
  const part = (s: string | null): { instant: string | null; date: string | null } => {
    if (s === null) return { instant: null, date: null };
    if (DATE_ONLY.test(s)) return { instant: null, date: s };
    const instant = toInstant(s, timeZone);
    if (instant === undefined) throw mismatch(w, `"${s}" is not a date.`);
    return { instant, date: s.slice(0, 10) };
  };
  const a = part(start);
  const b = part(end);
  row[base] = a.date;
  row[`${base}_at`] = a.instant;
  row[`${base}_end`] = b.date;
  row[`${base}_end_at`] = b.instant;
  row[`${base}_time_zone`] = timeZone;
  const written = start ?? end;
  row[`${base}_is_datetime`] = written === null ? null : !DATE_ONLY.test(written);
}

/** Writes an already unwrapped value (`pv[pv.type]`, or a formula's result) in the property's shape. */
function writeShape(w: Where, row: Row, shape: Shape, v: Json | undefined): void {
  const base = w.prop.base;
  switch (shape) {
    case 'string':
      row[base] = str(w, v);
      return;
    case 'number':
      row[base] = num(w, v);
      return;
    case 'boolean':
      row[base] = bool(w, v);
      return;
    case 'timestamp':
      row[base] = timestamp(w, v);
      return;
    case 'date':
      writeDate(w, row, base, v);
      return;
    case 'string_list':
      row[base] = arr(w, v).map((x) => {
        if (typeof x !== 'string') throw mismatch(w, `expected a list of strings, got ${describe(x)} in it.`);
        return x;
      });
      return;
    case 'json_list':
      row[base] = arr(w, v).filter((x) => x !== null);
      return;
    case 'json':
      if (v !== undefined && v !== null) row[base] = v;
      return;
    case 'none':
      return;
    default:
      throw new Error(`internal: shape ${shape} needs a type-specific writer`);
  }
}

/** One element of a "show original" rollup: its type, its plain value, and its raw JSON where no plain value exists. */
export interface RollupItem extends JsonObject {
  type: string | null;
  value: string | null;
  json: string | null;
}

/**
 * The plain values of one element of a rollup array (`{type:"select", select:{name:"High",...}}` →
 * `High`), as the columns of that type hold them: text as plain text, options by name, users and pages
 * by id, numbers, booleans and times as text, a date by its start (its raw JSON too when it has an end
 * or a time zone). A list-valued element (multi_select, people, relation) gives one item per entry.
 * Types without a plain value (files, place, ...) keep the raw JSON in `json`.
 */
export function rollupItems(element: Json): RollupItem[] {
  const type = isObject(element) && typeof element.type === 'string' ? element.type : null;
  const v = type === null || !isObject(element) ? undefined : element[type];
  const item = (value: string | null, json: string | null = null): RollupItem => ({ type, value, json });
  const raw = (): RollupItem[] => [item(null, JSON.stringify(element))];
  const list = (pick: (x: Json) => string | null): RollupItem[] => (Array.isArray(v) ? v.map((x) => item(pick(x))) : raw());
  const field = (x: Json | undefined, key: string): string | null => (isObject(x) && typeof x[key] === 'string' ? (x[key] as string) : null);
  if (v === null) return [item(null)];
  switch (type) {
    case 'title':
    case 'rich_text':
      return Array.isArray(v) ? [item(v.length === 0 ? null : plainText(v))] : raw();
    case 'select':
    case 'status':
      return [item(field(v, 'name'))];
    case 'multi_select':
      return list((x) => field(x, 'name'));
    case 'people':
    case 'relation':
      return list((x) => field(x, 'id'));
    case 'created_by':
    case 'last_edited_by':
      return [item(field(v, 'id'))];
    case 'number':
    case 'checkbox':
    case 'url':
    case 'email':
    case 'phone_number':
    case 'created_time':
    case 'last_edited_time':
      return typeof v === 'object' ? raw() : [item(String(v))];
    case 'unique_id': {
      const n = isObject(v) && typeof v.number === 'number' ? v.number : null;
      const prefix = field(v, 'prefix');
      return [item(n === null ? null : prefix ? `${prefix}-${n}` : String(n))];
    }
    case 'date':
      return [item(field(v, 'start'), isObject(v) && (v.end != null || v.time_zone != null) ? JSON.stringify(v) : null)];
    case 'formula': {
      const inner = isObject(v) && typeof v.type === 'string' ? v[v.type] : undefined;
      if (inner === undefined || inner === null) return [item(null)];
      if (typeof inner !== 'object') return [item(String(inner))];
      return rollupItems({ type: String((v as JsonObject).type), [String((v as JsonObject).type)]: inner });
    }
    default:
      return raw();
  }
}

/** Writes a formula or rollup value `{type, <type>: value}`, deciding the column type on first sight. */
function writeResult(w: Where, row: Row, v: Json | undefined): void {
  const { spec, prop } = w;
  const result = obj(w, v);
  const type = typeof result?.type === 'string' ? result.type : undefined;
  const inner = type === undefined ? null : result?.[type];
  if (type === 'incomplete' || type === 'unsupported') {
    warnOnce(spec, `result:${prop.id}:${type}`, `Table "${spec.table}": ${prop.type} "${prop.name}" reported "${type}" on page ${w.pageId}; stored as null.`);
    if (prop.shape !== undefined) writeShape(w, row, prop.shape, null);
    return;
  }
  const empty = inner === undefined || inner === null;
  if (prop.shape === undefined) {
    // Notion names the result type even when the value is empty (`{type:"date", date:null}`): it decides.
    if (type === undefined) return; // nothing decides yet
    if (spec.frozen) throw new Error('internal: a frozen table has an undecided column');
    prop.shape = RESULT_SHAPES[type] ?? 'json';
    prop.resultType = type;
    prop.columns = columnsOf(prop);
    spec.version++;
    if (RESULT_SHAPES[type] === undefined) {
      warnOnce(spec, `result-type:${prop.id}`, `Table "${spec.table}": ${prop.type} "${prop.name}" returns "${type}" values, which notion-stream does not know; kept as JSON in column "${prop.base}".`);
    }
  } else if (!empty && type !== prop.resultType) {
    throw mismatch(
      w,
      `the ${prop.type} returned a ${type} value, but the column holds ${prop.resultType} values (decided by the first value). ` +
        `notion-stream does not convert between types; make the ${prop.type} return one type (for example with format()).`,
    );
  }
  if (prop.resultType === 'array') {
    row[prop.base] = arr(w, inner).flatMap((x) => (x === null ? [] : rollupItems(x)));
    return;
  }
  writeShape(w, row, prop.shape, empty ? null : inner);
}

function writeProperty(w: Where, row: Row, pv: PropertyValue): void {
  const { prop } = w;
  if (pv.type !== prop.type && prop.inSchema && prop.shape !== 'json') {
    throw mismatch(w, `the page has a ${pv.type} value, but the schema says ${prop.type}.`);
  }
  const v = pv[pv.type];
  const base = prop.base;
  switch (prop.shape === 'json' ? 'json' : prop.type) {
    case 'json':
      writeShape(w, row, 'json', v);
      return;
    case 'title':
    case 'rich_text': {
      const items = arr(w, v);
      row[base] = items.length === 0 ? null : plainText(items);
      return;
    }
    case 'select':
    case 'status': {
      const option = obj(w, v);
      row[base] = str(w, option?.name);
      row[`${base}_id`] = str(w, option?.id);
      return;
    }
    case 'multi_select':
      row[base] = arr(w, v).map((o) => {
        const option = obj(w, o);
        return { id: str(w, option?.id), name: str(w, option?.name) };
      });
      return;
    case 'people':
      row[base] = arr(w, v).map((u) => {
        const user = obj(w, u);
        return { ...userFields(user ?? undefined), id: str(w, user?.id) };
      });
      return;
    case 'files':
      row[base] = arr(w, v).map((f) => {
        const file = obj(w, f);
        const type = typeof file?.type === 'string' ? file.type : null;
        const target = type === null ? undefined : file?.[type];
        return {
          name: str(w, file?.name),
          type,
          url: isObject(target) && typeof target.url === 'string' ? target.url : null,
          expiry_time: isObject(target) && typeof target.expiry_time === 'string' ? target.expiry_time : null,
        };
      });
      return;
    case 'relation':
      row[base] = arr(w, v).map((r) => {
        const id = str(w, obj(w, r)?.id);
        if (id === null) throw mismatch(w, 'a relation item has no id.');
        return id;
      });
      return;
    case 'created_by':
    case 'last_edited_by':
      writeUser(row, base, v);
      return;
    case 'formula':
    case 'rollup':
      writeResult(w, row, v);
      return;
    case 'unique_id': {
      const u = obj(w, v);
      const n = num(w, u?.number);
      const prefix = str(w, u?.prefix);
      row[base] = n === null ? null : prefix ? `${prefix}-${n}` : String(n);
      row[`${base}_number`] = n;
      return;
    }
    case 'verification': {
      const x = obj(w, v);
      row[`${base}_state`] = str(w, x?.state);
      writeUser(row, `${base}_verified_by`, x?.verified_by);
      writeDate(w, row, `${base}_date`, x?.date);
      return;
    }
    case 'place': {
      const x = obj(w, v);
      row[`${base}_lat`] = num(w, x?.lat);
      row[`${base}_lon`] = num(w, x?.lon);
      row[`${base}_name`] = str(w, x?.name);
      row[`${base}_address`] = str(w, x?.address);
      row[`${base}_google_place_id`] = str(w, x?.google_place_id);
      row[`${base}_aws_place_id`] = str(w, x?.aws_place_id);
      return;
    }
    default:
      writeShape(w, row, prop.shape ?? 'json', v);
  }
}

/** Adds a column for a property a page has but the data source schema lacks (raw JSON). */
function addUnknownProperty(spec: TableSpec, name: string, pv: PropertyValue): PropertyColumns {
  const id = typeof pv.id === 'string' ? pv.id : `name:${name}`;
  const base = spec.namer.claim({ id, name });
  const entry: PropertyColumns = { id, name, type: pv.type, base, shape: 'json', inSchema: false, columns: [] };
  entry.columns = columnsOf(entry);
  spec.properties.push(entry);
  spec.byId.set(normalizePropertyId(id), entry);
  spec.version++;
  warnOnce(
    spec,
    `extra:${id}`,
    `Table "${spec.table}": pages have property "${name}" (${pv.type}), which the data source schema lacks; its raw value is kept as JSON in column "${base}".`,
  );
  return entry;
}

/**
 * The flat record of a page: system columns, then each property's columns. May decide a formula's
 * type or add a column for a property missing from the schema (both bump `spec.version`).
 */
export function flattenPage(spec: TableSpec, page: NotionPage): Record<string, Json> {
  const row: Row = {};
  const system = (column: string): Where => ({
    spec,
    prop: { id: column, name: column, type: 'page', base: column, shape: 'timestamp', inSchema: true, columns: [] },
    pageId: page.id,
  });
  row.id = page.id;
  row.url = typeof page.url === 'string' ? page.url : null;
  row.created_time = timestamp(system('created_time'), page.created_time);
  row.last_edited_time = timestamp(system('last_edited_time'), page.last_edited_time);
  row.created_by = userId(page.created_by as Json | undefined);
  row.last_edited_by = userId(page.last_edited_by as Json | undefined);
  row.in_trash = typeof page.in_trash === 'boolean' ? page.in_trash : typeof page.archived === 'boolean' ? page.archived : null;
  const parent = page.parent;
  row.data_source_id = isObject(parent) && typeof parent.data_source_id === 'string' ? parent.data_source_id : spec.dataSourceId;

  const values = new Map<PropertyColumns, PropertyValue>();
  for (const [name, pv] of Object.entries(page.properties ?? {})) {
    if (!isObject(pv as Json) || typeof pv.type !== 'string') continue;
    const prop = (typeof pv.id === 'string' ? spec.byId.get(normalizePropertyId(pv.id)) : undefined) ?? spec.byId.get(normalizePropertyId(`name:${name}`)) ?? addUnknownProperty(spec, name, pv);
    values.set(prop, pv);
  }
  for (const prop of spec.properties) {
    // Typed columns are always present (null when empty); JSON columns only when they hold a value.
    for (const c of prop.columns) if (c.type.kind !== 'JSON') row[c.name] = c.type.kind === 'LIST' ? [] : null;
    const pv = values.get(prop);
    if (pv !== undefined) writeProperty({ spec, prop, pageId: page.id }, row, pv);
  }
  return row;
}
