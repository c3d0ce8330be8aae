/**
 * `sync` (lister → page reader → flattener → splitter → sink) and the same stages over stdin/stdout:
 * `flatten`, `split` and `load`. Whatever fails, the sink leaves the destination as it was.
 */
import type { Readable } from 'node:stream';
import type { ArraysMode } from '../core/split.js';
import { tableName } from '../core/names.js';
import type { SingerMessage } from '../singer/messages.js';
import { readJsonLines, readSingerLines } from '../singer/read.js';
import { createSink, DEFAULT_CSV_DIR, type Destination, type WriteMode } from '../sinks/create.js';
import { DEFAULT_DUCKDB_PATH } from '../sinks/duckdb.js';
import { checkSourceOptions, checkWritableOut } from './validate.js';
import type { Sink, SinkSummary } from '../sinks/types.js';
import { flattenStream, type FlattenStreamOptions } from '../stages/flatten.js';
import { listDataSources } from '../stages/list-data-sources.js';
import { readPages, type PageStreamItem } from '../stages/read-pages.js';
import { splitStream } from '../stages/split.js';
import { count, RunStats } from '../util/stats.js';
import { runCommand, startProgress, UsageError, type CommandIO, type RunContext } from './run.js';
import { notionApiFor, writeNdjson, type SourceOptions } from './source-commands.js';
import { syncIncremental, type IncrementalOptions } from './sync-incremental.js';
import { writeStateFile } from '../state/file.js';
import { parseState, type SyncState } from '../state/state.js';
import { readChanges } from '../stages/read-changes.js';
import type { NotionApi } from '../notion/api.js';
import type { NotionDataSource } from '../notion/types.js';
import { CatalogCollector } from '../stages/catalog.js';
import { PageTap, withWorkspaceTables, type WorkspaceOptions } from '../stages/workspace.js';
import { describeRequests, workspaceOptions, type WorkspaceFlags } from './workspace-flags.js';
import { withSingerEnd } from '../singer/end-marker.js';

export interface ShapeOptions {
  /** `--table <data source id>=<name>`, repeatable. */
  table?: string[];
  arrays?: ArraysMode;
}

export interface DestinationOptions {
  to: Destination;
  out?: string;
  mode?: WriteMode;
  project?: string;
  dataset?: string;
  location?: string;
  bigqueryEndpoint?: string;
  fullRefresh?: boolean;
  /** Warehouses: deletion records set `_deleted_at` instead of deleting rows. */
  softDelete?: boolean;
}

export type SyncOptions = SourceOptions & ShapeOptions & DestinationOptions & IncrementalOptions & WorkspaceFlags;

/** Parses `--table id=name` pairs. */
export function tableOverrides(pairs: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const at = pair.lastIndexOf('='); // a title may hold '=', a table name never does
    if (at <= 0 || at === pair.length - 1) throw new UsageError(`--table takes <data source id or title>=<table name>, got "${pair}".`);
    const id = pair.slice(0, at).trim(); // a data source id or title
    const name = pair.slice(at + 1).trim();
    try {
      tableName('', id, { [id]: name }); // the naming rules, checked before anything is read
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    out[id] = name;
  }
  return out;
}

/** The flattener's options from the command line: table names, warnings to stderr, the run's signal. */
function flattenOptions(ctx: RunContext, options: ShapeOptions) {
  return { tableNames: tableOverrides(options.table), onWarning: (m: string) => ctx.logger.warn(m), signal: ctx.signal };
}

/** Flattener then splitter, as one step: pages in, Singer messages of typed tables out. */
export function toTables(items: AsyncIterable<PageStreamItem>, ctx: RunContext, options: ShapeOptions, extra: Partial<FlattenStreamOptions> = {}): AsyncGenerator<SingerMessage> {
  const flat = flattenStream(items, { ...flattenOptions(ctx, options), ...extra });
  return splitStream(flat, { arrays: options.arrays, signal: ctx.signal });
}

