/**
 * Id reconciliation: every id of a data source, for finding pages deleted permanently or unshared
 * (which neither queries nor the trash report). One request per 100 rows, each row reduced by
 * `filter_properties` to its title (and the third sort key's property), past the 10,000-result cap with
 * the created_time windows of `queryAllRows`.
 */
import type { NotionApi } from '../notion/api.js';
import type { NotionPage } from '../notion/types.js';
import { queryAllRows } from './read-pages.js';
import type { ThirdKey } from './third-key.js';
import { IdSetBuilder, type IdSet } from '../state/id-set.js';

/** Options of `listAllIds` and `listAllIdSet`. */
export interface ListIdsOptions {
  signal?: AbortSignal;
  /** Query page size, default and maximum 100. */
  pageSize?: number;
  /**
   * The data source's third sort key (`chooseThirdKey` of its schema, with the property id), so that
   * more than 10,000 rows sharing their created and last edited minute are listed too. Undefined: no
   * third key (such rows stop the listing with `window_stuck`).
   */
  thirdKey?: ThirdKey;
}

/** The rows of a data source narrowed to their title (and the third key's property). */
function listedRows(api: NotionApi, dataSourceId: string, options: ListIdsOptions): AsyncGenerator<NotionPage> {
  return queryAllRows(api, dataSourceId, { ...options, filterProperties: [TITLE_PROPERTY_ID] });
}

/** The title property's id, the same in every data source; the smallest payload a row can have. */
export const TITLE_PROPERTY_ID = 'title';

/**
 * Every page id of a data source (dashed, as Notion gives them): one query request per `pageSize` rows
 * (default and maximum 100), each row reduced to its title. Rejects with the `NotionApi` error codes
 * (`not_shared`, `retries_exhausted`, ...), `window_stuck` (see `ListIdsOptions.thirdKey`) or `aborted`
 * when `signal` aborts.
 */
export async function listAllIds(api: NotionApi, dataSourceId: string, options: ListIdsOptions = {}): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const row of listedRows(api, dataSourceId, options)) ids.add(row.id);
  return ids;
}

/**
 * Every page id of a data source as an `IdSet` (16 bytes per id, no string kept per id): the same
 * requests as `listAllIds`, for comparing a large data source's listing with what a destination holds.
 * Rejects as `listAllIds` does.
 */
export async function listAllIdSet(api: NotionApi, dataSourceId: string, options: ListIdsOptions = {}): Promise<IdSet> {
  const ids = new IdSetBuilder();
  for await (const row of listedRows(api, dataSourceId, options)) ids.add(row.id);
  return ids.build();
}
