/**
 * The incremental reader: what changed in each data source since the state's watermark, and what left
 * it, as the page reader's items (each data source object, its changed pages, then its deletions), plus
 * the state to commit once the destination holds them.
 *
 * Per data source:
 *   - no bookmark yet, --full-refresh, a retyped property (its columns cannot stay), or --refresh-computed
 *     with formula or rollup properties: a full read, and the table is replaced (`load_mode: replace`);
 *   - otherwise: the rows edited at or after the watermark's minute (`queryAllRows` with `since`), merged.
 * Deletions, for merged data sources only, checked against the pages the destination holds: a warehouse's
 * table answers (`heldIds`, sinks/held-ids.ts: rows soft-deleted before are not held), a file destination's
 * state lists the ids (state/id-set.ts):
 *   - trashed pages: one search with the `in_trash` filter for the whole run, looking back to the start of
 *     the oldest bookmark's run (cost: one request per 100 trashed pages); the finds the destination
 *     holds are deleted;
 *   - deleted or unshared pages, with reconciliation (`--reconcile`, or `--reconcile-every` when due): every
 *     id of the data source is listed (one request per 100 rows) and held ids that are no longer there are
 *     deleted. Its requests are counted apart.
 * Phases run one after another (search, reconciliation, then reading), so each phase's requests are its own.
 */
import type { NotionApi } from '../notion/api.js';
import { plainText, type NotionDataSource } from '../notion/types.js';
import { tableOverride } from '../core/names.js';
import { retypedProperties, specLayout, type TableSpec } from '../core/flatten.js';
import { nextState, parseDuration, reconcileDue, stateKey, trashSearchSince, type DataSourceRun, type DataSourceState, type SyncState } from '../state/state.js';
import type { HeldIds } from '../sinks/held-ids.js';
import type { DataSourcePlan } from './flatten.js';
import { describeDataSource, floorToMinute, readPages, type PageDeletion, type PageStreamItem } from './read-pages.js';
import { findTrashedPages, type TrashedPage } from './read-trashed.js';
import { listAllIdSet } from './reconcile.js';
import { chooseThirdKey } from './third-key.js';
import { mapOrdered } from '../util/concurrency.js';
import type { IdSet } from '../state/id-set.js';

export { parseDuration };

/** Options of `readChanges`; only `previous` is required. */
export interface ChangeReaderOptions {
  /** The state the destination holds; undefined: a first run, everything is read. */
  previous: SyncState | undefined;
  /** Read every data source in full and replace its table. */
  fullRefresh?: boolean;
  /** Read in full (and replace) the data sources with formula or rollup properties, whose values change without an edit. */
  refreshComputed?: boolean;
  /** Reconcile the ids of every merged data source. */
  reconcile?: boolean;
  /** Reconcile those whose last reconciliation is older than this (ms). */
  reconcileEveryMs?: number;
  /** `--table` overrides by data source id or title: a merged data source whose table name changes is read in full. */
  tableNames?: Readonly<Record<string, string>>;
  /**
   * The destination's answers about the pages its tables hold (warehouses: `createHeldIds`): deletions
   * are checked against the tables, and the new state keeps no page ids. Absent (CSV, NDJSON): the
   * state's ids are used and kept. Closed once the deletion phases are done.
   */
  heldIds?: HeldIds;
  /**
   * False when the destination keeps the rows a full read does not bring (a plain `sync --mode append`
   * or `merge`): the new state then keeps the ids it held (file destinations). Default true.
   */
  replaces?: boolean;
  /** Data sources read at the same time. */
  concurrency?: number;
  /** Stops every phase; the reader rejects with code `aborted`. */
  signal?: AbortSignal;
  /** Announcements (full refreshes and why) go here: stderr on the command line. */
  announce?: (line: string) => void;
  /** Progress of the deletion phases. */
  log?: (line: string) => void;
  /** The clock (ms), for tests. */
  now?: () => number;
}

/**
 * What an incremental run found, per phase, for the summary; counts are pages unless named otherwise.
 * Filled while the items are consumed: complete once `items` has ended.
 */
export interface ChangeReport {
  /** Data sources read in full, with why. */
  full: { dataSource: string; reason: string }[];
  /** Data sources read incrementally. */
  merged: string[];
  /** Pages found in the trash (deleted from merged tables). */
  trashed: number;
  /** Pages the reconciliation found gone (deleted permanently or unshared). */
  missing: number;
  /** Pages of merged data sources edited since the last run (new ones included), counted as they are read. */
  edited: number;
  /**
   * Pages of merged data sources read again only because they were edited in the minute of the
   * watermark (Notion keeps times to the minute): already loaded, most likely unchanged. "Already
   * loaded": in the state's ids (files), or a row of the table edited in that minute (warehouses).
   */
  reread: number;
  /** Requests of the trash search. */
  trashRequests: number;
  /** Data sources reconciled and the requests it took. */
  reconciled: string[];
  /** Requests the reconciliation took (one per 100 rows). */
  reconcileRequests: number;
}

