/**
 * Parallel reading inside one data source: its rows are split into ranges of one page timestamp
 * (`created_time` for full reads, `last_edited_time` for incremental reads from a watermark) read
 * concurrently, so the run keeps Notion's rate limit busy whatever Notion's latency, while the output
 * stays exactly what one sequential query would give (the timestamp ascending, then the query's order).
 *
 * How it works (dynamic work rebalancing, as splittable sources do in Apache Beam / Dataflow):
 * - One reader starts on the whole data source. One extra query (sorted descending, one row) finds the
 *   last timestamp: sent with the first page on a full read at Notion's latency (100 ms or more, more
 *   than one query wanted in flight), otherwise once the first page says there is more.
 * - While the run has a free query slot (`QuerySlots`: enough queries in flight to cover the rate
 *   limit at the latency Notion shows), the range with the most rows left (estimated from the rows
 *   per minute read so far) is cut in two at a whole minute (`planCut`): its reader stops before the
 *   cut, a new reader starts at it (`on_or_after` / `before` filters). With the first page and the
 *   probe back, this pre-splits the data source from its first and last timestamp; later cuts go to
 *   readers that went idle. A minute is never split, so every row belongs to exactly one range; each
 *   range keeps the 10,000-result cap and expired-cursor handling of `queryWindowed`.
 * - Cuts fall at whole query pages of the reader's range, out of the room its last page has, so most
 *   cost no request; the few that may (`costlyCuts`, 2% of the data source's pages) are counted.
 * - Ranges are emitted in order. The range being emitted streams through memory; ranges ahead of it
 *   spool to temporary files (`Spool`), removed on every exit.
 * Cost: the minimum number of requests, plus the probe, plus at most 2% for cuts.
 */
import type { NotionApi } from '../notion/api.js';
import { abortedError } from '../errors.js';
import type { NotionPage } from '../notion/types.js';
import { Spool } from '../util/spool.js';
import { floorToMinute, MAX_PAGE_SIZE, queryWindowed, windowFilter, type RowTimestamp } from './query-window.js';
import type { ThirdKey } from './third-key.js';

const MINUTE = 60_000;
/** Notion's response time (ms) from which the probe goes with the first page. */
const EAGER_PROBE_MS = 100;

/** Options of `QuerySlots`. */
export interface QuerySlotsOptions {
  /** Most data source queries in flight at once across the run. Default 12. */
  max?: number;
  /** Queries in flight per (requests per second × seconds of latency); default 1.25 (25% headroom). */
  headroom?: number;
  /** Fewest queries wanted in flight, whatever the latency. Default 1. */
  min?: number;
}

/**
 * The run's budget of data source queries in flight, shared by every data source being read. Its
 * target follows Notion's measured latency: rate × latency × headroom, rounded up, at least 1.
 * A data source's first query always runs; range cuts only take a free slot.
 */
export class QuerySlots {
  private active = 0;
  private readonly listeners = new Set<() => void>();
  private readonly max: number;
  private readonly headroom: number;
  private readonly min: number;

  constructor(private readonly api: NotionApi, options: QuerySlotsOptions = {}) {
    this.max = Math.max(1, options.max ?? 12);
    this.headroom = options.headroom ?? 1.25;
    this.min = Math.max(1, options.min ?? 1);
  }

  /** Queries wanted in flight now. */
  target(): number {
    const seconds = (this.api.responseMs ?? 0) / 1000;
    return Math.min(this.max, Math.max(this.min, Math.ceil(this.api.rateLimit * seconds * this.headroom + 0.5)));
  }

  /** Takes a slot whatever the target (a data source's first reader). */
  take(): void {
    this.active++;
  }

  /** Takes a slot when one is free. */
  tryTake(): boolean {
    if (this.active >= this.target()) return false;
    this.active++;
    return true;
  }

  /** Gives a slot back and tells every listener that one is free. */
  release(): void {
    this.active--;
    for (const fn of [...this.listeners]) fn();
  }

