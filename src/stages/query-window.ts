/**
 * The windowed query loop: reads the rows of one data source between two bounds of one page timestamp,
 * each row once, sorted ascending on that timestamp, past the 10,000-result query cap and expired
 * cursors. `queryAllRows` (sequential) and `readRanges` (parallel `created_time` ranges) build on it.
 */
import { APIResponseError } from '@notionhq/client';
import type { NotionApi } from '../notion/api.js';
import { abortedError, isNotionStreamError, NotionStreamError } from '../errors.js';
import type { JsonObject, NotionList, NotionPage } from '../notion/types.js';
import { thirdKeyConditions, thirdValueOf, type ThirdKey, type ThirdValue } from './third-key.js';

export const MAX_PAGE_SIZE = 100;
export const MIN_PAGE_SIZE = 10;

/** The page timestamp a query sorts and windows on. */
export type RowTimestamp = 'created_time' | 'last_edited_time';

/** The sort key inside a minute of `timestamp`: the other page timestamp. */
function secondKeyOf(timestamp: RowTimestamp): RowTimestamp {
  return timestamp === 'created_time' ? 'last_edited_time' : 'created_time';
}

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
   * The third sort key inside a (created, edited) minute pair (see `chooseThirdKey`),
   * so that more than 10,000 rows sharing both minutes are read past the cap: a new query starts at
   * the last row's value of it. Undefined: no third key (then `uniqueIdProperty`, if set).
   */
  thirdKey?: ThirdKey;
  /** Shorthand for `thirdKey: {property, type: 'unique_id'}`: the name of a `unique_id` property. */
  uniqueIdProperty?: string;
}

/** A row's `unique_id` number in `property`, or undefined. */
export function uniqueIdOf(row: NotionPage, property: string): number | undefined {
  return (thirdValueOf(row, { property, type: 'unique_id' }) as number | null | undefined) ?? undefined;
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
 * second.from's minute) start at `third.from` on the third key (`thirdKeyConditions`: one `and` per
 * alternative, so the nesting stays at two levels), and the minute's rows edited in later minutes follow.
 */