/**
 * Checks the destination's options and paths before anything is read or changed: `--out` (and `--state`
 * when the run will write it) must be writable, so a bad path fails at once with one line.
 */
export async function checkDestination(options: DestinationOptions & { state?: string }, writesState: boolean): Promise<void> {
  if (options.out !== undefined && options.out !== '-' && options.to !== 'bigquery') {
    await checkWritableOut('--out', options.out, options.to === 'csv' ? 'dir' : 'file');
  } else if (options.to === 'duckdb') await checkWritableOut('--out', DEFAULT_DUCKDB_PATH, 'file');
  else if (options.to === 'csv') await checkWritableOut('--out', DEFAULT_CSV_DIR, 'dir');
  if (writesState && options.state) await checkWritableOut('--state', options.state, 'file');
}

function sinkFor(ctx: RunContext, options: DestinationOptions & { state?: string }): Sink {
  return createSink({ ...options, stdout: ctx.stdout, env: ctx.env, log: (line) => ctx.logger.info(line) });
}

/** Prints what the sink wrote, one line per table. */
export function describeSummary(summary: SinkSummary): string {
  const rows = summary.tables.reduce((n, t) => n + t.rows, 0);
  const width = Math.max(5, ...summary.tables.map((t) => t.table.length));
  const jobs = summary.jobs ? [`BigQuery jobs: ${summary.jobs.load} load, ${summary.jobs.copy} copy, ${summary.jobs.query} query.`] : [];
  return [
    `Wrote ${count(summary.tables.length, 'table')} (${count(rows, 'row')}) to ${summary.destination}:`,
    ...summary.tables.map((t) => `  ${t.table.padEnd(width)}  ${t.rows.toLocaleString('en-US').padStart(9)}`),
    ...jobs,
  ].join('\n');
}

export function syncCommand(options: SyncOptions, io: CommandIO = {}): Promise<number> {
  return runCommand(io, options, async (ctx) => {
    const stats = new RunStats();
    if (options.incremental) return syncIncremental(ctx, options, stats);
    if (options.state || options.reconcile || options.reconcileEvery || options.refreshComputed) {
      throw new UsageError('--state, --reconcile, --reconcile-every and --refresh-computed belong to incremental runs: add --incremental.');
    }
    checkSourceOptions(options);
    tableOverrides(options.table);
    const sink = sinkFor(ctx, options); // a bad destination is refused before Notion is read
    await checkDestination(options, false);
    const api = notionApiFor(ctx, options, stats);
    const stop = startProgress(ctx, stats, options.rateLimit);
    let summary: SinkSummary;
    const requests = new Map<string, number>();
    try {
      const workspace: Workspace = { collector: new CatalogCollector(), tap: new PageTap(), options: workspaceOptions(ctx, options, requests) };
      if (sink.readState) {
        summary = await sink.write(fullRunWithState(ctx, options, api, await previousState(sink, ctx.signal), workspace), ctx.signal);
      } else {
        const pages = readPages(api, listDataSources(api, { databases: options.database }), { concurrency: options.concurrency, signal: ctx.signal });
        const tables = toTables(workspace.tap.tap(pages), ctx, options, { onTable: workspace.collector.onTable });
        summary = await sink.write(withWorkspaceTables(tables, api, workspace.collector, workspace.options, workspace.tap), ctx.signal);
      }
    } finally {
      stop();
    }
    ctx.logger.info(`Read ${stats.summary()}.`);
    if (requests.size > 0) ctx.logger.info(describeRequests(requests));
    ctx.logger.info(describeSummary(summary));
  });
}

/** The workspace tables of a sync: the catalog collected from the run, the pages read, the flags. */
interface Workspace {
  collector: CatalogCollector;
  tap: PageTap;
  options: WorkspaceOptions;
}

/** The state a warehouse holds (from a full or incremental run), or undefined. */
async function previousState(sink: Sink, signal: AbortSignal): Promise<SyncState | undefined> {
  return parseState(await sink.readState!(signal), "the destination's _notion_stream_state table");
}