  /** Calls `fn` whenever a slot is released; returns the function that stops it. */
  onRelease(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}

/** Options of `readRanges`. */
export interface ReadRangesOptions {
  /** Query page size, default and maximum 100. */
  pageSize?: number;
  signal?: AbortSignal;
  /** Property ids sent as `filter_properties`. */
  filterProperties?: string[];
  /** The run's shared query budget; default: one for this call. */
  slots?: QuerySlots;
  /** A range is cut only when it has at least this many rows left (estimated). Default 2 query pages. */
  minSplitRows?: number;
  /**
   * Cuts expected to cost one request (see `planCut`), as a share of the data source's estimated query
   * pages (at least one such cut). Default 0.02.
   */
  costlyCuts?: number;
  /** Rows held in memory per range before spooling to disk. Default one query page. */
  spoolItems?: number;
  /** Directory of the spool files; default the system temporary directory. */
  spoolDir?: string;
  /** The timestamp the ranges cut: `created_time` (default, a full read) or `last_edited_time` (incremental reads). */
  timestamp?: RowTimestamp;
  /** Lower bound (an ISO instant, rounded down to its minute): only rows at or after it. Default: every row. */
  from?: string;
  /** The third sort key past the cap, inside a (created, edited) minute pair (see `queryWindowed` and `chooseThirdKey`). */
  thirdKey?: ThirdKey;
  /** Shorthand for `thirdKey: {property, type: 'unique_id'}`. */
  uniqueIdProperty?: string;
}

interface Range {
  /** Inclusive lower bound, ms at a whole minute; undefined: the first row. */
  start: number | undefined;
  /** Exclusive upper bound, ms at a whole minute; undefined: none. */
  end: number | undefined;
  /** Minute of the first and of the last row read. */
  first: number | undefined;
  last: number | undefined;
  rows: number;
  /** Rows read in the minute `last` (it may hold more). */
  inLast: number;
  /** Rows emitted from the reader's current response (0 while its next request is in flight). */
  pageOffset: number;
  spool: Spool<NotionPage>;
  reading: boolean;
}

/** What `planCut` needs to know about the range being cut. */
export interface CutInput {
  /** The first whole minute (ms) of the range not read yet. */
  from: number;
  /** The range's exclusive end (ms, a whole minute). */
  to: number;
  /** Estimated rows per minute. */
  perMinute: number;
  pageSize: number;
  /** Rows already emitted from the reader's current response; 0 while its next request is in flight. */
  pageOffset: number;
  /** Estimated rows still to come in the minute before `from` (the last row's minute); default 0. */
  rest?: number;
}

/** A cut chosen by `planCut`. */
export interface Cut {
  /** Where the new range starts (ms, a whole minute in (from, to)). */
  at: number;
  /** True when the cut is expected to cost one more request than reading the range whole. */
  costly: boolean;
}

/**
 * Where to cut a range, or undefined when it should not be cut (less than two minutes, or no rows
 * expected on one side).
 *
 * Reading a range of n rows costs ceil(n / page size) requests: its last page has room for
 * `slack` more rows. The part left to the current reader gets about half of the rows left, rounded to
 * whole query pages counted from the reader's current page, minus a margin of at least one minute of
 * rows: its last page then holds the first rows past the cut, so the reader stops there without one
 * more request. The new range gets the rest; the margin comes out of the range's slack, so the cut
 * costs nothing when the slack holds it (the margin takes half the slack, so both parts keep room
 * for later cuts) and one request otherwise (`costly`), as when a minute holds more rows than a page.
 */
export function planCut(input: CutInput): Cut | undefined {
  const { from, to, perMinute: d, pageSize, pageOffset } = input;
  const rest = input.rest ?? 0;
  const minutes = Math.round((to - from) / MINUTE);
  if (minutes < 2 || !(d > 0)) return undefined;
  // Rows from the start of the reader's current page to the range's end, and the room left in its last page.
  const total = pageOffset + rest + minutes * d;
  const pagesLeft = Math.ceil(total / pageSize - 1e-9);
  const slack = pagesLeft * pageSize - total;
  const needed = Math.ceil(d) + 1;
  const costly = slack < needed;
  const margin = costly ? needed : Math.max(needed, Math.floor(slack / 2));
  const pages = Math.max(1, Math.round(pagesLeft / 2));
  const fit = Math.floor((pages * pageSize - margin - pageOffset - rest) / d);
  // A minute holds more rows than fit before the page boundary: cut after one minute anyway.
  const kept = Math.max(1, fit);
  if (kept >= minutes) return undefined;
  return { at: from + kept * MINUTE, costly: costly || fit < 1 };
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const minuteOf = (time: string) => Math.floor(Date.parse(time) / MINUTE) * MINUTE;

/**
 * Every row of one data source (with `from`, those at or after its minute), each once, in `timestamp`
 * order (see the module comment), read in parallel ranges of that timestamp. Throws what `queryWindowed` throws; an abort rejects with `aborted`.
 */
export async function* readRanges(api: NotionApi, dataSourceId: string, options: ReadRangesOptions = {}): AsyncGenerator<NotionPage> {
  const pageSize = Math.min(options.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  const minSplitRows = options.minSplitRows ?? pageSize * 2;
  const costlyShare = options.costlyCuts ?? 0.02;
  const slots = options.slots ?? new QuerySlots(api);
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const timestamp = options.timestamp ?? 'created_time';
  const ranges: Range[] = [];
  const tasks: Promise<void>[] = [];
  let failure: { error: unknown } | undefined;
  let lastMinute: number | undefined; // from the probe
  let probing = false;
  const head = newRange(options.from === undefined ? undefined : Date.parse(floorToMinute(options.from)), undefined);

  function newRange(start: number | undefined, end: number | undefined): Range {
    return {
      start,
      end,
      first: undefined,
      last: undefined,
      rows: 0,
      inLast: 0,
      pageOffset: 0,
      spool: new Spool<NotionPage>({ memoryItems: options.spoolItems ?? pageSize, dir: options.spoolDir }),
      reading: true,
    };
  }

  const fail = (error: unknown) => {
    failure ??= { error };
    stop.abort();
    for (const r of ranges) r.spool.interrupt();
  };

  /**
   * Rows per minute read so far across ranges, over the whole minutes each range has passed (the
   * minute of its last row may hold more rows, so it is left out).
   */
  const density = (): number => {
    let rows = 0;
    let minutes = 0;
    for (const r of ranges) {
      if (r.first === undefined || r.last === undefined || r.last === r.first) continue;
      rows += r.rows - r.inLast;
      minutes += (r.last - r.first) / MINUTE;
    }
    return minutes > 0 ? rows / minutes : 0;
  };

  let costlyCuts = 0;
  /** Cuts that may cost a request: `costlyCuts` of the data source's estimated query pages, at least one. */
  const costlyBudget = (perMinute: number): number => {
    const first = ranges[0]!.first;
    if (first === undefined || lastMinute === undefined) return 1;
    return Math.max(1, Math.floor((((lastMinute - first) / MINUTE + 1) * perMinute * costlyShare) / pageSize));
  };

  /** Cuts the range with the most rows left while a slot is free. */
  const rebalance = () => {
    if (failure || stop.signal.aborted || lastMinute === undefined) return;
    for (;;) {
      const perMinute = density();
      if (!(perMinute > 0)) return;
      let best: { range: Range; from: number; to: number; left: number } | undefined;
      for (const r of ranges) {
        if (!r.reading) continue;
        // The first minute not read yet (the rest of the last row's minute is not counted).
        const from = r.last !== undefined ? r.last + MINUTE : r.start;
        if (from === undefined) continue;
        const to = r.end ?? lastMinute + MINUTE;
        const left = ((to - from) / MINUTE) * perMinute;
        if (to - from < 2 * MINUTE || left < minSplitRows) continue;
        if (!best || left > best.left) best = { range: r, from, to, left };
      }
      if (!best) return;
      const r = best.range;
      const plan = planCut({ from: best.from, to: best.to, perMinute, pageSize, pageOffset: r.pageOffset % pageSize, rest: r.last === undefined ? 0 : Math.max(0, perMinute - r.inLast) });
      if (!plan || (plan.costly && costlyCuts >= costlyBudget(perMinute)) || !slots.tryTake()) return;
      if (plan.costly) costlyCuts++;
      const cut = plan.at;
      const next = newRange(cut, best.range.end);
      best.range.end = cut;
      ranges.splice(ranges.indexOf(best.range) + 1, 0, next);
      start(next);
    }
  };

  const probe = async () => {
    probing = true;
    try {
      const res = await api.queryDataSource(dataSourceId, () => ({
        sorts: [{ timestamp, direction: 'descending' }],
        ...(head.start !== undefined ? { filter: windowFilter(timestamp, iso(head.start), undefined) } : {}),
        page_size: 1,
        ...(options.filterProperties ? { filter_properties: options.filterProperties } : {}),
      }));
      const row = res.results.find((r) => r.object === 'page');
      if (row) lastMinute = minuteOf(row[timestamp]);
      rebalance();
    } catch (error) {
      fail(error);
    }
  };

  function start(range: Range): void {
    const first = range === head;
    // A full read at Notion's latency (a round trip of 100 ms or more, wanting more than one query in
    // flight) sends the probe with the first page rather than after it: one round trip sooner, for
    // one query more on a data source of a single page. Reads from a lower bound (incremental) are
    // mostly one page, and wait.
    if (first && !probing && head.start === undefined && (api.responseMs ?? 0) >= EAGER_PROBE_MS && slots.target() > 1) tasks.push(probe());
    tasks.push(
      (async () => {
        try {
          const rows = queryWindowed(api, dataSourceId, {
            timestamp,
            from: iso(range.start),
            before: () => iso(range.end),
            pageSize,
            signal: stop.signal,
            filterProperties: options.filterProperties,
            thirdKey: options.thirdKey,
            uniqueIdProperty: options.uniqueIdProperty,
            onResponse: (res) => {
              range.pageOffset = 0;
              if (first && !probing && res.has_more) tasks.push(probe());
            },
          });
          for await (const row of rows) {
            const minute = minuteOf(row[timestamp]);
            // A cut made while this row was on its way: it belongs to the next range.
            if (range.end !== undefined && minute >= range.end) break;
            range.pageOffset++;
            range.first ??= minute;
            range.inLast = range.last === minute ? range.inLast + 1 : 1;
            range.last = minute;
            range.rows++;
            await range.spool.push(row);
            if (range.rows % pageSize === 0) rebalance();
          }
          range.reading = false;
          range.spool.close();
        } catch (error) {
          range.reading = false;
          fail(error);
        } finally {
          slots.release();
        }
      })(),
    );
  }

  const check = () => {
    if (failure) throw failure.error;
    if (options.signal?.aborted) throw abortedError();
  };
  const stopListening = slots.onRelease(rebalance);
  try {
    ranges.push(head);
    slots.take();
    start(head);
    for (let i = 0; i < ranges.length; i++) {
      const spool = ranges[i]!.spool;
      for (;;) {
        check();
        const item = await spool.next();
        check();
        if (!item) break;
        yield item.value;
      }
      await spool.dispose();
    }
  } finally {
    stopListening();
    stop.abort();
    options.signal?.removeEventListener('abort', onAbort);
    for (const r of ranges) r.spool.interrupt();
    await Promise.allSettled(tasks);
    await Promise.allSettled(ranges.map((r) => r.spool.dispose()));
  }
}
