/**
 * `sync --incremental`: reads the destination's state, reads only what changed since (and what left),
 * writes it with the state in one commit, and reports what it did. See src/stages/read-changes.ts for
 * the reading, src/state/state.ts for the state.
 *
 * Where the state lives:
 *   duckdb, bigquery  the destination's `_notion_stream_state` table, committed with the data
 *   csv               the file given with --state (required), written by the sink in one commit with the files
 *   ndjson            a STATE message at the end of the output; --state <path> is read, and written by the
 *                     sink in one commit with an --out file (on stdout the pipe's end saves it: `load --state`)
 */
import type { SingerMessage } from '../singer/messages.js';
import { createSink } from '../sinks/create.js';
import type { Sink, SinkSummary } from '../sinks/types.js';
import { listDataSources } from '../stages/list-data-sources.js';
import { readChanges, type ChangeReport } from '../stages/read-changes.js';
import { readStateFile } from '../state/file.js';
import { parseDuration, parseState, stateKey, type SyncState } from '../state/state.js';
import type { RunStats } from '../util/stats.js';
import { UsageError, startProgress, type RunContext } from './run.js';
import { notionApiFor } from './source-commands.js';
import { checkSourceOptions } from './validate.js';
import { checkDestination, describeSummary, tableOverrides, toTables, type SyncOptions } from './pipeline-commands.js';
import type { NotionDataSource } from '../notion/types.js';
import { CatalogCollector } from '../stages/catalog.js';
import { PageTap, withWorkspaceTables } from '../stages/workspace.js';
import { describeRequests, workspaceOptions } from './workspace-flags.js';

export interface IncrementalOptions {
  incremental?: boolean;
  /** State file (csv, ndjson). */
  state?: string;
  refreshComputed?: boolean;
  softDelete?: boolean;
  reconcile?: boolean;
  /** A duration: `12h`, `7d`. */
  reconcileEvery?: string;
}

const WAREHOUSES = new Set(['duckdb', 'bigquery']);

/** Checks the flags and builds the sink of an incremental run. */
function incrementalSink(ctx: RunContext, options: SyncOptions & IncrementalOptions): Sink {
  const warehouse = WAREHOUSES.has(options.to);
  if (options.mode && options.mode !== 'replace' && options.mode !== 'merge') {
    throw new UsageError(`--incremental merges the changed rows into the tables; it does not take --mode ${options.mode}.`);
  }
  if (warehouse && options.state) {
    throw new UsageError(`--to ${options.to} keeps the incremental state in its own table (_notion_stream_state), committed with the data; drop --state.`);
  }
  if (options.to === 'csv' && !options.state) {
    throw new UsageError('--incremental --to csv needs --state <file>: CSV files cannot hold the state. The first run reads everything and writes it there.');
  }
  // A file sink takes the state file: it writes it in one commit with the data, and reads it back after
  // recovering a commit a killed run left.
  return createSink({ ...options, mode: warehouse ? 'merge' : 'replace', stdout: ctx.stdout, env: ctx.env, log: (line) => ctx.logger.info(line) });
}

async function previousState(sink: Sink, options: SyncOptions & IncrementalOptions, signal: AbortSignal): Promise<SyncState | undefined> {
  if (sink.readState) return parseState(await sink.readState(signal), options.state ?? `the ${options.to} destination's _notion_stream_state table`);
  if (!options.state) return undefined;
  return parseState(await readStateFile(options.state), options.state);
}

/** The lines of the incremental part of the summary. */
/** True when an incremental run found nothing to change: no full read, no edit, no deletion. */
export function nothingChanged(report: ChangeReport): boolean {
  return report.full.length === 0 && report.edited === 0 && report.trashed === 0 && report.missing === 0;
}

