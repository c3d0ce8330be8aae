/**
 * `sync()`: one whole run, full or incremental, into any destination, as a library call. The command
 * line's `sync` and `demo` are thin layers over it.
 *
 * A run is one object with its steps, in order:
 *   destination  the sink is built and `out` (and the state file) checked: a bad destination is refused
 *                before Notion is read
 *   read         the data sources are listed, then their pages read (in full, or only what changed since
 *                the state the destination holds, with the deletions)
 *   tables       flattener and splitter turn pages into typed tables; the workspace tables follow
 *   load         the sink writes everything, all-or-nothing, the state committed with the data
 *   state        a state file (CSV, NDJSON with `out`) is committed by the sink with the data
 *
 * Where the state of incremental runs lives:
 *   duckdb, bigquery  the destination's `_notion_stream_state` table, committed with the data; it holds no
 *                     page ids: deletions are checked against the tables (sinks/held-ids.ts)
 *   csv               the file given with `state` (required), written by the sink in one commit with the files
 *   ndjson            a STATE message at the end of the output; `state` is read, and written by the sink in
 *                     one commit with an `out` file (on stdout the pipe's end saves it: `load --state`)
 */
import { randomBytes } from 'node:crypto';
import type { NotionApi } from '../notion/api.js';
import type { NotionDataSource, NotionPage } from '../notion/types.js';
import type { SingerMessage } from '../singer/messages.js';
import { createSink } from '../sinks/create.js';
import { createHeldIds } from '../sinks/create-held-ids.js';
import { RUNS_TABLE, type RunRecord, type Sink, type SinkSummary } from '../sinks/types.js';
import { isAbortError, isNotionStreamError, redact } from '../errors.js';
import { TOOL_VERSION } from '../util/version.js';
import { withLineage } from './lineage.js';
import { CatalogCollector } from '../stages/catalog.js';
import { listDataSources } from '../stages/list-data-sources.js';
import { readChanges, type ChangeRead, type ChangeReport } from '../stages/read-changes.js';
import { readPages, type PageStreamItem } from '../stages/read-pages.js';
import { PageTap, withWorkspaceTables, type WorkspaceOptions } from '../stages/workspace.js';
import { readStateFile } from '../state/file.js';
import { parseState, stateKey, type SyncState } from '../state/state.js';
import { silentLogger, type Logger } from '../util/log.js';
import { RunStats } from '../util/stats.js';
import { checkDestination } from './destination.js';
import { openNotionApi } from './notion.js';
import { normalizeSyncOptions, type NormalizedSyncOptions, type SyncOptions } from './options.js';
import { nothingChanged, type SyncSummary } from './summary.js';
import { toTables } from './tables.js';

/**
 * Runs one sync: reads the data sources shared with the integration (or `database`), writes their tables
 * and the workspace tables to `to`, and resolves with what it did. Full by default; `incremental: true`
 * reads only what changed since the state the destination holds and merges it. Whatever fails, the
 * destination is left as it was.
 *
 * Throws `NotionStreamError` with `code`:
 *   invalid_option     a bad option or combination (exit code 2 on the command line), a missing token,
 *                      an `out` or `state` path that cannot be written
 *   bad_token, not_shared, invalid_id   Notion refused the token or an id
 *   retries_exhausted, rate_limit_blocked, notion_error, window_stuck   Notion failed (see `retryable`)
 *   invalid_state      a saved state that is not usable
 *   invalid_name, invalid_schema, invalid_value   a destination that cannot take a table, column or value
 *   schema_changed, bigquery_error, io_error   the destination failed
 *   aborted            `signal` aborted (an `AbortError` may also surface from a stream)
 */
export async function sync(options: SyncOptions = {}): Promise<SyncSummary> {
  return new SyncRun(options).run();
}

/** The workspace tables of a run: the catalog collected from the data tables, the pages read, the flags. */
interface Workspace {
  collector: CatalogCollector;
  tap: PageTap;
  options: WorkspaceOptions;
}

