/**
 * The windowed query loop: reads the rows of one data source between two bounds of one page timestamp,
 * each row once, sorted ascending on that timestamp, past the 10,000-result query cap and expired
 * cursors. `queryAllRows` (sequential) and `readRanges` (parallel `created_time` ranges) build on it.
 */
import { APIResponseError } from '@notionhq/client';
import type { NotionApi } from '../notion/api.js';
import { abortedError, isNotionStreamError, NotionStreamError } from '../errors.js';
import type { JsonObject, NotionList, NotionPage } from '../notion/types.js';

export const MAX_PAGE_SIZE = 100;
export const MIN_PAGE_SIZE = 10;

/** The page timestamp a query sorts and windows on. */
export type RowTimestamp = 'created_time' | 'last_edited_time';

/** Options of `queryWindowed`. */
export interface QueryWindowOptions {
  timestamp: RowTimestamp;
  /** Lower bound (ISO, inclusive, a whole minute); undefined: from the first row. */
  from?: string;
  /**
   * Upper bound (ISO, exclusive, a whole minute), read again before each query and each row: it may
   * move earlier while the window is read (a range split), and the loop stops at the first row at or
   * past it. Undefined: no upper bound.
   */
  before?: () => string | undefined;
  /** Query page size, default and maximum 100. */
  pageSize?: number;
  signal?: AbortSignal;
  /** Property ids sent as `filter_properties`. */
  filterProperties?: string[];
  /** Called with each query response, before its rows are yielded. */
  onResponse?: (res: NotionList<NotionPage>) => void;
  /**
   * On `created_time`: the name of a `unique_id` property of the data source, the third sort key
   * inside a (created, edited) minute pair, so that more than 10,000 rows sharing both minutes are
   * read past the cap (`unique_id greater_than` the last row read). Undefined: no third key.
   */
  uniqueIdProperty?: string;
}

/** A row's `unique_id` number in `property`, or undefined. */
export function uniqueIdOf(row: NotionPage, property: string): number | undefined {
  const v = (row.properties as Record<string, { unique_id?: { number?: unknown } } | undefined> | undefined)?.[property];
  const n = v?.unique_id?.number;
  return typeof n === 'number' ? n : undefined;
}

/** An ISO instant rounded down to the minute (`2025-01-01T10:42:00.000Z`). */
export function floorToMinute(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new NotionStreamError('invalid_state', `The watermark "${iso}" is not an ISO 8601 instant.`, false);
  return new Date(Math.floor(ms / 60_000) * 60_000).toISOString();
}

/**
 * The query filter for `timestamp` in [from, before); undefined when both bounds are open. With
 * `second` (the second sort key), the rows of the minute `from` start at `second.from` instead:
 * `(timestamp in from's minute and second >= second.from) or timestamp in [from + 1 min, before)`,
 * two levels of nesting, as Notion allows. With `second.third`, the rows of the pair (from's minute,
 * second.from's minute) start past `third.after` on that `unique_id` property, and the minute's rows
 * edited in later minutes follow.
 */
export function windowFilter(
  timestamp: RowTimestamp,
  from: string | undefined,
  before: string | undefined,
  second?: { timestamp: RowTimestamp; from: string; third?: { property: string; after: number } },
): JsonObject | undefined {
  const at = (op: string, value: string): JsonObject => ({ timestamp, [timestamp]: { [op]: value } });
  if (from && second) {
    const next = new Date(Date.parse(from) + 60_000).toISOString();
    const secondAt = (op: string, value: string): JsonObject => ({ timestamp: second.timestamp, [second.timestamp]: { [op]: value } });
    const minute = [at('on_or_after', from), at('before', next)];
    // With a third key: the rest of the (from, second.from) pair past `third.after`, then the minute's later edits.
    const sameMinute: JsonObject[] = second.third
      ? (() => {
          const secondNext = new Date(Date.parse(second.from) + 60_000).toISOString();
          return [
            { and: [...minute, secondAt('on_or_after', second.from), secondAt('before', secondNext), { property: second.third.property, unique_id: { greater_than: second.third.after } }] },
            { and: [...minute, secondAt('on_or_after', secondNext)] },
          ];
        })()
      : [{ and: [...minute, secondAt('on_or_after', second.from)] }];
    if (before && Date.parse(before) <= Date.parse(next)) return sameMinute.length === 1 ? sameMinute[0] : { or: sameMinute };
    return { or: [...sameMinute, before ? { and: [at('on_or_after', next), at('before', before)] } : at('on_or_after', next)] };
  }
  const parts: JsonObject[] = [];
  if (from) parts.push(at('on_or_after', from));
  if (before) parts.push(at('before', before));
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : { and: parts };
}

