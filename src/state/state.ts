/**
 * The state of incremental syncs into one destination, pure: for each data source, the watermark (the
 * latest `last_edited_time` loaded), the schema it was loaded with (each property's id, name, type and
 * column), and, only for destinations that cannot say which pages they hold (CSV, NDJSON, pipes), the ids
 * of those pages.
 *
 * It travels as the value of a Singer STATE message:
 *   { "notion_stream": 2, "bookmarks": { "<data source id>": DataSourceState, ... } }
 * Warehouses keep it in a table written in the transaction that commits the data, and keep no ids in it:
 * the tables themselves answer which pages they hold (sinks/held-ids.ts). Files keep it in a state file
 * (`--state <path>`), their ids as one base64 string of sorted 16-byte ids (about 21 bytes per page,
 * ./id-set.ts). Format 1 (ids as an array of dashed strings, about 40 bytes per page) is still read.
 */
import { compactId } from '../core/names.js';
import { NotionStreamError } from '../errors.js';
import { IdSet } from './id-set.js';

/** The state format written: 2 (format 1, with `ids` as an array of strings, is read too). */
export const STATE_FORMAT = 2;

/** State formats `parseState` reads. */
const READABLE_FORMATS: readonly unknown[] = [1, 2];

/** How a property was loaded: enough to keep its column through a rename and to see a retype. */
export interface PropertyLayout {
  /** The Notion property name when loaded. */
  name: string;
  /** The Notion property type. */
  type: string;
  /** The column base name (the property's columns are base + suffix). */
  column: string;
  /** The column shape decided for it (formulas and rollups are decided from values). */
  shape?: string;
  /** Formulas and rollups: the result type their values have. */
  result?: string;
}

/** The bookmark of one data source in the state: where its table stands after the last committed run. */
export interface DataSourceState {
  /** The table the data source loads into. */
  table: string;
  /** The latest `last_edited_time` loaded (ISO). Absent: nothing loaded yet, the next run reads everything. */
  watermark?: string;
  /** When every id of the data source was last listed (a full read or a reconciliation), ISO. */
  reconciledAt?: string;
  /** When the run that wrote this bookmark started, ISO (this machine's clock): the next trash search looks back to it. */
  checkedAt?: string;
  /** By property id (as Notion gives it). */
  properties: Record<string, PropertyLayout>;
  /**
   * Ids of the pages the destination holds: only in the states of CSV and NDJSON destinations (in JSON
   * one base64 string of sorted 16-byte ids; format 1: an array of dashed ids). Warehouses keep none:
   * their tables answer instead.
   */
  ids?: IdSet;
}

/**
 * The state of incremental runs (the value of the STATE message, committed with the data in the
 * warehouse's `_notion_stream_state` table or a state file): one bookmark per data source.
 */
export interface SyncState {
  /** The state format version (2; format 1 is read and converted); a state of another version is not used. */
  notion_stream: typeof STATE_FORMAT;
  /** By data source id (see `stateKey`). */
  bookmarks: Record<string, DataSourceState>;
}

export function emptyState(): SyncState {
  return { notion_stream: STATE_FORMAT, bookmarks: {} };
}

/** A bookmark's key: the data source id, dashed or not, any case. */
export const stateKey = compactId;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Options of `parseState`. */
export interface ParseStateOptions {
  /**
   * False: drop the page ids a bookmark holds without decoding them (a warehouse asks its tables
   * instead). Default true.
   */
  ids?: boolean;
}

/**
 * Checks a STATE value read back (from a warehouse table or a state file), format 2 or 1. Undefined stays
 * undefined (no state: everything is read). Anything else that is not a notion-stream state is refused
 * with the fix. Throws `NotionStreamError` `invalid_state` (not retryable) naming `from` and the fix
 * (delete it, or `--full-refresh`).
 */
export function parseState(value: unknown, from: string, options: ParseStateOptions = {}): SyncState | undefined {
  if (value === undefined || value === null) return undefined;
  const bad = (why: string) =>
    new NotionStreamError('invalid_state', `The incremental state in ${from} is not usable: ${why}. Delete it (or run with --full-refresh) to read everything again.`, false);
  if (!isObject(value)) throw bad('it is not a JSON object');
  if (!READABLE_FORMATS.includes(value.notion_stream)) throw bad(`it was not written by this version of notion-stream (format ${JSON.stringify(value.notion_stream)}, expected ${STATE_FORMAT})`);
  if (!isObject(value.bookmarks)) throw bad('it has no "bookmarks" object');
  const format1 = value.notion_stream === 1;
  const bookmarks: Record<string, DataSourceState> = {};
  for (const [id, b] of Object.entries(value.bookmarks)) {
    const idsOk = isObject(b) && (format1 ? Array.isArray(b.ids) : b.ids === undefined || typeof b.ids === 'string');
    if (!isObject(b) || typeof b.table !== 'string' || !isObject(b.properties) || !idsOk) throw bad(`the bookmark of data source ${id} lacks "table" or "properties", or its "ids" are not ${format1 ? 'an array' : 'a string'}`);
    if (b.watermark !== undefined && (typeof b.watermark !== 'string' || Number.isNaN(Date.parse(b.watermark)))) throw bad(`the watermark of data source ${id} is not an ISO instant`);
    const { ids, ...rest } = b;
    const bookmark = rest as unknown as DataSourceState;
    if (ids !== undefined && options.ids !== false) {
      try {
        bookmark.ids = format1 ? IdSet.of(ids as string[]) : IdSet.decode(ids as string);
      } catch (err) {
        throw bad(`the page ids of data source ${id} are not usable (${(err as Error).message})`);
      }
    }
    bookmarks[stateKey(id)] = bookmark;
  }
  return { notion_stream: STATE_FORMAT, bookmarks };
}