export function windowFilter(
  timestamp: RowTimestamp,
  from: string | undefined,
  before: string | undefined,
  second?: { timestamp: RowTimestamp; from: string; third?: { key: ThirdKey; from: ThirdValue } },
): JsonObject | undefined {
  const at = (op: string, value: string): JsonObject => ({ timestamp, [timestamp]: { [op]: value } });
  if (from && second) {
    const next = new Date(Date.parse(from) + 60_000).toISOString();
    const secondAt = (op: string, value: string): JsonObject => ({ timestamp: second.timestamp, [second.timestamp]: { [op]: value } });
    const minute = [at('on_or_after', from), at('before', next)];
    const third = second.third;
    // With a third key: the rest of the (from, second.from) pair from `third.from`, then the minute's later edits.
    const sameMinute: JsonObject[] = third
      ? (() => {
          const secondNext = new Date(Date.parse(second.from) + 60_000).toISOString();
          const pair = [...minute, secondAt('on_or_after', second.from), secondAt('before', secondNext)];
          return [
            ...thirdKeyConditions(third.key, third.from).map((condition) => ({ and: [...pair, condition] })),
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

/** The keys a query restarts at: a row's timestamp, its second key, its third key's value. */
interface Boundary {
  time: string;
  second: string;
  third: ThirdValue | undefined;
}

const sameBoundary = (a: Boundary, b: Boundary): boolean => a.time === b.time && a.second === b.second && a.third === b.third;

/**
 * Rows sorted ascending on `timestamp` within the window, each once. When a query reports
 * `request_status: incomplete` (the 10,000-result cap) or its cursor expires, a new query starts
 * `on_or_after` the last emitted row's minute, skipping the ids already emitted with the last row's
 * keys. Memory holds only those ids.
 *
 * Inside each minute, rows are also sorted on the other timestamp (`secondKeyOf`: `last_edited_time`
 * on `created_time`, `created_time` on `last_edited_time`), and a new query starts at the last emitted
 * row's (minute, other minute): a bulk import puts thousands of rows in one created minute and a bulk
 * edit thousands in one edited minute, and this reads past the cap as long as no minute pair holds
 * more than 10,000 rows. With a third key (`thirdKey`, `uniqueIdProperty`), rows are also sorted on it
 * inside the pair and a new query starts at the last row's value (`thirdKeyConditions`; rows of the
 * pair with an empty value come last and restart with `is_empty`), so any number of rows sharing both
 * minutes is read as long as no value (or the empties) holds more than 10,000 of them. Throws
 * `window_stuck` (not retryable) when a capped query returned only rows sharing every key (more of
 * them than one query returns), with a message naming the keys and the fix.
 */
export async function* queryWindowed(api: NotionApi, dataSourceId: string, options: QueryWindowOptions): AsyncGenerator<NotionPage> {
  const { timestamp, signal } = options;
  const fullSize = Math.min(options.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  const before = options.before ?? (() => undefined);
  let pageSize = fullSize;
  const second = secondKeyOf(timestamp);
  const third: ThirdKey | undefined = options.thirdKey ?? (options.uniqueIdProperty ? { property: options.uniqueIdProperty, type: 'unique_id' } : undefined);
  // The restarts read the third key's values: a query narrowed by `filter_properties` keeps that property.
  const filterProperties = options.filterProperties && third?.id && !options.filterProperties.includes(third.id) ? [...options.filterProperties, third.id] : options.filterProperties;
  const sorts: JsonObject[] = [
    { timestamp, direction: 'ascending' },
    { timestamp: second, direction: 'ascending' },
    ...(third ? [{ property: third.property, direction: 'ascending' }] : []),
  ];
  // Where the next query starts: undefined until a query restarts (then the last emitted row's keys).
  let start: Boundary | undefined;
  let boundary: Boundary | undefined; // the last emitted row's keys
  let boundaryIds = new Set<string>(); // ids emitted with those keys
  for (;;) {
    let cursor: string | undefined;
    let capped = false;
    let restart = false;
    let queryRows = 0; // rows this query returned (skipped ones included)
    let inBoundary = 0; // of them, those with the last row's keys
    const filter = windowFilter(
      timestamp,
      start?.time ?? options.from,
      before(),
      start ? { timestamp: second, from: start.second, ...(third && start.third !== undefined ? { third: { key: third, from: start.third } } : {}) } : undefined,
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
          api.logger.progress?.(`Query cursor of data source ${dataSourceId} expired; restarting the query at ${boundary?.time ?? start?.time ?? options.from ?? 'the start'}.`);
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
        const keys: Boundary = { time, second: row[second], third: third ? thirdValueOf(row, third) : undefined };
        queryRows++;
        if (boundary && sameBoundary(keys, boundary)) {
          inBoundary++;
          if (boundaryIds.has(row.id)) continue;
        } else {
          boundary = keys;
          boundaryIds = new Set();
          inBoundary = 1;
        }
        boundaryIds.add(row.id);
        yield row;
      }
      if (res.request_status?.type === 'incomplete') capped = true;
      cursor = res.has_more && res.next_cursor ? res.next_cursor : undefined;
    } while (cursor);
    if (!restart && !capped) return;
    // Every row of a capped query shares the last row's keys: restarting there returns them again.
    if (capped && boundary && inBoundary === queryRows) throw stuckError(dataSourceId, timestamp, boundary, third);
    if (boundary) start = boundary;
  }
}

/** `window_stuck`: more rows share every key than one query returns; the message names them and the fix. */
function stuckError(dataSourceId: string, timestamp: RowTimestamp, keys: Boundary, third: ThirdKey | undefined): NotionStreamError {
  const [created, edited] = timestamp === 'created_time' ? [keys.time, keys.second] : [keys.second, keys.time];
  const shared = `created in the minute ${created} and last edited in the minute ${edited}`;
  if (!third) {
    return new NotionStreamError(
      'window_stuck',
      `Data source ${dataSourceId} has more rows ${shared} than one Notion query can return (10,000), and no property to order them by; add an ID (unique_id) property to the database (Notion numbers every row) and run again.`,
      false,
    );
  }
  if (keys.third === undefined) {
    return new NotionStreamError(
      'window_stuck',
      `Data source ${dataSourceId} has more rows ${shared} than one Notion query can return (10,000), and the rows read lack "${third.property}" to order them by; query without filter_properties, or with that property's id.`,
      false,
    );
  }
  const value = keys.third === null ? `an empty "${third.property}"` : `"${third.property}" = ${keys.third}`;
  return new NotionStreamError(
    'window_stuck',
    `Data source ${dataSourceId} has more rows ${shared} with ${value} than one Notion query can return (10,000); add an ID (unique_id) property to the database (Notion numbers every row) and run again.`,
    false,
  );
}

/** A 400 about an invalid or expired `start_cursor`. */
export function isExpiredCursor(err: unknown): boolean {
  const cause = isNotionStreamError(err) ? err.cause : err;
  return APIResponseError.isAPIResponseError(cause) && cause.status === 400 && /start_cursor/i.test(cause.message);
}
