/**
 * The column model of the flattener: how each property type is laid out (its `Shape`), the column
 * suffixes and types of every shape, the system columns, and the JSON Schema of a column.
 */
import type { Json, JsonObject, SchemaProperty } from '../../notion/types.js';
import { columnSchema, type ColumnSchema, type ColumnType } from '../../singer/messages.js';

/** One column of a table: its name, warehouse type and description. */
export interface Column {
  name: string;
  type: ColumnType;
  /** The original Notion property name (or what a system column holds). */
  description: string;
  /** For a LIST of objects with known fields: the fields (all STRING), given as `items.properties`. */
  fields?: readonly string[];
}

/** The scalar column types. */
export const T = {
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
export const RESULT_SHAPES: Record<string, Shape> = { string: 'string', number: 'number', boolean: 'boolean', date: 'date', array: 'json_list' };

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

/** Suffixes to reserve for a property's names: the union of what it may ever write. */
export function nameSuffixes(shape: Shape | undefined): string[] {
  return (shape === undefined ? DATE_PARTS : PARTS[shape]).map(([s]) => s);
}

/** The columns a property writes in its shape (none while its shape is undecided). */
export function columnsOf(p: Pick<PropertyColumns, 'base' | 'name' | 'shape' | 'type'>): Column[] {
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

/** True for a JSON object (not null, not an array). */
export function isObject(v: Json | undefined): v is JsonObject {
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
