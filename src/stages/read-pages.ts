/**
 * Stage 2, the paginated page reader: reads each data source completely and in a stable order
 * (created_time ascending, then Notion's tie order), past the 10,000-result query cap, and completes
 * every value Notion truncated. Output keeps Notion's page shape with complete values.
 *
 * Past the cap: when a query reports `request_status: incomplete`, a new query starts at the last
 * row's created_time (which never changes); rows of that boundary minute already emitted are skipped
 * by id. An expired cursor restarts the query the same way, so no row is lost or duplicated. Memory
 * holds only the ids of the current boundary minute.
 */
import { Duplex, PassThrough, Readable } from 'node:stream';
import pLimit, { type LimitFunction } from 'p-limit';
import type { NotionApi } from '../notion/api.js';
import { completePage } from '../notion/complete.js';
import { APIResponseError } from '@notionhq/client';
import { isNotionStreamError, NotionStreamError } from '../notion/errors.js';
import { plainText, type NotionDataSource, type NotionPage } from '../notion/types.js';
import { mapOrdered, orderedMerge } from '../util/concurrency.js';

export const MAX_PAGE_SIZE = 100;
export const MIN_PAGE_SIZE = 10;

export interface PageReaderOptions {
  /** Data sources read at the same time (their output still comes one data source after another). Default 3. */
  concurrency?: number;
  /** Property completions in flight across the run. Default 8. */
  completionConcurrency?: number;
  /** Share one completion limit between calls (readPages makes one per run). */
  completionLimit?: LimitFunction;
  /** Pages buffered per data source being read ahead. Default 200. */
  buffer?: number;
  /** Query page size, default and maximum 100. */
  pageSize?: number;
  signal?: AbortSignal;
}

/** What `pages` emits: each data source object, then its pages. */
export type PageStreamItem = NotionDataSource | NotionPage;

/** Raw query rows of one data source, every row exactly once, in created_time order. */
export async function* queryAllRows(api: NotionApi, dataSourceId: string, options: { pageSize?: number; signal?: AbortSignal } = {}): AsyncGenerator<NotionPage> {
  const fullSize = Math.min(options.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  let pageSize = fullSize;
  let windowStart: string | undefined;
  let boundaryTime: string | undefined; // created_time of the last emitted row
  let boundaryIds = new Set<string>(); // ids emitted with that created_time
  for (;;) {
    let cursor: string | undefined;
    let capped = false;
    let restart = false;
    do {
      let res;
      try {
        res = await api.queryDataSource(
          dataSourceId,
          () => ({
            sorts: [{ timestamp: 'created_time', direction: 'ascending' }],
            ...(windowStart ? { filter: { timestamp: 'created_time', created_time: { on_or_after: windowStart } } } : {}),
            ...(cursor ? { start_cursor: cursor } : {}),
            page_size: pageSize,
          }),
          {
            onTransient: ({ status }) => {
              if (status === 504) pageSize = Math.max(MIN_PAGE_SIZE, Math.floor(pageSize / 2));
            },
          },
        );
      } catch (err) {
        if (cursor && isExpiredCursor(err)) {
          api.logger.info(`Query cursor of data source ${dataSourceId} expired; restarting the query at ${boundaryTime ?? 'the start'}.`);
          restart = true;
          break;
        }
        throw err;
      }
      pageSize = fullSize;
      for (const row of res.results) {
        if (row.object !== 'page') continue;
        if (row.created_time === boundaryTime) {
          if (boundaryIds.has(row.id)) continue;
        } else {
          boundaryTime = row.created_time;
          boundaryIds = new Set();
        }
        boundaryIds.add(row.id);
        yield row;
      }
      if (res.request_status?.type === 'incomplete') capped = true;
      cursor = res.has_more && res.next_cursor ? res.next_cursor : undefined;
    } while (cursor);
    if (!restart && !capped) return;
    if (capped && boundaryTime === windowStart) {
      throw new NotionStreamError('window_stuck', `Data source ${dataSourceId} has more rows created in the minute ${boundaryTime} than one Notion query can return (10,000); notion-stream cannot page past them.`, false);
    }
    windowStart = boundaryTime;
  }
}

/** A 400 about an invalid or expired `start_cursor`. */
export function isExpiredCursor(err: unknown): boolean {
  const cause = isNotionStreamError(err) ? err.cause : err;
  return APIResponseError.isAPIResponseError(cause) && cause.status === 400 && /start_cursor/i.test(cause.message);
}

/** Complete pages of one data source, in order. Rows are read ahead while earlier ones are completed. */
export function readDataSourcePages(api: NotionApi, dataSource: NotionDataSource, options: PageReaderOptions = {}): AsyncGenerator<NotionPage> {
  const concurrency = options.completionConcurrency ?? 8;
  const limit = options.completionLimit ?? pLimit(concurrency);
  return mapOrdered(queryAllRows(api, dataSource.id, options), (page) => completePage(api, page, dataSource.properties, limit), {
    concurrency: concurrency * 2,
    signal: options.signal,
  });
}

/**
 * Reads several data sources, up to `concurrency` at once, and yields each data source object followed
 * by its complete pages, one data source after another.
 */
export async function* readPages(api: NotionApi, dataSources: AsyncIterable<NotionDataSource> | Iterable<NotionDataSource>, options: PageReaderOptions = {}): AsyncGenerator<PageStreamItem> {
  const list: NotionDataSource[] = [];
  for await (const ds of dataSources) list.push(ds);
  const completionLimit = options.completionLimit ?? pLimit(options.completionConcurrency ?? 8);
  const sources = list.map((ds) => (signal: AbortSignal) => withHeader(ds, readDataSourcePages(api, ds, { ...options, completionLimit, signal })));
  for await (const item of orderedMerge(sources, { concurrency: options.concurrency ?? 3, buffer: options.buffer ?? 200, signal: options.signal })) {
    if (item.object === 'data_source') {
      api.stats.dataSources++;
      api.logger.info(`Reading data source "${plainText(item.title) || '(untitled)'}" (${item.id}).`);
    } else api.stats.pages++;
    yield item;
  }
}

async function* withHeader(ds: NotionDataSource, pages: AsyncIterable<NotionPage>): AsyncGenerator<PageStreamItem> {
  yield ds;
  yield* pages;
}

/** The page reader as a Duplex: data source objects in, data source objects and pages out. */
export function createPageReader(api: NotionApi, options: PageReaderOptions & { highWaterMark?: number } = {}): Duplex {
  const highWaterMark = options.highWaterMark ?? 64;
  const input = new PassThrough({ objectMode: true, highWaterMark: 16 });
  const output = Readable.from(readPages(api, input, options), { objectMode: true, highWaterMark });
  return Duplex.from({ writable: input, readable: output });
}
