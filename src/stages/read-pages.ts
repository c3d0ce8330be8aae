/**
 * Stage 2, the paginated page reader: reads each data source completely and in a stable order
 * (created_time ascending, then last_edited_time, then a third key when the data source has one: its
 * `unique_id` property, else a number, else a date property), in parallel created_time ranges (`readRanges`), past the 10,000-result query cap, and
 * completes every value Notion truncated. Output keeps Notion's page shape with complete values.
 *
 * Past the cap: when a query reports `request_status: incomplete`, a new query starts at the last
 * row's (created, edited) minute pair (and at its value of the third key); rows of that boundary already emitted
 * are skipped by id. An expired cursor restarts the query the same way, so no row is lost or
 * duplicated. Memory holds only the ids of the current boundary.
 *
 * Incremental reads (`since`): the same parallel ranges on `last_edited_time`, filtered server-side to
 * the rows edited at or after the watermark's minute.
 */
import type { Duplex } from 'node:stream';
import { toDuplex } from './stage.js';
import pLimit, { type LimitFunction } from 'p-limit';
import type { NotionApi } from '../notion/api.js';
import { completePage } from '../notion/complete.js';
import { floorToMinute } from './query-window.js';
import { QuerySlots, readRanges } from './read-ranges.js';
import { chooseThirdKey, type ThirdKey } from './third-key.js';
import { plainText, type NotionDataSource, type NotionPage } from '../notion/types.js';
import { mapOrdered, orderedMerge } from '../util/concurrency.js';

export { floorToMinute, isExpiredCursor, MAX_PAGE_SIZE, MIN_PAGE_SIZE, type RowTimestamp } from './query-window.js';
export { chooseThirdKey, type ThirdKey, type ThirdKeyType } from './third-key.js';

/** Options of `readPages`, `readDataSourcePages` and `createPageReader`; every field is optional. */
export interface PageReaderOptions {
  /** Data sources read at the same time (their output still comes one data source after another). Default 3. */
  concurrency?: number;
  /** Property completions in flight across the run. Default 8. */
  completionConcurrency?: number;
  /** Share one completion limit between calls (readPages makes one per run). */
  completionLimit?: LimitFunction;
  /** Pages held in memory per data source being read ahead; past it they spool to a temporary file. Default 200. */
  buffer?: number;
  /** Share one budget of queries in flight between calls (readPages makes one per run). */
  slots?: QuerySlots;
  /** Query page size, default and maximum 100. */
  pageSize?: number;
  /** Stops reading: requests in flight are aborted and the reader rejects with code `aborted`. */
  signal?: AbortSignal;
  /**
   * The watermark of each data source (an ISO instant): only its rows edited at or after that minute
   * are read (see `queryAllRows`). Undefined, or a function returning undefined: a full read.
   */
  since?: (dataSource: NotionDataSource) => string | undefined;
  /** Items to emit after a data source's pages (its deletions, in incremental runs). */
  trailer?: (dataSource: NotionDataSource) => Iterable<PageDeletion>;
}

/**
 * A page that left its data source since the last incremental run: trashed, deleted or unshared. It
 * follows its data source's pages in incremental runs, and becomes a deletion record (`_deleted_at`).
 */
export interface PageDeletion {
  /** Always `page_deletion`. */
  object: 'page_deletion';
  /** The page id. */
  id: string;
  /** The data source it left. */
  data_source_id: string;
  /** When it was trashed (its last_edited_time), or when the run found it missing. */
  deleted_time: string;
  /** `trashed`: found in the trash; `missing`: gone from the data source's ids (deleted or unshared). */
  reason: 'trashed' | 'missing';
}

/** What `pages` emits: each data source object, then its pages (and in incremental runs, its deletions). */
export type PageStreamItem = NotionDataSource | NotionPage | PageDeletion;

export interface QueryAllRowsOptions {
  /** Query page size, default and maximum 100. */
  pageSize?: number;
  signal?: AbortSignal;
  /**
   * The watermark (an ISO instant): read only rows whose `last_edited_time` is at or after its minute,
   * in `last_edited_time` order. Undefined: every row, in `created_time` order.
   */
  since?: string;
  /** Property ids sent as `filter_properties` (the rows carry only those properties). */
  filterProperties?: string[];
  /** The run's shared budget of queries in flight (see `readRanges`). Default: one per call. */
  slots?: QuerySlots;
  /**
   * The third sort key that reads more than 10,000 rows sharing their created and last edited minute,
   * in full and incremental reads (a `unique_id`, number or date property; see `chooseThirdKey`).
   * `readDataSourcePages` chooses it from the data source's schema.
   */
  thirdKey?: ThirdKey;
  /** Shorthand for `thirdKey: {property, type: 'unique_id'}`: the name of Notion's ID property. */
  uniqueIdProperty?: string;
}

