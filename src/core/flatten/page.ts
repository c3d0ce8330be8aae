/** A page as one flat record: system columns, then each property's columns. */
import type { Json, NotionPage, PropertyValue } from '../../notion/types.js';
import { normalizePropertyId } from '../names.js';
import type { Row, Where } from './checks.js';
import { columnsOf, isObject, type PropertyColumns } from './columns.js';
import { timestamp } from './dates.js';
import { warnOnce, type TableSpec } from './table.js';
import { userId } from './users.js';
import { writeProperty } from './values.js';

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
 * Throws `FlattenError` (a `NotionStreamError` of code `invalid_value`, naming table, column and page)
 * for a value that does not fit its column: a formula or rollup changing result type, a value of another
 * type than the schema says, an unreadable date.
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
