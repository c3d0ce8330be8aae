/**
 * Parallel reading inside one data source: its rows are split into `created_time` ranges read
 * concurrently, so the run keeps Notion's rate limit busy whatever Notion's latency, while the output
 * stays exactly what one sequential query would give (created_time ascending, then Notion's order).
 *
 * How it works (dynamic work rebalancing, as splittable sources do in Apache Beam / Dataflow):
 * - One reader starts on the whole data source. When its first page says there is more, one extra
 *   query (sorted descending, one row) finds the last `created_time`.
 * - While the run has a free query slot (`QuerySlots`: enough queries in flight to cover the rate
 *   limit at the latency Notion shows), the range with the most rows left (estimated from the rows
 *   per minute read so far) is cut in two at a whole minute: its reader stops before the cut, a new
 *   reader starts at it (`on_or_after` / `before` filters). A minute is never split, so every row
 *   belongs to exactly one range; each range keeps the 10,000-result cap and expired-cursor handling
 *   of `queryWindowed`.
 * - Ranges are emitted in order. The range being emitted streams through memory; ranges ahead of it
 *   spool to temporary files (`Spool`), removed on every exit.
 * Cost: the minimum number of requests, plus the probe, plus at most about one request per cut.
 */
import type { NotionApi } from '../notion/api.js';
import { abortedError } from '../errors.js';
import type { NotionPage } from '../notion/types.js';
import { Spool } from '../util/spool.js';
import { MAX_PAGE_SIZE, queryWindowed } from './query-window.js';

const MINUTE = 60_000;

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
  /** A range is cut only when it has at least this many rows left (estimated). Default 4 query pages. */
  minSplitRows?: number;
  /** Rows held in memory per range before spooling to disk. Default one query page. */
  spoolItems?: number;
  /** Directory of the spool files; default the system temporary directory. */
  spoolDir?: string;
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
  spool: Spool<NotionPage>;
  reading: boolean;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const minuteOf = (time: string) => Math.floor(Date.parse(time) / MINUTE) * MINUTE;

/**
 * Every row of one data source, each once, in `created_time` order (see the module comment), read in
 * parallel `created_time` ranges. Throws what `queryWindowed` throws; an abort rejects with `aborted`.
 */
export async function* readRanges(api: NotionApi, dataSourceId: string, options: ReadRangesOptions = {}): AsyncGenerator<NotionPage> {
  const pageSize = Math.min(options.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  const minSplitRows = options.minSplitRows ?? pageSize * 4;
  const slots = options.slots ?? new QuerySlots(api);
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const ranges: Range[] = [];
  const tasks: Promise<void>[] = [];
  let failure: { error: unknown } | undefined;
  let lastMinute: number | undefined; // from the probe
  let probing = false;

  const newRange = (start: number | undefined, end: number | undefined): Range => ({
    start,
    end,
    first: undefined,
    last: undefined,
    rows: 0,
    spool: new Spool<NotionPage>({ memoryItems: options.spoolItems ?? pageSize, dir: options.spoolDir }),
    reading: true,
  });

  const fail = (error: unknown) => {
    failure ??= { error };
    stop.abort();
    for (const r of ranges) r.spool.interrupt();
  };

  /** Rows per minute read so far across ranges. */
  const density = (): number => {
    let rows = 0;
    let minutes = 0;
    for (const r of ranges) {
      if (r.first === undefined || r.last === undefined) continue;
      rows += r.rows;
      minutes += (r.last - r.first) / MINUTE + 1;
    }
    return minutes > 0 ? rows / minutes : 0;
  };

  /** Cuts the range with the most rows left while a slot is free. */
  const rebalance = () => {
    if (failure || stop.signal.aborted || lastMinute === undefined) return;
    for (;;) {
      const perMinute = density();
      let best: { range: Range; from: number; minutes: number } | undefined;
      for (const r of ranges) {
        if (!r.reading) continue;
        const from = r.last ?? r.start;
        if (from === undefined) continue;
        const to = r.end ?? lastMinute + MINUTE;
        const minutes = (to - from) / MINUTE;
        if (minutes < 2 || minutes * perMinute < minSplitRows) continue;
        if (!best || minutes > best.minutes) best = { range: r, from, minutes };
      }
      if (!best || !slots.tryTake()) return;
      const cut = best.from + Math.floor(best.minutes / 2) * MINUTE;
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
        sorts: [{ timestamp: 'created_time', direction: 'descending' }],
        page_size: 1,
        ...(options.filterProperties ? { filter_properties: options.filterProperties } : {}),
      }));
      const row = res.results.find((r) => r.object === 'page');
      if (row) lastMinute = minuteOf(row.created_time);
      rebalance();
    } catch (error) {
      fail(error);
    }
  };

  function start(range: Range): void {
    const first = ranges[0] === range && range.start === undefined;
    tasks.push(
      (async () => {
        try {
          const rows = queryWindowed(api, dataSourceId, {
            timestamp: 'created_time',
            from: iso(range.start),
            before: () => iso(range.end),
            pageSize,
            signal: stop.signal,
            filterProperties: options.filterProperties,
            onResponse: (res) => {
              if (first && !probing && res.has_more) tasks.push(probe());
            },
          });
          for await (const row of rows) {
            const minute = minuteOf(row.created_time);
            range.first ??= minute;
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
    const head = newRange(undefined, undefined);
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
