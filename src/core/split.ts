/**
 * The child-table splitter, pure core: list-valued columns become child tables, so every table is flat
 * (what CSV needs, and what keeps warehouse tables easy to join).
 *
 * A LIST column `tags` of table `tasks` (`{type:["null","array"], items:{...}}`) becomes table
 * `tasks__tags`, one row per element:
 *   _parent_id  the parent row's `id` (or its only key property when it has no `id` column)
 *   _idx        the element's 0-based position in the list (INTEGER)
 *   ...         the element's fields. Items that are objects with known fields
 *               (`items: {type:["null","object"], properties:{id:..., name:...}}`) give one column per
 *               field; any other item (a scalar, or JSON without known fields) gives one column `value`
 *               of the item type.
 * The child SCHEMA has `key_properties: ["_parent_id","_idx"]`, and its parent link explicit:
 * `parent: {stream: "tasks", key: "id", column: "_parent_id", kind: "list"}` (see `ParentLink`); its
 * descriptions name the parent column.
 * The parent table loses the list column. A null or missing list gives no child rows; a null element
 * gives a row whose fields are null, so positions stay contiguous.
 *
 * Order: each child SCHEMA follows its parent SCHEMA, each child RECORD follows its parent RECORD.
 * A parent's `load_mode` goes to its children. STATE passes through. In `inline` mode every message passes through untouched.
 *
 * Object items with known fields use `properties` on the items schema, as JSON Schema does; `columnType`
 * still reads such a list as LIST of JSON, which is what `--arrays inline` loads.
 */
import { childTableName, INDEX, PARENT_ID } from './names.js';
import { NotionStreamError } from '../errors.js';
import { columnSchema, type ColumnSchema, type RecordMessage, type SchemaMessage, type SingerMessage } from '../singer/messages.js';

export type ArraysMode = 'split' | 'inline';

export interface SplitOptions {
  /** `split` (default): list columns become child tables. `inline`: lists stay in their column. */
  arrays?: ArraysMode;
}

export interface NormalizedSplitOptions {
  arrays: ArraysMode;
}

export function normalizeSplitOptions(options: SplitOptions = {}): NormalizedSplitOptions {
  const arrays = options.arrays ?? 'split';
  if (arrays !== 'split' && arrays !== 'inline') {
    throw new NotionStreamError('invalid_option', `Unknown arrays mode "${String(arrays)}": use "split" or "inline".`, false);
  }
  return { arrays };
}

/** How one list column of a table is split out. */
export interface ChildTable {
  /** The list column in the parent table. */
  column: string;
  /** The child table name: `<table>__<column>`. */
  table: string;
  /** The element's fields as child columns, or undefined when each element is one `value`. */
  fields: string[] | undefined;
  schema: SchemaMessage;
}

/** A table's split: its SCHEMA without list columns, and one child table per list column. */
export interface SplitPlan {
  stream: string;
  parent: SchemaMessage;
  /** The parent column whose value is `_parent_id`. */
  parentKey: string | undefined;
  children: ChildTable[];
}

export { PARENT_ID, INDEX, childTableName };

function typeList(schema: ColumnSchema): string[] {
  return Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
}

/** True for a column whose values are lists (and not marked as raw JSON). */
export function isListColumn(schema: ColumnSchema): boolean {
  if (schema['x-json']) return false;
  const types = typeList(schema).filter((t) => t !== 'null');
  return types.length === 1 && types[0] === 'array';
}

/** The known fields of an object item schema, or undefined when items are not objects with fields. */
function objectFields(items: ColumnSchema | undefined): Record<string, ColumnSchema> | undefined {
  if (!items || items['x-json']) return undefined;
  const types = typeList(items).filter((t) => t !== 'null');
  if (types.length !== 1 || types[0] !== 'object') return undefined;
  const props = items.properties;
  if (typeof props !== 'object' || props === null || Array.isArray(props) || Object.keys(props).length === 0) return undefined;
  return props as Record<string, ColumnSchema>;
}