/**
 * What `readChanges` returns: the items to flatten, the plan the flattener asks for, and the state to
 * commit once the destination holds the items.
 */
export interface ChangeRead {
  /**
   * The page reader's items: each data source object, its changed pages, then its deletions. Rejects with
   * the `NotionApi` error codes (`bad_token`, `not_shared`, `retries_exhausted`, ...) or `aborted`.
   */
  items: AsyncGenerator<PageStreamItem>;
  /** For the flattener: each data source's previous layout and load mode. */
  plan: (dataSource: NotionDataSource) => DataSourcePlan;
  /** For the flattener: keeps each table's spec, whose layout the new state records. */
  onTable: (spec: TableSpec, dataSource: NotionDataSource) => void;
  /** The state once every item has been consumed (and the destination committed them). */
  state: () => SyncState;
  /** What the run found; complete once `items` has ended. */
  report: ChangeReport;
}

interface Plan {
  full: boolean;
  bookmark: DataSourceState | undefined;
  /** File destinations: the ids the bookmark holds. */
  ids: IdSet | undefined;
  /** Warehouses: the keys (`stateKey`) of the held rows edited in the watermark's minute or later. */
  heldAtWatermark: Set<string>;
  deletions: PageDeletion[];
  reconciledAt?: string;
  read: Set<string>;
  latestEdit: string | undefined;
  spec?: TableSpec;
}

const COMPUTED = new Set(['formula', 'rollup']);

