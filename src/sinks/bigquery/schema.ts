/**
 * Singer SCHEMA → BigQuery table schema, pure.
 *
 *   TIMESTAMP → TIMESTAMP   DATE → DATE   INTEGER → INTEGER (INT64)   NUMBER → FLOAT (FLOAT64)
 *   BOOLEAN → BOOLEAN   STRING → STRING   JSON → JSON   LIST of T → T, mode REPEATED
 *   (a list of lists has no BigQuery type: it loads as one JSON column)
 * Every field is NULLABLE (or REPEATED); the column description is the original Notion name (at most
 * 1,024 characters, BigQuery's limit). Type names are the ones `tables.get` answers with, so a schema
 * read back compares field by field with one built here.
 */
import { MAX_COLUMN_NAME_LENGTH, RESERVED_PREFIXES } from '../../core/names.js';
import { NotionStreamError } from '../../errors.js';
import { columnType, type ColumnType, type SchemaMessage } from '../../singer/messages.js';

export interface BigQueryField {
  name: string;
  type: string;
  mode?: 'NULLABLE' | 'REQUIRED' | 'REPEATED';
  description?: string;
  fields?: BigQueryField[];
}

const MAX_DESCRIPTION = 1024;
const MAX_COLUMNS = 10_000;

/** The BigQuery type of a scalar warehouse type. */
function scalarType(type: ColumnType): string {
  switch (type.kind) {
    case 'TIMESTAMP':
      return 'TIMESTAMP';
    case 'DATE':
      return 'DATE';
    case 'INTEGER':
      return 'INTEGER';
    case 'NUMBER':
      return 'FLOAT';
    case 'BOOLEAN':
      return 'BOOLEAN';
    case 'STRING':
      return 'STRING';
    case 'JSON':
    case 'LIST':
      return 'JSON';
  }
}

/** The BigQuery field of one column. */
export function bigQueryField(name: string, type: ColumnType, description?: string): BigQueryField {
  const field: BigQueryField =
    type.kind === 'LIST' && type.items.kind !== 'LIST'
      ? { name, type: scalarType(type.items), mode: 'REPEATED' }
      : { name, type: scalarType(type), mode: 'NULLABLE' };
  if (description) field.description = description.length > MAX_DESCRIPTION ? `${description.slice(0, MAX_DESCRIPTION - 1)}…` : description;
  return field;
}

/** Why `name` cannot be a BigQuery column name, or undefined when it can. */
export function invalidColumnName(name: string): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return 'only letters, digits and underscores, not starting with a digit';
  if (name.length > MAX_COLUMN_NAME_LENGTH) return `at most ${MAX_COLUMN_NAME_LENGTH} characters`;
  const upper = name.toUpperCase();
  const prefix = RESERVED_PREFIXES.find((p) => upper.startsWith(p));
  if (prefix) return `the prefix ${prefix} is reserved`;
  return undefined;
}

/** Why `name` cannot be a BigQuery table id, or undefined when it can. */
export function invalidTableName(name: string): string | undefined {
  if (!/^[A-Za-z0-9_]+$/.test(name)) return 'only letters, digits and underscores';
  if (name.length > 1024) return 'at most 1,024 characters';
  return undefined;
}

/** The BigQuery schema of a Singer SCHEMA message; names that BigQuery refuses stop the run here, not in a load job. */
export function bigQuerySchema(message: SchemaMessage): BigQueryField[] {
  const tableProblem = invalidTableName(message.stream);
  if (tableProblem) {
    throw new NotionStreamError('invalid_name', `Stream "${message.stream}" cannot be a BigQuery table name (${tableProblem}). Rename it with --table, or in the Singer stream.`, false);
  }
  const entries = Object.entries(message.schema.properties);
  if (entries.length > MAX_COLUMNS) {
    throw new NotionStreamError('invalid_schema', `Table "${message.stream}" has ${entries.length} columns; BigQuery allows at most ${MAX_COLUMNS}.`, false);
  }
  const seen = new Map<string, string>();
  return entries.map(([name, column]) => {
    const problem = invalidColumnName(name);
    if (problem) throw new NotionStreamError('invalid_name', `Column "${name}" of table "${message.stream}" cannot be a BigQuery column name (${problem}).`, false);
    const folded = name.toLowerCase();
    const other = seen.get(folded);
    if (other !== undefined) {
      throw new NotionStreamError('invalid_schema', `Columns "${other}" and "${name}" of table "${message.stream}" are the same name to BigQuery, which ignores case. Rename one of them.`, false);
    }
    seen.set(folded, name);
    return bigQueryField(name, columnType(column), column.description);
  });
}

const ALIASES: Record<string, string> = { INT64: 'INTEGER', FLOAT64: 'FLOAT', BOOL: 'BOOLEAN', STRUCT: 'RECORD' };

/** A field's type and mode in one comparable word: `INTEGER`, `REPEATED STRING`. */
export function fieldKind(field: BigQueryField): string {
  const type = ALIASES[field.type.toUpperCase()] ?? field.type.toUpperCase();
  return field.mode === 'REPEATED' ? `REPEATED ${type}` : type;
}

export interface SchemaDiff {
  /** Fields of `wanted` the existing table lacks (to add as NULLABLE/REPEATED columns). */
  added: BigQueryField[];
  /** Fields whose type or mode differs: `column: EXISTING → WANTED`. */
  changed: { name: string; from: string; to: string }[];
  /** Existing fields whose description the run changes (kept type, new Notion name). */
  redescribed: string[];
  /** The existing table's fields (with the run's descriptions), plus the added ones: the schema after the run. */
  merged: BigQueryField[];
}

/** How `wanted` differs from the `existing` table schema. Columns only in `existing` are kept. */
export function diffSchema(existing: BigQueryField[], wanted: BigQueryField[]): SchemaDiff {
  const byName = new Map(existing.map((f) => [f.name.toLowerCase(), f]));
  const added: BigQueryField[] = [];
  const changed: SchemaDiff['changed'] = [];
  const redescribed = new Map<string, string>();
  for (const field of wanted) {
    const old = byName.get(field.name.toLowerCase());
    if (!old) added.push(field);
    else if (fieldKind(old) !== fieldKind(field)) changed.push({ name: field.name, from: fieldKind(old), to: fieldKind(field) });
    else if (field.description !== undefined && field.description !== old.description) redescribed.set(old.name, field.description);
  }
  // A kept column takes the run's description (a renamed Notion property keeps its column, named anew).
  const kept = existing.map((f) => (redescribed.has(f.name) ? { ...f, description: redescribed.get(f.name)! } : f));
  return { added, changed, redescribed: [...redescribed.keys()], merged: [...kept, ...added] };
}
