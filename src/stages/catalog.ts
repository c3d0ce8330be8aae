/**
 * The catalog tables, from what the run read: `notion_data_sources` and
 * `notion_data_source_properties` from the data source objects and the table specs the flattener
 * made of them (no request), and `notion_databases` from one `GET /v1/databases/{id}` per database.
 */
import type { NotionApi } from '../notion/api.js';
import type { JsonObject, NotionDataSource } from '../notion/types.js';
import type { TableSpec } from '../core/flatten.js';
import { NotionStreamError } from '../errors.js';
import { WORKSPACE_TABLES, DATABASES_SCHEMA, DATA_SOURCES_SCHEMA, PROPERTIES_SCHEMA, dataSourceRow, databaseRow, parentOf, propertyRows } from '../core/workspace-tables.js';
import type { SingerMessage } from '../singer/messages.js';
import { throwIfAborted } from '../util/abort.js';

interface Entry {
  dataSource: NotionDataSource;
  /** The table it was loaded into (null: seen but not flattened). */
  table: string | null;
  /** Property id → column base name. */
  columns: Map<string, string>;
}

/** Collects the data sources of a run and the tables they went to; give `onTable` to the flattener. */
export class CatalogCollector {
  readonly #entries = new Map<string, Entry>();

  /**
   * The flattener's `onTable` callback. The spec is final once the flattener's stream ended.
   * Throws `invalid_name` for a data source whose table would take a workspace table's name.
   */
  readonly onTable = (spec: TableSpec, dataSource: NotionDataSource): void => {
    if (WORKSPACE_TABLES.includes(spec.table)) {
      throw new NotionStreamError('invalid_name', `Data source "${spec.title}" (${dataSource.id}) would be loaded into ${spec.table}, a name notion-stream keeps for its workspace tables; name its table with --table ${dataSource.id}=<name>.`, false);
    }
    this.#entries.set(dataSource.id, { dataSource, table: spec.table, columns: new Map(spec.properties.map((p) => [p.id, p.base])) });
  };

  /** Records a data source that passed by without a table (e.g. only its pages' content was read). */
  add(dataSource: NotionDataSource): void {
    if (!this.#entries.has(dataSource.id)) this.#entries.set(dataSource.id, { dataSource, table: null, columns: new Map() });
  }

  /** The data sources recorded so far, in the order they arrived, with their table (null: none). */
  entries(): Entry[] {
    return [...this.#entries.values()];
  }
}

/**
 * The three catalog tables as Singer messages; one request per database.
 * Rejects with the `NotionApi` codes (`not_shared`, `retries_exhausted`, ...) or `aborted`.
 */
export async function* catalogTables(api: NotionApi, collector: CatalogCollector, signal?: AbortSignal): AsyncGenerator<SingerMessage> {
  const entries = collector.entries();
  const databaseIds = [...new Set(entries.map((e) => parentOf((e.dataSource as unknown as JsonObject).parent).id).filter((id): id is string => id !== null))];
  const databases: JsonObject[] = [];
  for (const id of databaseIds) {
    throwIfAborted(signal);
    databases.push(await api.retrieveDatabase(id));
  }
  yield DATABASES_SCHEMA;
  for (const db of databases) yield { type: 'RECORD', stream: DATABASES_SCHEMA.stream, record: databaseRow(db) };
  yield DATA_SOURCES_SCHEMA;
  for (const e of entries) yield { type: 'RECORD', stream: DATA_SOURCES_SCHEMA.stream, record: dataSourceRow(e.dataSource, e.table) };
  yield PROPERTIES_SCHEMA;
  for (const e of entries) {
    for (const row of propertyRows(e.dataSource, e.columns)) yield { type: 'RECORD', stream: PROPERTIES_SCHEMA.stream, record: row };
  }
}
