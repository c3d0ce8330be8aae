/**
 * Table schemas: BigQuery's naming and typing rules, normalization to the legacy type names the API
 * returns, schema evolution rules (field addition, relaxation), and the mapping to DuckDB types.
 */
import { DuckDBTypeId, type DuckDBType } from '@duckdb/node-api';
import { invalid, unsupported } from './errors.js';
import { ident } from './duck.js';
import type { BqType, Field, SchemaFieldInfo } from './types.js';

const TYPES: Record<string, BqType> = {
  STRING: 'STRING',
  BYTES: 'BYTES',
  INTEGER: 'INTEGER',
  INT64: 'INTEGER',
  FLOAT: 'FLOAT',
  FLOAT64: 'FLOAT',
  NUMERIC: 'NUMERIC',
  DECIMAL: 'NUMERIC',
  BOOLEAN: 'BOOLEAN',
  BOOL: 'BOOLEAN',
  TIMESTAMP: 'TIMESTAMP',
  DATE: 'DATE',
  DATETIME: 'DATETIME',
  TIME: 'TIME',
  JSON: 'JSON',
  RECORD: 'RECORD',
  STRUCT: 'RECORD',
};
const KNOWN_UNSUPPORTED = new Set(['BIGNUMERIC', 'BIGDECIMAL', 'GEOGRAPHY', 'RANGE', 'INTERVAL']);
const MODES = new Set(['NULLABLE', 'REQUIRED', 'REPEATED']);
const RESERVED_PREFIXES = [
  '_TABLE_',
  '_FILE_',
  '_PARTITION',
  '_ROW_TIMESTAMP',
  '__ROOT__',
  '_COLIDENTIFIER',
  '_CHANGE_SEQUENCE_NUMBER',
  '_CHANGE_TYPE',
  '_CHANGE_TIMESTAMP',
];
export const MAX_COLUMNS = 10_000;
const MAX_DEPTH = 15;

export const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function validateFieldName(name: string): void {
  if (!FIELD_NAME.test(name) || name.length > 300) {
    throw invalid(
      `Invalid field name "${name}". Fields must contain only letters, numbers, and underscores, start with a letter or underscore, and be at most 300 characters long.`,
    );
  }
  const upper = name.toUpperCase();
  if (RESERVED_PREFIXES.some((p) => upper.startsWith(p))) {
    throw invalid(
      `Invalid field name "${name}". Field names are not allowed to start with the (case-insensitive) prefixes ${RESERVED_PREFIXES.join(', ')}`,
    );
  }
}

/** Validates a schema as sent in a request (`schema.fields`) and normalizes it. */
export function parseSchema(raw: unknown, tableName: string): Field[] {
  if (raw === undefined || raw === null) return [];
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalid('Invalid value for schema: expected an object with fields');
  const fields = (raw as { fields?: unknown }).fields;
  if (fields === undefined) return [];
  const parsed = parseFields(fields, tableName, 1);
  const total = countColumns(parsed);
  if (total > MAX_COLUMNS) throw invalid(`Too many total leaf fields: ${total}, max allowed field count: ${MAX_COLUMNS}`);
  return parsed;
}