/** The later of two ISO instants (either may be undefined). */
export function laterOf(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

/** What one run did to one data source. */
export interface DataSourceRun {
  table: string;
  properties: Record<string, PropertyLayout>;
  /** True: every row was read (the table is replaced); false: only changed rows. */
  full: boolean;
  /** Ids of the pages read. */
  read: Iterable<string>;
  /** The latest `last_edited_time` among them. */
  latestEdit: string | undefined;
  /** Ids removed from the destination (trashed, deleted, unshared). */
  deleted: Iterable<string>;
  /** Every id was listed by this run (full read or reconciliation): when, ISO. */
  reconciledAt?: string;
  /** When the run started, ISO. */
  startedAt: string;
}

/** Options of `nextState`. */
export interface NextStateOptions {
  /**
   * True (default): each bookmark holds the ids of the pages the destination holds (CSV, NDJSON): the
   * previous ones, with the ids read, less the ids deleted, merged in one pass over sorted ids. False
   * (warehouses): no ids.
   */
  ids?: boolean;
}

/** The state after a run committed: the previous bookmarks, overlaid with this run's. */
export function nextState(previous: SyncState | undefined, runs: ReadonlyMap<string, DataSourceRun>, options: NextStateOptions = {}): SyncState {
  const keepIds = options.ids ?? true;
  const out: SyncState = { notion_stream: STATE_FORMAT, bookmarks: {} };
  for (const [key, b] of Object.entries(previous?.bookmarks ?? {})) {
    if (keepIds) out.bookmarks[key] = b;
    else {
      const { ids: _dropped, ...rest } = b;
      out.bookmarks[key] = rest;
    }
  }
  for (const [id, run] of runs) {
    const key = stateKey(id);
    const before = run.full ? undefined : previous?.bookmarks[key];
    const reconciledAt = run.reconciledAt ?? before?.reconciledAt;
    const watermark = laterOf(before?.watermark, run.latestEdit);
    out.bookmarks[key] = {
      table: run.table,
      ...(watermark ? { watermark } : {}),
      ...(reconciledAt ? { reconciledAt } : {}),
      checkedAt: run.startedAt,
      properties: run.properties,
      ...(keepIds ? { ids: (before?.ids ?? IdSet.empty()).with(IdSet.of(run.read), IdSet.of(run.deleted)) } : {}),
    };
  }
  return out;
}

/** Clocks differ between this machine and Notion's: searches look back this much further. */
export const CLOCK_MARGIN_MS = 10 * 60_000;

/**
 * How far back the trash search of a run must look for these bookmarks: to the earlier of the start of
 * the run that wrote each (a page trashed during that run, after its search, is found by the next one)
 * and its watermark (Notion's clock, in case this machine's runs ahead), less the clock margin.
 * The cost stays proportional to what was trashed since. Undefined (the whole trash) when a bookmark
 * has no time.
 */
export function trashSearchSince(bookmarks: Iterable<DataSourceState>): string | undefined {
  let earliest: number | undefined;
  for (const b of bookmarks) {
    const times = [b.checkedAt, b.watermark].filter((t): t is string => t !== undefined).map(Date.parse).filter((t) => !Number.isNaN(t));
    if (times.length === 0) return undefined;
    const t = Math.min(...times);
    if (earliest === undefined || t < earliest) earliest = t;
  }
  return earliest === undefined ? undefined : new Date(earliest - CLOCK_MARGIN_MS).toISOString();
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * `--reconcile-every` durations: `90s`, `30m`, `12h`, `7d`, `2w` (a positive number and a unit) →
 * milliseconds. Throws `NotionStreamError` `invalid_option` for anything else.
 */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$/i.exec(text);
  if (!m || !(Number(m[1]) > 0)) {
    throw new NotionStreamError('invalid_option', `"${text}" is not a duration: use a number and a unit, s, m, h, d or w (e.g. 12h, 7d).`, false);
  }
  return Number(m[1]) * UNITS[m[2]!.toLowerCase()]!;
}

/** True when a data source's ids should be reconciled now: never reconciled, or longer ago than `everyMs`. */
export function reconcileDue(bookmark: DataSourceState | undefined, everyMs: number | undefined, now: number): boolean {
  if (everyMs === undefined) return false;
  const last = bookmark?.reconciledAt === undefined ? NaN : Date.parse(bookmark.reconciledAt);
  return Number.isNaN(last) || now - last >= everyMs;
}