/** A new run id: the start time (base 36) and 6 random hex digits. */
export function newRunId(now = Date.now()): string {
  return `${now.toString(36)}${randomBytes(3).toString('hex')}`;
}

/** One run and its steps. */
class SyncRun {
  readonly options: NormalizedSyncOptions;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly stats: RunStats;
  readonly runId: string;
  readonly started = new Date();
  private readonly requests = new Map<string, number>();
  private report: ChangeReport | undefined;

  constructor(options: SyncOptions) {
    this.options = normalizeSyncOptions(options);
    this.signal = options.signal ?? new AbortController().signal;
    this.logger = options.logger ?? silentLogger;
    this.stats = options.stats ?? new RunStats();
    this.runId = newRunId(this.started.getTime());
  }

  async run(): Promise<SyncSummary> {
    const sink = await this.destination();
    try {
      const previous = this.options.incremental ? await this.previousState(sink) : undefined;
      const api = openNotionApi(this.options, this.options.env, this);
      const written = await this.load(sink, this.options.incremental ? await this.incrementalMessages(api, previous) : await this.fullMessages(api, sink));
      this.saveStateFile();
      return this.summary(written);
    } catch (err) {
      await this.recordFailure(sink, err);
      throw err;
    }
  }

  /** The run's row of `_notion_stream_runs`. */
  private runRecord(status: 'succeeded' | 'failed', written: SinkSummary | undefined, err?: unknown): RunRecord {
    const s = this.stats;
    const message = err === undefined ? null : redact((err instanceof Error ? err.message : String(err)).split('\n')[0]!, [this.options.token, this.options.env.NOTION_TOKEN]);
    return {
      run_id: this.runId,
      started_at: this.started.toISOString(),
      finished_at: new Date().toISOString(),
      mode: this.options.incremental ? 'incremental' : 'full',
      status,
      error_code: err === undefined ? null : isNotionStreamError(err) ? err.code : isAbortError(err) ? 'aborted' : String((err as NodeJS.ErrnoException)?.code ?? 'error'),
      error_message: message,
      tables_written: written?.tables.length ?? 0,
      rows_written: written?.tables.reduce((n, t) => n + t.rows, 0) ?? 0,
      requests: s.requests,
      retries: s.retries,
      rate_limit_waits: s.rateLimitWaits,
      tool_version: TOOL_VERSION,
    };
  }

  /**
   * A failed run's row, written on its own (no data table touched) into a warehouse that exists. If that
   * write fails too, a warning says so and the run's own error is what the caller gets. Usage mistakes
   * (`invalid_option`, such as a missing token) are not recorded.
   */
  private async recordFailure(sink: Sink, err: unknown): Promise<void> {
    if (!this.options.warehouse || !sink.recordRun) return;
    if (isNotionStreamError(err) && err.code === 'invalid_option') return; // a usage mistake is not a run
    try {
      await sink.recordRun(this.runRecord('failed', undefined, err));
    } catch (recordErr) {
      this.logger.warn(`The failed run ${this.runId} could not be recorded in ${RUNS_TABLE}: ${(recordErr as Error).message?.split('\n')[0]}`);
    }
  }

  /** Step 1: the sink, with `out` (and the state file, when this run writes it) checked writable. */
  private async destination(): Promise<Sink> {
    const o = this.options;
    const sink = createSink({ ...o, mode: o.mode, stdout: o.stdout, env: o.env, log: (line) => this.logger.info(line) });
    await checkDestination(o, this.writesStateFile());
    return sink;
  }

  /** True when the run writes the state file itself: CSV, or NDJSON into a file. */
  private writesStateFile(): boolean {
    const o = this.options;
    return o.incremental && (o.to === 'csv' || (o.out !== undefined && o.out !== '-'));
  }

  /** The state the destination holds (a warehouse's table, or the state file), or undefined. */
  private async previousState(sink: Sink): Promise<SyncState | undefined> {
    // A warehouse answers which pages it holds: ids a state may still carry (format 1) are not decoded.
    if (sink.readState) return parseState(await sink.readState(this.signal), this.options.state ?? `the ${this.options.to} destination's _notion_stream_state table`, { ids: !this.options.warehouse });
    if (!this.options.state) return undefined;
    return parseState(await readStateFile(this.options.state, this.signal), this.options.state);
  }