function parseFields(raw: unknown, tableName: string, depth: number): Field[] {
  if (!Array.isArray(raw)) throw invalid('Invalid value for schema.fields: expected an array');
  if (depth > MAX_DEPTH) throw invalid(`Field nesting depth exceeds the maximum of ${MAX_DEPTH}`);
  const seen = new Map<string, string>();
  return raw.map((f: unknown) => {
    if (typeof f !== 'object' || f === null || Array.isArray(f)) throw invalid('Invalid schema field: expected an object');
    const o = f as Record<string, unknown>;
    if (typeof o.name !== 'string' || o.name === '') throw invalid('Schema field is missing a name');
    const name = o.name;
    validateFieldName(name);
    const prior = seen.get(name.toLowerCase());
    if (prior !== undefined) throw invalid(`Duplicate(Case Insensitive) field names: ${prior} and ${name}. Table: ${tableName}`);
    seen.set(name.toLowerCase(), name);
    if (typeof o.type !== 'string') throw invalid(`Field ${name} has no type`);
    const typeName = o.type.toUpperCase();
    if (KNOWN_UNSUPPORTED.has(typeName)) throw unsupported(`Field type ${typeName}`);
    const type = TYPES[typeName];
    if (!type) throw invalid(`Invalid value for type: ${o.type} is not a valid value`);
    const modeRaw = o.mode === undefined || o.mode === null ? 'NULLABLE' : String(o.mode).toUpperCase();
    if (!MODES.has(modeRaw)) throw invalid(`Invalid value for mode: ${String(o.mode)} is not a valid value`);
    const field: Field = { name, type, mode: modeRaw as Field['mode'] };
    if (o.description !== undefined && o.description !== null) {
      if (typeof o.description !== 'string') throw invalid(`Invalid description for field ${name}`);
      if (o.description.length > 1024) throw invalid(`Field ${name}: description is too long, at most 1024 characters are allowed`);
      field.description = o.description;
    }
    if (type === 'RECORD') {
      if (!Array.isArray(o.fields) || o.fields.length === 0) throw invalid(`Field ${name} is type RECORD but has no schema`);
      field.fields = parseFields(o.fields, tableName, depth + 1);
    } else if (Array.isArray(o.fields) && o.fields.length > 0) {
      throw invalid(`Field ${name} is type ${type} but has nested fields; only RECORD fields may have subfields`);
    }
    return field;
  });
}

export function countColumns(fields: readonly Field[]): number {
  return fields.reduce((n, f) => n + 1 + (f.fields ? countColumns(f.fields) : 0), 0);
}

export function toPublicSchema(fields: readonly Field[]): SchemaFieldInfo[] {
  return fields.map((f) => ({
    name: f.name,
    type: f.type,
    mode: f.mode,
    ...(f.description !== undefined ? { description: f.description } : {}),
    ...(f.fields ? { fields: toPublicSchema(f.fields) } : {}),
  }));
}

export interface EvolveOptions {
  allowAddition: boolean;
  allowRelaxation: boolean;
  /** `project:dataset.table`, for messages. */
  table: string;
  /** tables.patch: descriptions come from the new schema. */
  takeDescriptions?: boolean;
}

/**
 * The schema a table gets when `incoming` is applied to `existing` (an append with schema, or a patch):
 * every existing field must still be there with its type; fields may be added (NULLABLE/REPEATED) and
 * REQUIRED relaxed to NULLABLE only when allowed.
 */
export function evolveSchema(existing: readonly Field[], incoming: readonly Field[], opts: EvolveOptions, prefix = ''): Field[] {
  const mismatch = (detail: string) => invalid(`Provided Schema does not match Table ${opts.table}. ${detail}`);
  const byName = new Map(incoming.map((f) => [f.name.toLowerCase(), f]));
  const out: Field[] = [];
  for (const old of existing) {
    const path = prefix + old.name;
    const next = byName.get(old.name.toLowerCase());
    if (!next) throw mismatch(`Field ${path} is missing in new schema`);
    byName.delete(old.name.toLowerCase());
    if (next.type !== old.type) throw mismatch(`Field ${path} has changed type from ${old.type} to ${next.type}`);
    let mode = old.mode;
    if (next.mode !== old.mode) {
      if (old.mode === 'REQUIRED' && next.mode === 'NULLABLE' && opts.allowRelaxation) mode = 'NULLABLE';
      else throw mismatch(`Field ${path} has changed mode from ${old.mode} to ${next.mode}`);
    }
    const field: Field = { name: old.name, type: old.type, mode };
    const description = opts.takeDescriptions ? next.description : old.description ?? next.description;
    if (description !== undefined) field.description = description;
    if (old.type === 'RECORD') field.fields = evolveSchema(old.fields ?? [], next.fields ?? [], opts, `${path}.`);
    out.push(field);
  }
  for (const added of byName.values()) {
    const path = prefix + added.name;
    if (!opts.allowAddition) throw mismatch(`Cannot add fields (field: ${path})`);
    if (added.mode === 'REQUIRED') throw mismatch(`Cannot add required fields to an existing schema. (field: ${path})`);
    out.push(added);
  }
  return out;
}