export function describeChanges(report: ChangeReport): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const checked = report.merged.length;
  const reread = report.reread > 0 ? ` (${n(report.reread)} page${report.reread === 1 ? '' : 's'} of the last run's final minute read again to be sure)` : '';
  const lines = [
    nothingChanged(report)
      ? `Nothing changed since the last run: ${checked} data source${checked === 1 ? '' : 's'} checked, no page edited${reread}, 0 trashed and 0 missing pages deleted; the tables are as they were.`
      : `Incremental: ${checked} data source${checked === 1 ? '' : 's'} merged, ${report.full.length} read in full; ${n(report.trashed)} trashed and ${n(report.missing)} missing page${report.missing === 1 ? '' : 's'} deleted; ${n(report.edited)} page${report.edited === 1 ? '' : 's'} edited since the last run.`,
    `Requests for deletions: ${n(report.trashRequests)} trash search; ${report.reconciled.length > 0 ? `${n(report.reconcileRequests)} reconciliation (${report.reconciled.length} data source${report.reconciled.length === 1 ? '' : 's'}), counted apart` : 'no reconciliation (--reconcile or --reconcile-every)'}.`,
  ];
  return lines.join('\n');
}

/**
 * Warns, one line each, about data sources the previous run loaded that the listing no longer shows
 * (deleted, or no longer shared with the integration): their tables and bookmarks are kept as they were.
 */
export function warnDisappeared(ctx: RunContext, previous: SyncState | undefined, listed: readonly NotionDataSource[]): void {
  if (!previous) return;
  const present = new Set(listed.map((ds) => stateKey(ds.id)));
  for (const [key, bookmark] of Object.entries(previous.bookmarks)) {
    if (present.has(key)) continue;
    ctx.logger.warn(
      `Data source ${key} (table "${bookmark.table}") was loaded before but is no longer shared with the integration or was deleted; its table and bookmark are kept as they were. Share it again, or drop the table if it is gone for good.`,
    );
  }
}

export async function syncIncremental(ctx: RunContext, options: SyncOptions & IncrementalOptions, stats: RunStats): Promise<void> {
  const reconcileEveryMs = options.reconcileEvery === undefined ? undefined : parseDuration(options.reconcileEvery);
  checkSourceOptions(options);
  tableOverrides(options.table);
  const sink = incrementalSink(ctx, options);
  // The state file is checked with --out before anything is replaced: data and state go together.
  await checkDestination(options, options.to === 'csv' || (options.out !== undefined && options.out !== '-'));
  const previous = await previousState(sink, options, ctx.signal);
  const api = notionApiFor(ctx, options, stats);
  const stop = startProgress(ctx, stats, options.rateLimit);
  let summary: SinkSummary;
  let report: ChangeReport;
  let state: SyncState;
  const requests = new Map<string, number>();
  try {
    const dataSources: NotionDataSource[] = [];
    for await (const ds of listDataSources(api, { databases: options.database })) dataSources.push(ds);
    if (!options.database) warnDisappeared(ctx, previous, dataSources);
    const read = await readChanges(api, dataSources, {
      previous,
      fullRefresh: options.fullRefresh,
      refreshComputed: options.refreshComputed,
      reconcile: options.reconcile,
      reconcileEveryMs,
      tableNames: tableOverrides(options.table),
      concurrency: options.concurrency,
      signal: ctx.signal,
      announce: (line) => ctx.logger.warn(line),
      log: (line) => ctx.logger.progress?.(line),
    });
    report = read.report;
    const collector = new CatalogCollector();
    const onTable: typeof read.onTable = (spec, ds) => {
      read.onTable(spec, ds);
      collector.onTable(spec, ds);
    };
    const tap = new PageTap();
    const tables = toTables(tap.tap(read.items), ctx, options, { deletions: true, plan: read.plan, onTable });
    const withState = async function* (): AsyncGenerator<SingerMessage> {
      // Content and comments only for the pages this run read: the ones edited since the last run.
      yield* withWorkspaceTables(tables, api, collector, workspaceOptions(ctx, options, requests), tap);
      state = read.state();
      yield { type: 'STATE', value: state };
    };
    summary = await sink.write(withState(), ctx.signal);
  } finally {
    stop();
  }
  if (options.state && options.to === 'ndjson' && (options.out === undefined || options.out === '-')) {
    ctx.logger.info(`The state is the last line of the output (a STATE message); ${options.state} is left as it was: save it where the pipe ends, e.g. \`notion-stream load ... --state ${options.state}\`.`);
  }
  ctx.logger.info(`Read ${stats.summary()}.`);
  if (requests.size > 0) ctx.logger.info(describeRequests(requests));
  ctx.logger.info(describeChanges(report));
  if (!nothingChanged(report)) ctx.logger.info(describeSummary(summary));
}