/**
 * Raw query rows of one data source, each row once, in `created_time` order; with `since`, only the
 * rows edited at or after the watermark's minute, in `last_edited_time` order (a server-side filter
 * `last_edited_time on_or_after <minute>`: Notion keeps page timestamps to the minute, so `after` would
 * lose edits made in the watermark's minute after it was taken). Inside a minute, rows are sorted on the
 * other timestamp, then on `thirdKey`, so a bulk import (one created minute) or a bulk edit (one edited
 * minute) of more than 10,000 rows is read past the query cap.
 *
 * Both read in parallel ranges of their timestamp (`readRanges`), with the same output as one
 * sequential query. With `since`, a page edited while the run reads moves later in the order and may come twice (once
 * at its old time, once at its new one): de-duplication only covers the ids of the boundary minute. A
 * consumer that merges by id and keeps the last occurrence gets the newest version.
 * Rejects with the `NotionApi` codes (`not_shared`, `retries_exhausted`, ...), `window_stuck` (more rows
 * sharing every sort key than one query can page through: see `queryWindowed`), `invalid_state` (a `since` that is no ISO instant) or
 * `aborted`.
 */
export function queryAllRows(api: NotionApi, dataSourceId: string, options: QueryAllRowsOptions = {}): AsyncGenerator<NotionPage> {
  const { since, ...rest } = options;
  return readRanges(api, dataSourceId, since === undefined ? rest : { ...rest, timestamp: 'last_edited_time', from: floorToMinute(since) });
}

/**
 * Complete pages of one data source, in order. Rows are read ahead while earlier ones are completed.
 * Full reads take the third sort key from the data source's schema (`chooseThirdKey`).
 */
export function readDataSourcePages(api: NotionApi, dataSource: NotionDataSource, options: PageReaderOptions = {}): AsyncGenerator<NotionPage> {
  const concurrency = options.completionConcurrency ?? 8;
  const limit = options.completionLimit ?? pLimit(concurrency);
  const thirdKey = chooseThirdKey(dataSource.properties);
  const rows = queryAllRows(api, dataSource.id, { pageSize: options.pageSize, signal: options.signal, since: options.since?.(dataSource), slots: options.slots, thirdKey });
  return mapOrdered(rows, (page) => completePage(api, page, dataSource.properties, limit), {
    concurrency: concurrency * 2,
    signal: options.signal,
  });
}

/**
 * Reads several data sources, up to `concurrency` at once, and yields each data source object followed
 * by its complete pages, one data source after another. Data sources ahead of the one being emitted
 * never wait for it: past `buffer` pages they spool to temporary files (removed on every exit).
 * Rejects with the codes of `queryAllRows` and of `completePage`.
 */
export async function* readPages(api: NotionApi, dataSources: AsyncIterable<NotionDataSource> | Iterable<NotionDataSource>, options: PageReaderOptions = {}): AsyncGenerator<PageStreamItem> {
  const list: NotionDataSource[] = [];
  for await (const ds of dataSources) list.push(ds);
  const completionLimit = options.completionLimit ?? pLimit(options.completionConcurrency ?? 8);
  const slots = options.slots ?? new QuerySlots(api);
  const sources = list.map((ds) => (signal: AbortSignal) => framed(ds, readDataSourcePages(api, ds, { ...options, completionLimit, slots, signal }), () => options.trailer?.(ds) ?? []));
  const merged = orderedMerge(sources, { concurrency: options.concurrency ?? 3, buffer: options.buffer ?? 200, spill: true, signal: options.signal });
  for await (const item of merged) {
    if (item.object === 'data_source') {
      api.stats.dataSources++;
      api.logger.progress?.(`Reading data source ${describeDataSource(item)}`);
    } else if (item.object === 'page') api.stats.pages++;
    yield item;
  }
}

/** How messages name a data source: `"Tasks" (<id>)`. */
export function describeDataSource(ds: NotionDataSource): string {
  return `"${plainText(ds.title) || '(untitled)'}" (${ds.id})`;
}

async function* framed(ds: NotionDataSource, pages: AsyncIterable<NotionPage>, trailer: () => Iterable<PageDeletion>): AsyncGenerator<PageStreamItem> {
  yield ds;
  yield* pages;
  yield* trailer();
}

/** The page reader as a Duplex: data source objects in, data source objects and pages out. */
export function createPageReader(api: NotionApi, options: PageReaderOptions = {}): Duplex {
  return toDuplex((input: AsyncIterable<NotionDataSource>) => readPages(api, input, options));
}