export function sameSchema(a: readonly Field[], b: readonly Field[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((f, i) => {
    const g = b[i]!;
    return f.name.toLowerCase() === g.name.toLowerCase() && f.type === g.type && f.mode === g.mode && sameSchema(f.fields ?? [], g.fields ?? []);
  });
}

/** The DuckDB type of one field's values (without its mode's NOT NULL). */
export function duckType(f: Field): string {
  const base = duckScalarType(f);
  return f.mode === 'REPEATED' ? `${base}[]` : base;
}

function duckScalarType(f: Field): string {
  switch (f.type) {
    case 'STRING':
      return 'VARCHAR';
    case 'BYTES':
      return 'BLOB';
    case 'INTEGER':
      return 'BIGINT';
    case 'FLOAT':
      return 'DOUBLE';
    case 'NUMERIC':
      return 'DECIMAL(38,9)';
    case 'BOOLEAN':
      return 'BOOLEAN';
    case 'TIMESTAMP':
      return 'TIMESTAMPTZ';
    case 'DATE':
      return 'DATE';
    case 'DATETIME':
      return 'TIMESTAMP';
    case 'TIME':
      return 'TIME';
    case 'JSON':
      return 'JSON';
    case 'RECORD':
      return `STRUCT(${(f.fields ?? []).map((c) => `${ident(c.name)} ${duckType(c)}`).join(', ')})`;
  }
}

export function columnsDdl(fields: readonly Field[]): string {
  return fields.map((f) => `${ident(f.name)} ${duckType(f)}${f.mode === 'REQUIRED' ? ' NOT NULL' : ''}`).join(', ');
}

/** The BigQuery field a DuckDB column (a query result or a table made by SQL DDL) maps to. */
export function fieldFromDuck(name: string, t: DuckDBType, nullable = true): Field {
  if (t.typeId === DuckDBTypeId.LIST || t.typeId === DuckDBTypeId.ARRAY) {
    const child = fieldFromDuck(name, t.valueType);
    if (child.mode === 'REPEATED') throw invalid(`Cannot have an array of arrays (column ${name})`);
    return { ...child, mode: 'REPEATED' };
  }
  const mode = nullable ? 'NULLABLE' : 'REQUIRED';
  if (t.typeId === DuckDBTypeId.STRUCT) {
    return { name, type: 'RECORD', mode, fields: t.entryNames.map((n, i) => fieldFromDuck(n, t.entryTypes[i]!)) };
  }
  return { name, type: bqTypeOfDuck(t, name), mode };
}

function bqTypeOfDuck(t: DuckDBType, name: string): BqType {
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return 'BOOLEAN';
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.INTEGER_LITERAL:
    case DuckDBTypeId.SQLNULL:
      return 'INTEGER';
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return 'FLOAT';
    case DuckDBTypeId.DECIMAL:
      return 'NUMERIC';
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.STRING_LITERAL:
      return t.alias?.toUpperCase() === 'JSON' ? 'JSON' : 'STRING';
    case DuckDBTypeId.UUID:
    case DuckDBTypeId.ENUM:
      return 'STRING';
    case DuckDBTypeId.BLOB:
      return 'BYTES';
    case DuckDBTypeId.TIMESTAMP_TZ:
      return 'TIMESTAMP';
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return 'DATETIME';
    case DuckDBTypeId.DATE:
      return 'DATE';
    case DuckDBTypeId.TIME:
      return 'TIME';
    default:
      throw unsupported(`A result column of DuckDB type ${t.toString()} (column ${name})`);
  }
}