/** Plans the split of one SCHEMA message. */
export function splitSchema(message: SchemaMessage): SplitPlan {
  const { stream, schema } = message;
  const listColumns = Object.entries(schema.properties).filter(([, col]) => isListColumn(col));
  if (listColumns.length === 0) return { stream, parent: message, parentKey: undefined, children: [] };

  const parentKey = 'id' in schema.properties ? 'id' : message.key_properties.length === 1 ? message.key_properties[0] : undefined;
  if (parentKey === undefined || !(parentKey in schema.properties)) {
    throw new NotionStreamError(
      'invalid_schema',
      `Table "${stream}" has list columns (${listColumns.map(([c]) => `"${c}"`).join(', ')}) but no "id" column or single key property to link child rows to. Use --arrays inline to keep lists in their columns.`,
      false,
    );
  }
  const tableName = schema.description ?? stream;
  const idSchema = schema.properties[parentKey]!;
  const children = listColumns.map(([column, col]): ChildTable => {
    const table = childTableName(stream, column);
    const original = col.description ?? column;
    const fields = objectFields(col.items);
    const properties: Record<string, ColumnSchema> = {
      [PARENT_ID]: { ...idSchema, description: `"${parentKey}" of the row of ${tableName} that holds this ${original} element` },
      [INDEX]: { type: ['null', 'integer'], description: `Position of the element in ${original}, from 0` },
    };
    if (fields) {
      for (const [field, fieldSchema] of Object.entries(fields)) {
        if (field === PARENT_ID || field === INDEX) {
          throw new NotionStreamError('invalid_schema', `List column "${column}" of table "${stream}" has an element field named "${field}", which the child table ${table} uses itself. Rename the field, or use --arrays inline.`, false);
        }
        properties[field] = { ...fieldSchema, description: `${original}: ${fieldSchema.description ?? field}` };
      }
    } else {
      const items: ColumnSchema = col.items ?? columnSchema({ kind: 'JSON' });
      properties.value = { ...items, description: `${original}: element value` };
    }
    return {
      column,
      table,
      fields: fields ? Object.keys(fields) : undefined,
      schema: {
        type: 'SCHEMA',
        stream: table,
        schema: { type: 'object', properties, description: `${original} of ${tableName}, one row per element (list column "${column}" of table "${stream}")` },
        key_properties: [PARENT_ID, INDEX],
        parent: { stream, key: parentKey, column: PARENT_ID, kind: 'list' },
        ...(message.load_mode ? { load_mode: message.load_mode } : {}),
      },
    };
  });
  const parentProperties = Object.fromEntries(Object.entries(schema.properties).filter(([, col]) => !isListColumn(col)));
  return { stream, parent: { ...message, schema: { ...schema, properties: parentProperties } }, parentKey, children };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Splits one RECORD by its table's plan: the parent record first, then its child records. */
export function splitRecord(plan: SplitPlan, message: RecordMessage): RecordMessage[] {
  if (plan.children.length === 0) return [message];
  const parentRecord = { ...message.record };
  const out: RecordMessage[] = [{ type: 'RECORD', stream: message.stream, record: parentRecord }];
  const parentId = plan.parentKey === undefined ? null : (message.record[plan.parentKey] ?? null);
  for (const child of plan.children) {
    const list = parentRecord[child.column];
    delete parentRecord[child.column];
    if (list === null || list === undefined) continue;
    if (!Array.isArray(list)) {
      throw new NotionStreamError('invalid_message', `Table "${plan.stream}", row ${JSON.stringify(parentId)}: column "${child.column}" should hold a list but holds ${JSON.stringify(list).slice(0, 80)}. Fix the SCHEMA's type for this column, or the record.`, false);
    }
    list.forEach((element: unknown, idx) => {
      const record: Record<string, unknown> = { [PARENT_ID]: parentId, [INDEX]: idx };
      if (child.fields) {
        if (element !== null && element !== undefined && !isPlainObject(element)) {
          throw new NotionStreamError('invalid_message', `Table "${plan.stream}", row ${JSON.stringify(parentId)}: element ${idx} of list column "${child.column}" should be an object with fields ${child.fields.join(', ')} but is ${JSON.stringify(element).slice(0, 80)}.`, false);
        }
        for (const field of child.fields) record[field] = isPlainObject(element) ? (element[field] ?? null) : null;
      } else {
        record.value = element ?? null;
      }
      out.push({ type: 'RECORD', stream: child.table, record });
    });
  }
  return out;
}

/**
 * The splitter's state across a message stream: the plan of every table seen so far. `push` maps one
 * input message to its output messages, in order.
 */
export class MessageSplitter {
  private readonly options: NormalizedSplitOptions;
  private readonly plans = new Map<string, SplitPlan>();

  constructor(options: SplitOptions = {}) {
    this.options = normalizeSplitOptions(options);
  }

  push(message: SingerMessage): SingerMessage[] {
    if (this.options.arrays === 'inline') return [message];
    switch (message.type) {
      case 'SCHEMA': {
        const plan = splitSchema(message);
        this.plans.set(message.stream, plan);
        return [plan.parent, ...plan.children.map((c) => c.schema)];
      }
      case 'RECORD': {
        const plan = this.plans.get(message.stream);
        if (!plan) {
          throw new NotionStreamError('invalid_message', `RECORD for stream "${message.stream}" comes before its SCHEMA message. Every stream needs a SCHEMA message before its first RECORD.`, false);
        }
        return splitRecord(plan, message);
      }
      default:
        return [message];
    }
  }
}