/**
 * Rows sorted ascending on `timestamp` within the window, each once. When a query reports
 * `request_status: incomplete` (the 10,000-result cap) or its cursor expires, a new query starts
 * `on_or_after` the last emitted row's minute, skipping the ids already emitted in that minute. Memory
 * holds only those ids.
 *
 * On `created_time`, rows are also sorted on `last_edited_time` inside each minute, and a new query
 * starts at the last emitted row's (created minute, edited minute): a bulk import puts thousands of
 * rows in one created minute, and this reads past the cap as long as no (created, edited) minute pair
 * holds more than 10,000 rows. With `uniqueIdProperty`, rows are also sorted on that `unique_id`
 * property inside the pair and a new query starts after the last id read (`greater_than`), so any
 * number of rows sharing both minutes is read. Throws `window_stuck` (not retryable) when a pair holds
 * more than 10,000 rows and there is no unique id property (or, on `last_edited_time`, when one minute
 * holds more than 10,000 rows).
 */
export async function* queryWindowed(api: NotionApi, dataSourceId: string, options: QueryWindowOptions): AsyncGenerator<NotionPage> {
  const { timestamp, signal, filterProperties } = options;
  const fullSize = Math.min(options.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  const before = options.before ?? (() => undefined);
  let pageSize = fullSize;
  let windowStart = options.from;
  const second: RowTimestamp | undefined = timestamp === 'created_time' ? 'last_edited_time' : undefined;
  const third = second ? options.uniqueIdProperty : undefined;
  const sorts: JsonObject[] = [
    { timestamp, direction: 'ascending' },
    ...(second ? [{ timestamp: second, direction: 'ascending' }] : []),
    ...(third ? [{ property: third, direction: 'ascending' }] : []),
  ];
  let secondStart: string | undefined; // the second key's start inside the minute `windowStart`
  let thirdAfter: number | undefined; // rows of the pair (windowStart, secondStart) up to this unique_id are read
  let boundaryThird: number | undefined; // the last emitted row's unique_id
  let boundaryTime: string | undefined; // `timestamp` of the last emitted row
  let boundarySecond: string | undefined; // and its second key
  let boundaryIds = new Set<string>(); // ids emitted with that time (and second key)
  for (;;) {
    let cursor: string | undefined;
    let capped = false;
    let restart = false;
    const filter = windowFilter(
      timestamp,
      windowStart,
      before(),
      second && secondStart ? { timestamp: second, from: secondStart, ...(third && thirdAfter !== undefined ? { third: { property: third, after: thirdAfter } } : {}) } : undefined,
    );
    do {
      if (signal?.aborted) throw abortedError();
      let res: NotionList<NotionPage>;
      try {
        res = await api.queryDataSource(
          dataSourceId,
          () => ({
            sorts,
            ...(filter ? { filter } : {}),
            ...(cursor ? { start_cursor: cursor } : {}),
            page_size: pageSize,
            ...(filterProperties ? { filter_properties: filterProperties } : {}),
          }),
          {
            onTransient: ({ status }) => {
              if (status === 504) pageSize = Math.max(MIN_PAGE_SIZE, Math.floor(pageSize / 2));
            },
          },
        );
      } catch (err) {
        if (cursor && isExpiredCursor(err)) {
          api.logger.progress?.(`Query cursor of data source ${dataSourceId} expired; restarting the query at ${boundaryTime ?? windowStart ?? 'the start'}.`);
          restart = true;
          break;
        }
        throw err;
      }
      pageSize = fullSize;
      options.onResponse?.(res);
      for (const row of res.results) {
        if (row.object !== 'page') continue;
        const time = row[timestamp];
        const end = before();
        if (end !== undefined && Date.parse(time) >= Date.parse(end)) return;
        const secondTime = second ? row[second] : undefined;
        if (time === boundaryTime && secondTime === boundarySecond) {
          if (boundaryIds.has(row.id)) continue;
        } else {
          boundaryTime = time;
          boundarySecond = secondTime;
          boundaryIds = new Set();
        }
        boundaryIds.add(row.id);
        if (third) boundaryThird = uniqueIdOf(row, third);
        yield row;
      }
      if (res.request_status?.type === 'incomplete') capped = true;
      cursor = res.has_more && res.next_cursor ? res.next_cursor : undefined;
    } while (cursor);
    if (!restart && !capped) return;
    if (capped && boundaryTime === windowStart && boundarySecond === secondStart && (!third || boundaryThird === undefined || boundaryThird === thirdAfter)) {
      const what = second
        ? `created in the minute ${boundaryTime} and last edited in the minute ${boundarySecond}`
        : `edited in the minute ${boundaryTime}`;
      const fix = second ? ' Add an ID (unique_id) property to the database so they can be read in its order.' : '';
      throw new NotionStreamError('window_stuck', `Data source ${dataSourceId} has more rows ${what} than one Notion query can return (10,000); notion-stream cannot page past them.${fix}`, false);
    }
    if (boundaryTime !== undefined) {
      windowStart = boundaryTime;
      secondStart = boundarySecond;
      // Rows are sorted on the unique id inside the pair: the next query starts after the last one read.
      thirdAfter = third ? boundaryThird : undefined;
    }
  }
}

/** A 400 about an invalid or expired `start_cursor`. */
export function isExpiredCursor(err: unknown): boolean {
  const cause = isNotionStreamError(err) ? err.cause : err;
  return APIResponseError.isAPIResponseError(cause) && cause.status === 400 && /start_cursor/i.test(cause.message);
}
