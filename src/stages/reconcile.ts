/**
 * Id reconciliation: every id of a data source, for finding pages deleted permanently or unshared
 * (which neither queries nor the trash report). One request per 100 rows, each row reduced by
 * `filter_properties` to its title, past the 10,000-result cap with the created_time windows of
 * `queryAllRows`.
 */
import type { NotionApi } from '../notion/api.js';
import { queryAllRows } from './read-pages.js';
import { IdSetBuilder, type IdSet } from '../state/id-set.js';

/** The title property's id, the same in every data source; the smallest payload a row can have. */
export const TITLE_PROPERTY_ID = 'title';

/**
 * Every page id of a data source (dashed, as Notion gives them): one query request per `pageSize` rows
 * (default and maximum 100), each row reduced to its title. Rejects with the `NotionApi` error codes
 * (`not_shared`, `retries_exhausted`, ...) or `aborted` when `signal` aborts.
 */
export async function listAllIds(api: NotionApi, dataSourceId: string, options: { signal?: AbortSignal; pageSize?: number } = {}): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const row of queryAllRows(api, dataSourceId, { ...options, filterProperties: [TITLE_PROPERTY_ID] })) ids.add(row.id);
  return ids;
}

/**
 * Every page id of a data source as an `IdSet` (16 bytes per id, no string kept per id): the same
 * requests as `listAllIds`, for comparing a large data source's listing with what a destination holds.
 * Rejects as `listAllIds` does.
 */
export async function listAllIdSet(api: NotionApi, dataSourceId: string, options: { signal?: AbortSignal; pageSize?: number } = {}): Promise<IdSet> {
  const ids = new IdSetBuilder();
  for await (const row of queryAllRows(api, dataSourceId, { ...options, filterProperties: [TITLE_PROPERTY_ID] })) ids.add(row.id);
  return ids.build();
}
