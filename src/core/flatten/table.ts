/**
 * A data source as a table (`TableSpec`): its name, the columns of every schema property (names kept
 * across runs by property id), formula and rollup types decided late, the layout the state keeps, and
 * the Singer SCHEMA message.
 */
import { plainText, type NotionDataSource } from '../../notion/types.js';
import type { SchemaMessage, TableSchema } from '../../singer/messages.js';
import type { PropertyLayout } from '../../state/state.js';
import { ColumnNamer, normalizePropertyId, tableName } from '../names.js';
import { columnJsonSchema, columnsOf, nameSuffixes, schemaShape, SYSTEM_COLUMNS, T, type Column, type PropertyColumns, type Shape } from './columns.js';
import { DELETED_AT } from './deletion.js';

/** Options of `tableSpec` (and the flatten stage); every field is optional. */
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

/** Tells `spec.onWarning` the message once per `key`. */
export function warnOnce(spec: TableSpec, key: string, message: string): void {
  if (spec.warned.has(key)) return;
  spec.warned.add(key);
  spec.onWarning(message);
}

/**
 * Builds the table of a data source: its name, and a column set for every schema property.
 * Never throws: an unknown property type is kept as JSON (told to `options.onWarning`).
 */
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