  private workspace(keep?: (page: NotionPage) => boolean): Workspace {
    const o = this.options;
    return {
      collector: new CatalogCollector(),
      tap: new PageTap(keep),
      options: {
        users: o.users ?? true,
        catalog: o.catalog ?? true,
        content: o.content ?? false,
        comments: o.comments ?? false,
        pages: o.pages ?? false,
        blockComments: o.blockComments ?? true,
        concurrency: o.concurrency,
        signal: this.signal,
        onSkip: (m) => this.logger.warn(m),
        onRequests: (table, n) => this.requests.set(table, (this.requests.get(table) ?? 0) + n),
      },
    };
  }

  /**
   * The workspace of a run and the flattener's `onTable` that feeds its catalog; with `contentTables`,
   * only the pages of those tables get content and comments.
   */
  private workspaceFor(onTable?: ChangeRead['onTable']): { workspace: Workspace; onTable: ChangeRead['onTable'] } {
    const only = this.options.contentTables ? new Set(this.options.contentTables) : undefined;
    const chosen = new Set<string>();
    const workspace = this.workspace(only ? (page) => chosen.has(String(page.parent.data_source_id)) : undefined);
    return {
      workspace,
      onTable: (spec, ds) => {
        if (only?.has(spec.table)) chosen.add(ds.id);
        onTable?.(spec, ds);
        workspace.collector.onTable(spec, ds);
      },
    };
  }

  private async listed(api: NotionApi): Promise<NotionDataSource[]> {
    const dataSources: NotionDataSource[] = [];
    for await (const ds of listDataSources(api, { databases: this.options.database })) dataSources.push(ds);
    return dataSources;
  }

  /** Steps 2 and 3 of a full run: every data source read whole, as tables, then the workspace tables. */
  private async fullMessages(api: NotionApi, sink: Sink): Promise<AsyncGenerator<SingerMessage>> {
    const o = this.options;
    if (!sink.readState) {
      const { workspace, onTable } = this.workspaceFor();
      const pages = readPages(api, listDataSources(api, { databases: o.database }), { concurrency: o.concurrency, signal: this.signal });
      return withWorkspaceTables(this.tables(workspace.tap.tap(pages), { onTable }), api, workspace.collector, workspace.options, workspace.tap);
    }
    // Into a warehouse: columns kept by property id from the state an earlier run (full or incremental)
    // committed (a renamed property keeps its column), and the new state committed with the data, so
    // full and incremental runs give the same tables.
    const previous = parseState(await sink.readState(this.signal), "the destination's _notion_stream_state table", { ids: false });
    const read = await readChanges(api, await this.listed(api), {
      previous,
      heldIds: createHeldIds(o),
      fullRefresh: true,
      replaces: o.requestedMode === 'replace',
      concurrency: o.concurrency,
      signal: this.signal,
    });
    const { workspace, onTable } = this.workspaceFor(read.onTable);
    // The sink's mode decides how the tables are written, not the SCHEMA's load_mode.
    const tables = this.tables(workspace.tap.tap(read.items), { plan: (ds) => ({ ...read.plan(ds), loadMode: undefined }), onTable });
    return (async function* () {
      yield* withWorkspaceTables(tables, api, workspace.collector, workspace.options, workspace.tap);
      yield { type: 'STATE', value: read.state() } as SingerMessage;
    })();
  }