/** Plans and starts the incremental read of `dataSources`. */
export async function readChanges(api: NotionApi, dataSources: readonly NotionDataSource[], options: ChangeReaderOptions): Promise<ChangeRead> {
  const now = options.now ?? Date.now;
  const startedAt = new Date(now()).toISOString();
  const announce = options.announce ?? (() => {});
  const log = options.log ?? (() => {});
  const plans = new Map<string, Plan>();
  const report: ChangeReport = { full: [], merged: [], trashed: 0, missing: 0, edited: 0, reread: 0, trashRequests: 0, reconciled: [], reconcileRequests: 0 };

  for (const ds of dataSources) {
    const bookmark = options.previous?.bookmarks[stateKey(ds.id)];
    let reason: string | undefined;
    let override: [string, string] | undefined;
    if (!bookmark) reason = 'first incremental run';
    else if (options.fullRefresh) reason = '--full-refresh';
    else if (!options.heldIds && !bookmark.ids) reason = 'the state holds no page ids (it was written for a warehouse)';
    else if ((override = tableOverride(options.tableNames ?? {}, ds.id, plainText(ds.title))) && override[1] !== bookmark.table) reason = `--table names it ${override[1]}`;
    else {
      const retyped = retypedProperties(bookmark.properties, ds);
      const computed = Object.values(ds.properties ?? {}).filter((p) => COMPUTED.has(p.type));
      if (retyped.length > 0) reason = `property type changed: ${retyped.map((r) => `"${r.name}" ${r.from} → ${r.to}`).join(', ')}`;
      else if (options.refreshComputed && computed.length > 0) reason = `--refresh-computed (${computed.map((p) => `"${p.name}"`).join(', ')})`;
    }
    const full = reason !== undefined;
    plans.set(stateKey(ds.id), { full, bookmark, ids: full ? undefined : bookmark!.ids, heldAtWatermark: new Set(), deletions: [], read: new Set(), latestEdit: undefined, ...(full ? { reconciledAt: startedAt } : {}) });
    if (full) {
      report.full.push({ dataSource: ds.id, reason: reason! });
      if (bookmark) announce(`Full refresh of data source ${describeDataSource(ds)}, table ${bookmark.table}: ${reason}. The table is replaced.`);
    } else report.merged.push(ds.id);
  }

  const merged = dataSources.filter((ds) => !plans.get(stateKey(ds.id))!.full);

  try {
    await findDeletions();
  } finally {
    await options.heldIds?.close();
  }

  async function findDeletions(): Promise<void> {
    const held = options.heldIds;
    // 1. Trashed pages, in one search for the run, kept where the destination holds them.
    if (merged.length > 0) {
      const before = api.stats.requests;
      const since = trashSearchSince(merged.map((ds) => plans.get(stateKey(ds.id))!.bookmark!));
      log(`Looking for pages trashed since ${since ?? 'ever'}.`);
      const found = new Map<Plan, TrashedPage[]>();
      for (const page of await findTrashedPages(api, since, { dataSourceIds: merged.map((ds) => ds.id), signal: options.signal })) {
        const plan = plans.get(stateKey(page.dataSourceId));
        if (!plan || plan.full) continue;
        const pages = found.get(plan);
        if (pages) pages.push(page);
        else found.set(plan, [page]);
      }
      report.trashRequests = api.stats.requests - before;
      // One question per table: which of the trashed pages it holds, and which rows of the watermark's
      // minute; `held.concurrency` of them at once, the answers kept in the order of the data sources.
      const answers: Set<string>[] = [];
      if (held) {
        const ask = async (ds: NotionDataSource): Promise<Set<string>> => {
          const plan = plans.get(stateKey(ds.id))!;
          const watermark = plan.bookmark!.watermark;
          const ids = (found.get(plan) ?? []).map((p) => p.id);
          return held.held(plan.bookmark!.table, { ids, ...(watermark ? { editedSince: floorToMinute(watermark) } : {}) }, options.signal);
        };
        for await (const answer of mapOrdered(merged, ask, { concurrency: Math.max(1, held.concurrency ?? 1), signal: options.signal })) answers.push(answer);
      }
      for (const [i, ds] of merged.entries()) {
        const plan = plans.get(stateKey(ds.id))!;
        const pages = found.get(plan) ?? [];
        let holds: (id: string) => boolean = (id) => plan.ids?.has(id) ?? false;
        if (held) {
          const keys = new Set([...answers[i]!].map(stateKey));
          plan.heldAtWatermark = keys;
          holds = (id) => keys.has(stateKey(id));
        }
        for (const page of pages) {
          if (!holds(page.id)) continue;
          plan.deletions.push({ object: 'page_deletion', id: page.id, data_source_id: page.dataSourceId, deleted_time: page.trashedTime, reason: 'trashed' });
          report.trashed++;
        }
      }
    }

    // 2. Reconciliation: held ids that the data source no longer has.
    const reconcileBefore = api.stats.requests;
    for (const ds of merged) {
      const plan = plans.get(stateKey(ds.id))!;
      if (!options.reconcile && !reconcileDue(plan.bookmark, options.reconcileEveryMs, now())) continue;
      log(`Reconciling data source ${describeDataSource(ds)}: listing every id.`);
      const thirdKey = chooseThirdKey(ds.properties);
      const listed = await listAllIdSet(api, ds.id, { signal: options.signal, ...(thirdKey ? { thirdKey } : {}) });
      const gone = held ? await held.notListed(plan.bookmark!.table, listed, options.signal) : plan.ids!.minus(listed);
      const trashed = new Set(plan.deletions.map((d) => stateKey(d.id)));
      for (const id of gone) {
        if (trashed.has(stateKey(id))) continue;
        plan.deletions.push({ object: 'page_deletion', id, data_source_id: ds.id, deleted_time: startedAt, reason: 'missing' });
        report.missing++;
      }
      plan.reconciledAt = startedAt;
      report.reconciled.push(ds.id);
    }
    report.reconcileRequests = api.stats.requests - reconcileBefore;
  }

  // 3. The changed rows, each data source followed by its deletions.
  const planOf = (id: string) => plans.get(stateKey(id))!;
  const pages = readPages(api, dataSources, {
    concurrency: options.concurrency,
    signal: options.signal,
    since: (ds) => (planOf(ds.id).full ? undefined : planOf(ds.id).bookmark!.watermark),
    trailer: (ds) => planOf(ds.id).deletions,
  });

  async function* tracked(): AsyncGenerator<PageStreamItem> {
    let current: Plan | undefined;
    for await (const item of pages) {
      if (item.object === 'data_source') current = planOf(item.id);
      else if (item.object === 'page') {
        current!.read.add(item.id);
        if (!current!.full) {
          const held = current!.ids ? current!.ids.has(item.id) : current!.heldAtWatermark.has(stateKey(item.id));
          const atWatermark = held && Date.parse(item.last_edited_time) <= Date.parse(current!.bookmark!.watermark ?? '');
          if (atWatermark) report.reread++;
          else report.edited++;
        }
        if (current!.latestEdit === undefined || Date.parse(item.last_edited_time) > Date.parse(current!.latestEdit)) current!.latestEdit = item.last_edited_time;
      } else if (current!.read.has(item.id)) {
        continue; // read live in this run after the deletion was found (restored): the live row stands
      }
      yield item;
    }
  }

  return {
    items: tracked(),
    report,
    plan: (ds) => {
      const plan = planOf(ds.id);
      // Full reads keep the columns loaded before too (by property id), so full and merged runs give the same tables.
      const before = plan.bookmark ? { layout: plan.bookmark.properties, table: plan.bookmark.table } : {};
      return { loadMode: plan.full ? 'replace' : 'merge', ...before };
    },
    onTable: (spec, ds) => {
      planOf(ds.id).spec = spec;
    },
    state: () => {
      const runs = new Map<string, DataSourceRun>();
      for (const ds of dataSources) {
        const plan = planOf(ds.id);
        if (!plan.spec) throw new Error(`data source ${ds.id} was not flattened`);
        runs.set(ds.id, {
          table: plan.spec.table,
          properties: specLayout(plan.spec),
          full: plan.full && options.replaces !== false,
          read: plan.read,
          latestEdit: plan.latestEdit,
          deleted: plan.deletions.filter((d) => !plan.read.has(d.id)).map((d) => d.id),
          startedAt,
          ...(plan.reconciledAt ? { reconciledAt: plan.reconciledAt } : {}),
        });
      }
      return nextState(options.previous, runs, { ids: !options.heldIds });
    },
  };
}