/**
 * A full run into a warehouse: every data source read in full, its columns kept by property id from the
 * state an earlier run (full or incremental) committed (a renamed property keeps its column), and the
 * new state committed with the data, so full and incremental runs give the same tables.
 */
async function* fullRunWithState(ctx: RunContext, options: SyncOptions, api: NotionApi, previous: SyncState | undefined, workspace: Workspace): AsyncGenerator<SingerMessage> {
  const dataSources: NotionDataSource[] = [];
  for await (const ds of listDataSources(api, { databases: options.database })) dataSources.push(ds);
  const read = await readChanges(api, dataSources, {
    previous,
    fullRefresh: true,
    replaces: (options.mode ?? 'replace') === 'replace',
    concurrency: options.concurrency,
    signal: ctx.signal,
  });
  const onTable: typeof read.onTable = (spec, ds) => {
    read.onTable(spec, ds);
    workspace.collector.onTable(spec, ds);
  };
  // The sink's --mode decides how the tables are written, not the SCHEMA's load_mode.
  const tables = toTables(workspace.tap.tap(read.items), ctx, options, { plan: (ds) => ({ ...read.plan(ds), loadMode: undefined }), onTable });
  yield* withWorkspaceTables(tables, api, workspace.collector, workspace.options, workspace.tap);
  yield { type: 'STATE', value: read.state() };
}

function stdinOf(io: CommandIO): Readable {
  return (io.stdin ?? process.stdin) as Readable;
}

/** Options of the commands that read a pipe. */
export interface PipeInputOptions {
  /**
   * Treat the end of input as complete when it has no end marker (input from another Singer tap).
   * Default false: an input without the marker of the stage before fails the run (the completion protocol).
   */
  assumeComplete?: boolean;
}

const endPolicy = (options: PipeInputOptions) => (options.assumeComplete ? 'assume' : 'require');

export function flattenCommand(options: ShapeOptions & PipeInputOptions & { quiet?: boolean }, io: CommandIO = {}): Promise<number> {
  return runCommand(io, options, async (ctx) => {
    const flatten = flattenOptions(ctx, options); // bad --table values are refused before any input is read
    const items = readJsonLines(stdinOf(io), { end: endPolicy(options) }) as AsyncIterable<PageStreamItem>;
    await writeNdjson(ctx, withSingerEnd(flattenStream(items, flatten)));
  });
}

export function splitCommand(options: ShapeOptions & PipeInputOptions & { quiet?: boolean }, io: CommandIO = {}): Promise<number> {
  return runCommand(io, options, async (ctx) => {
    await writeNdjson(ctx, withSingerEnd(splitStream(readSingerLines(stdinOf(io), { end: endPolicy(options) }), { arrays: options.arrays, signal: ctx.signal })));
  });
}

export function loadCommand(options: DestinationOptions & PipeInputOptions & { quiet?: boolean; state?: string }, io: CommandIO = {}): Promise<number> {
  return runCommand(io, options, async (ctx) => {
    // CSV and an NDJSON file commit the state file with the data; a warehouse commits it in its own table
    // and the file is written after (nothing to write it with on stdout).
    const fileCommit = options.to === 'csv' || (options.to === 'ndjson' && options.out !== undefined && options.out !== '-');
    const sink = sinkFor(ctx, fileCommit ? options : { ...options, state: undefined });
    await checkDestination(options, true);
    const messages = readSingerLines(stdinOf(io), { end: endPolicy(options), onWarning: (m) => ctx.logger.warn(m) });
    const summary = await sink.write(messages, ctx.signal);
    if (summary.state === undefined) {
      ctx.logger.info('The input ended without a STATE message: the data is loaded, and there is no state to resume an incremental run from.');
    }
    // The state of the STATE messages loaded, saved only now that the data they describe is in place.
    if (options.state && summary.state !== undefined && !fileCommit) await writeStateFile(options.state, summary.state);
    ctx.logger.info(describeSummary(summary));
  });
}