  /** Steps 2 and 3 of an incremental run: what changed since `previous`, and the deletions. */
  private async incrementalMessages(api: NotionApi, previous: SyncState | undefined): Promise<AsyncGenerator<SingerMessage>> {
    const o = this.options;
    const dataSources = await this.listed(api);
    if (!o.database) this.warnDisappeared(previous, dataSources);
    const read = await readChanges(api, dataSources, {
      previous,
      fullRefresh: o.fullRefresh,
      refreshComputed: o.refreshComputed,
      reconcile: o.reconcile,
      reconcileEveryMs: o.reconcileEveryMs,
      tableNames: o.tableNames,
      heldIds: o.warehouse ? createHeldIds(o) : undefined,
      concurrency: o.concurrency,
      signal: this.signal,
      announce: (line) => this.logger.warn(line),
      log: (line) => this.logger.progress?.(line),
    });
    this.report = read.report;
    const { workspace, onTable } = this.workspaceFor(read.onTable);
    const tables = this.tables(workspace.tap.tap(read.items), { deletions: true, plan: read.plan, onTable });
    // Content and comments only for the pages this run read: the ones edited since the last run.
    return (async function* () {
      yield* withWorkspaceTables(tables, api, workspace.collector, workspace.options, workspace.tap);
      yield { type: 'STATE', value: read.state() } as SingerMessage;
    })();
  }

  private tables(items: AsyncIterable<PageStreamItem>, extra: Parameters<typeof toTables>[1]): AsyncGenerator<SingerMessage> {
    const o = this.options;
    return toTables(items, { tableNames: o.tableNames, onWarning: (m) => this.logger.warn(m), arrays: o.arrays, ...extra, signal: this.signal });
  }

  /**
   * Warns, one line each, about data sources the previous run loaded that the listing no longer shows
   * (deleted, or no longer shared with the integration): their tables and bookmarks are kept as they were.
   */
  private warnDisappeared(previous: SyncState | undefined, listed: readonly NotionDataSource[]): void {
    if (!previous) return;
    const present = new Set(listed.map((ds) => stateKey(ds.id)));
    for (const [key, bookmark] of Object.entries(previous.bookmarks)) {
      if (present.has(key)) continue;
      this.logger.warn(
        `Data source ${key} (table "${bookmark.table}") was loaded before but is no longer shared with the integration or was deleted; its table and bookmark are kept as they were. Share it again, or drop the table if it is gone for good.`,
      );
    }
  }

  /**
   * Step 4: the sink writes everything in one go. Into a warehouse every row gets the run's lineage
   * (`_synced_at`, `_run_id`) and the run's row of `_notion_stream_runs` is committed with the data.
   */
  private async load(sink: Sink, messages: AsyncIterable<SingerMessage>): Promise<SinkSummary> {
    if (!this.options.warehouse) return sink.write(messages, this.signal);
    const lineage = { runId: this.runId, syncedAt: this.started.toISOString() };
    return sink.write(withLineage(messages, lineage), this.signal, { runRecord: (summary) => this.runRecord('succeeded', summary) });
  }

  /** Step 5: on stdout, where the state went (a file sink with `out` committed the state file with the data). */
  private saveStateFile(): void {
    const o = this.options;
    if (!o.incremental || !o.state || this.writesStateFile()) return;
    this.logger.info(`The state is the last line of the output (a STATE message); ${o.state} is left as it was: save it where the pipe ends, e.g. \`notion-stream load ... --state ${o.state}\`.`);
  }

  private summary(written: SinkSummary): SyncSummary {
    const finished = new Date();
    const s = this.stats;
    return {
      runId: this.runId,
      mode: this.options.incremental ? 'incremental' : 'full',
      destination: written.destination,
      tables: written.tables,
      rows: written.tables.reduce((n, t) => n + t.rows, 0),
      ...(written.jobs ? { jobs: written.jobs } : {}),
      dataSources: s.dataSources,
      pages: s.pages,
      completions: s.completions,
      requests: s.requests,
      retries: s.retries,
      rateLimitWaits: s.rateLimitWaits,
      waitMs: s.waitMs,
      workspaceRequests: Object.fromEntries(this.requests),
      ...(this.report ? { changes: this.report, nothingChanged: nothingChanged(this.report) } : {}),
      ...('state' in written ? { state: written.state } : {}),
      startedAt: this.started.toISOString(),
      finishedAt: finished.toISOString(),
      seconds: (finished.getTime() - this.started.getTime()) / 1000,
    };
  }
}
