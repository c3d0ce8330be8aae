/**
 * Pages moved to the trash since a time, found through search with `filter.in_trash: true` (which
 * returns only trashed objects), newest first, stopping at the first page older than `since`: the cost
 * is one request per 100 trashed pages, whatever the size of the data sources. Data source queries
 * never return trashed pages, so they cannot serve here.
 */
import { compactId } from '../core/names.js';
import type { NotionApi } from '../notion/api.js';
import { abortedError } from '../errors.js';
import type { JsonObject } from '../notion/types.js';
import { floorToMinute, isExpiredCursor, MAX_PAGE_SIZE } from './read-pages.js';

/** A row page found in the trash. */
export interface TrashedPage {
  /** The page id (dashed). */
  id: string;
  /** The data source it belongs to (dashed). */
  dataSourceId: string;
  /**
   * When it was trashed, as far as the API tells: the page's `last_edited_time` (minute precision).
   * Notion has no separate trash timestamp.
   */
  trashedTime: string;
}

/** Options of `findTrashedPages`. */
export interface FindTrashedOptions {
  /** Only pages of these data sources (dashed or undashed ids). Default: every data source. */
  dataSourceIds?: Iterable<string>;
  /** Search page size, default and maximum 100. */
  pageSize?: number;
  /** Stops the search; it rejects with code `aborted`. */
  signal?: AbortSignal;
}


/**
 * Row pages in the trash whose `last_edited_time` is at or after `since`'s minute (every trashed row
 * page when `since` is undefined), newest first. Pages outside a data source are skipped.
 */
export async function findTrashedPages(api: NotionApi, since: string | undefined, options: FindTrashedOptions = {}): Promise<TrashedPage[]> {
  const from = since === undefined ? undefined : floorToMinute(since);
  const wanted = options.dataSourceIds ? new Set([...options.dataSourceIds].map(compactId)) : undefined;
  const pageSize = Math.min(options.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  const found: TrashedPage[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (;;) {
    if (options.signal?.aborted) throw abortedError();
    let res;
    try {
      res = await api.search(
        {
          filter: { property: 'object', value: 'page', in_trash: true },
          sort: { timestamp: 'last_edited_time', direction: 'descending' },
          page_size: pageSize,
          ...(cursor ? { start_cursor: cursor } : {}),
        },
        'the search for trashed pages',
      );
    } catch (err) {
      // An expired cursor: start over (newest first, so the same short list); `seen` drops repeats.
      if (cursor && isExpiredCursor(err)) {
        cursor = undefined;
        continue;
      }
      throw err;
    }
    for (const item of res.results) {
      const page = trashedRow(item);
      if (page === undefined) continue;
      if (from !== undefined && Date.parse(page.trashedTime) < Date.parse(from)) return found;
      if (seen.has(page.id)) continue;
      seen.add(page.id);
      if (wanted && !wanted.has(compactId(page.dataSourceId))) continue;
      found.push(page);
    }
    if (!res.has_more || !res.next_cursor) return found;
    cursor = res.next_cursor;
  }
}

function trashedRow(item: JsonObject): TrashedPage | undefined {
  if (item.object !== 'page' || typeof item.id !== 'string' || typeof item.last_edited_time !== 'string') return undefined;
  const trashed = item.in_trash ?? item.archived;
  if (trashed !== true) return undefined;
  const parent = item.parent;
  if (parent === null || typeof parent !== 'object' || Array.isArray(parent) || typeof parent.data_source_id !== 'string') return undefined;
  return { id: item.id, dataSourceId: parent.data_source_id, trashedTime: item.last_edited_time };
}
