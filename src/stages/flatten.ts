/**
 * Stage 3, the property flattener: what `notion-stream pages` prints (a data source object, then its
 * pages, then the next data source ...) in, Singer messages out: for each data source one SCHEMA,
 * then one RECORD per page (stream = table name).
 *
 * Formula columns (and rollups of unknown functions) are typed by their first non-null value, so a
 * table's SCHEMA waits until every such column has a value or `decideWithin` pages have been read;
 * those pages wait as records (bounded memory). Columns still open then become STRING.
 * A page that carries a property the schema lacks adds a JSON column; if that happens after the
 * SCHEMA went out, an extended SCHEMA (same columns plus the new one) is sent before that record.
 */
import type { Duplex } from 'node:stream';
import { deletionRecord, flattenPage, freezeSpec, schemaMessage, tableSpec, undecidedProperties, type FlattenOptions, type TableSpec } from '../core/flatten.js';
import { compactId, shortHash } from '../core/names.js';
import { NotionStreamError } from '../errors.js';
import type { JsonObject, NotionDataSource } from '../notion/types.js';
import type { RecordMessage, SchemaMessage, SingerMessage } from '../singer/messages.js';
import { throwIfAborted } from '../util/abort.js';
import type { PageStreamItem } from './read-pages.js';
import { toDuplex } from './stage.js';

export const DEFAULT_DECIDE_WITHIN = 1000;

/** Incremental runs: per data source, how it was loaded before and how this run loads it. */
export interface DataSourcePlan {
  /** See `FlattenOptions.layout`. */
  layout?: FlattenOptions['layout'];
  /** Written as the SCHEMA's `load_mode`: `replace` when the stream carries the whole table. */
  loadMode?: SchemaMessage['load_mode'];
  /** The table it loaded into before (kept when the title changes; `--table` still wins). */
  table?: string;
}

/**
 * Options of `flattenStream` and `createFlattener`: the `FlattenOptions` of the core (table names,
 * warnings, deletions) plus the stage's own; every field is optional.
 */
export interface FlattenStreamOptions extends Omit<FlattenOptions, 'layout'> {
  /** Stops the stage; it rejects with code `aborted`. */
  signal?: AbortSignal;
  /** Pages read (and held as records) at most before a table's SCHEMA is written. Default 1000. */
  decideWithin?: number;
  /** Incremental runs: the plan of each data source, asked when its object arrives. */
  plan?: (dataSource: NotionDataSource) => DataSourcePlan;
  /** Told each table's spec when its data source arrives (it is final once the stream ends). */
  onTable?: (spec: TableSpec, dataSource: NotionDataSource) => void;
}

function describeItem(item: unknown): string {
  if (item === null || typeof item !== 'object') return JSON.stringify(item) ?? String(item);
  const o = item as JsonObject;
  return typeof o.object === 'string' ? `a "${o.object}" object` : 'an object without "object"';
}

/**
 * Flattens a `pages` stream into Singer messages: per table one SCHEMA, then its RECORDs.
 * Rejects with `NotionStreamError` `invalid_message` for input out of order (a page before any data
 * source object, a data source twice, an item that is no data source, page or page deletion), with a
 * `FlattenError` for a value that does not fit its column (see `flattenPage`), or `aborted`.
 */
export async function* flattenStream(
  items: AsyncIterable<PageStreamItem> | Iterable<PageStreamItem>,
  options: FlattenStreamOptions = {},
): AsyncGenerator<SingerMessage> {
  const decideWithin = Math.max(1, options.decideWithin ?? DEFAULT_DECIDE_WITHIN);
  const onWarning = options.onWarning ?? (() => {});
  const tables = new Set<string>();
  const dataSources = new Set<string>();
  let spec: TableSpec | undefined;
  let held: RecordMessage[] = [];
  let sentVersion = -1; // spec.version of the last SCHEMA sent; -1: none yet
  let loadMode: SchemaMessage['load_mode'];
  const schemaOf = (s: TableSpec): SchemaMessage => (loadMode ? { ...schemaMessage(s), load_mode: loadMode } : schemaMessage(s));

  function* release(): Generator<SingerMessage> {
    if (spec === undefined) return;
    freezeSpec(spec);
    sentVersion = spec.version;
    yield schemaOf(spec);
    const records = held;
    held = [];
    yield* records;
  }

  for await (const item of items) {
    throwIfAborted(options.signal);
    if (item?.object === 'data_source') {
      if (sentVersion < 0) yield* release();
      const id = compactId(item.id);
      if (dataSources.has(id)) throw new NotionStreamError('invalid_message', `Data source ${item.id} appears twice in the flattener's input; each data source must come once, followed by its pages.`, false);
      dataSources.add(id);
      const plan = options.plan?.(item) ?? {};
      const specOptions: FlattenOptions = { ...options, layout: plan.layout, tableNames: plan.table ? { [item.id]: plan.table, ...options.tableNames } : options.tableNames };
      let next = tableSpec(item, specOptions);
      if (tables.has(next.table.toLowerCase())) {
        const unique = `${next.table}_${shortHash(id)}`;
        onWarning(`Data sources share the table name "${next.table}"; data source ${item.id} goes to "${unique}" (set another with --table ${item.id}=<name>).`);
        next = tableSpec(item, { ...specOptions, tableNames: { [item.id]: unique } });
      }
      tables.add(next.table.toLowerCase());
      spec = next;
      loadMode = plan.loadMode;
      sentVersion = -1;
      options.onTable?.(spec, item);
      continue;
    }
    if (item?.object === 'page_deletion') {
      if (spec === undefined || !spec.deletions) {
        throw new NotionStreamError('invalid_message', `A page deletion (${item.id}) came ${spec === undefined ? 'before any data source object' : `for table "${spec.table}", which has no ${'_deleted_at'} column`}; deletions belong to incremental runs.`, false);
      }
      const record: RecordMessage = { type: 'RECORD', stream: spec.table, record: deletionRecord(item.id, item.deleted_time) };
      if (sentVersion < 0) held.push(record);
      else yield record;
      continue;
    }
    if (item?.object !== 'page') {
      throw new NotionStreamError('invalid_message', `The flattener reads what "notion-stream pages" prints (data source and page objects) but got ${describeItem(item)}.`, false);
    }
    if (spec === undefined) {
      throw new NotionStreamError('invalid_message', `Page ${item.id} comes before any data source object; the flattener reads what "notion-stream pages" prints.`, false);
    }
    const record: RecordMessage = { type: 'RECORD', stream: spec.table, record: flattenPage(spec, item) };
    if (sentVersion < 0) {
      held.push(record);
      if (held.length >= decideWithin || undecidedProperties(spec).length === 0) yield* release();
      continue;
    }
    if (spec.version !== sentVersion) {
      sentVersion = spec.version;
      yield schemaOf(spec);
    }
    yield record;
  }
  if (sentVersion < 0) yield* release();
}

/** The flattener as a Duplex in object mode: `pages` items in, Singer messages out. */
export function createFlattener(options: FlattenStreamOptions = {}): Duplex {
  return toDuplex((input: AsyncIterable<PageStreamItem>) => flattenStream(input, options));
}
