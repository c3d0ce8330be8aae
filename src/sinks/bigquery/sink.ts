/**
 * BigQuery sink: every Singer stream becomes a table of one dataset, loaded through load jobs
 * (`createWriteStream`, NEWLINE_DELIMITED_JSON) as the records arrive.
 *
 * All-or-nothing, in every mode:
 *   1. At the start, what runs that did not commit changed in targets outside their swap is removed
 *      (./pending.ts: tables they created and that are still empty, columns they added, tables they
 *      recreated put back from their copies; one log line), then staging tables left by a crashed run
 *      (`_ns_stage_*`) are dropped.
 *   2. Each table of the run gets a staging table `_ns_stage_<run>_<table>`, created with its schema
 *      when its SCHEMA arrives (so an empty data source still gives an empty table), and its rows load
 *      into it through one load job per `segmentBytes` of NDJSON (usually one per table). When the
 *      input has ended, the value of its LAST STATE message (if any came) loads the same way, as one
 *      row `{value: JSON text, committed_at}`, into a staging table for `_notion_stream_state` (a load
 *      job, not a literal in the query: a state that came down a pipe may still list page ids and run
 *      to megabytes, and BigQuery caps query text at 1 MB).
 *   3. Only when the input has ended and every load job has succeeded: target schemas are checked (a
 *      changed type stops the run before anything changes, unless --full-refresh or a full-refresh
 *      table, below), the changes to targets the swap needs are recorded (`_notion_stream_pending`),
 *      missing targets (the state table too) are created, new columns are added, and ONE
 *      multi-statement transaction swaps every table in (and deletes the record) (replace: DELETE + INSERT; append: INSERT;
 *      merge: MERGE by key, child rows of merged parents replaced) and replaces the state row. See
 *      ./sql.ts and ../swap-sql.ts.
 *      With `runRecord`, the run's row is appended to `_notion_stream_runs` (created when missing) in
 *      that same transaction; `recordRun` appends a failed run's row on its own, with one query job.
 *   4. The staging tables are dropped, whether the run succeeded or not.
 * A failure before step 3 (Notion error, bad input line, Ctrl-C, a job refused) leaves the targets and
 * the state as they were; a failure of the transaction rolls it back, targets created for it are
 * dropped, columns added for it are dropped, and tables recreated for it are restored from the copy
 * taken just before; what cannot be undone is named in the error and removed by the next run. A
 * process killed between those changes and the commit leaves the record: the next run removes them.
 *
 * Incremental runs (--mode merge):
 *   - How each table loads, its key, deletions and parent link come from the run plan (../plan.ts), read
 *     from the SCHEMA messages: a list child table merges with its parent, a scoped table (a page's
 *     blocks, content, comments) loses the rows of every parent key staged in its parent tables and
 *     merges its own; scoped tables swap first, while their parents' targets are as before the run.
 *   - A SCHEMA with `load_mode: 'replace'` carries its whole table (a first load or a full refresh):
 *     that table, and its child tables, are replaced in the same transaction while the other tables
 *     merge. When its column types changed or its set of columns differs from the target's, the
 *     target is recreated with the run's columns (no --full-refresh needed). A recreated table is
 *     first copied to `_ns_stage_<run>b_<table>` (a copy job), so a failed swap copies it back, and a
 *     process killed between the recreation and the commit has the next run copy it back (step 1).
 *   - A parent SCHEMA with a `_deleted_at` column (TIMESTAMP) streams deletions: a RECORD whose
 *     `_deleted_at` is set stands for a page trashed, deleted or unshared (only its key is needed).
 *     By default the row and its child rows are deleted and the target has no `_deleted_at` column;
 *     with `softDelete` the row keeps its values and children and gets `_deleted_at`, which a later
 *     live row clears.
 *   - `readState()` reads the committed state back (undefined when the dataset, the table or its row
 *     is missing); it creates nothing.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BigQuery, Dataset, Table } from '@google-cloud/bigquery';
import { NotionStreamError } from '../../errors.js';
import type { SchemaMessage, SingerMessage } from '../../singer/messages.js';
import { throwIfAborted } from '../../util/abort.js';
import { duringCommit } from '../../util/commit-window.js';
import { RunPlan } from '../plan.js';
import { STAGE_PREFIX } from '../../core/names.js';
import { typeChangeError, type TypeChange } from '../evolution.js';
import { DELETED_AT, type ScopeParent } from '../swap-sql.js';
import { RunTables, RUNS_TABLE, STATE_TABLE, type RunRecord, type Sink, type SinkSummary, type WriteOptions } from '../types.js';
import { insertRunSql, RUN_FIELDS } from './runs.js';
import { createBigQueryClient } from './client.js';
import { bigQuerySchema, diffSchema, fieldKind, type BigQueryField } from './schema.js';
import { bigQueryApiError } from './api-error.js';
import { targetAction, type TargetAction } from './target-plan.js';
import { bigQuerySwapStatements, SEQ_COLUMN, swapScript, type SwapTable, type TableRef } from './sql.js';
import type { WriteMode } from '../destinations.js';
import { jobErrorText, SegmentUpload, waitForJob } from './upload.js';
import { describeChanges, PendingChanges, type PendingChange } from './pending.js';
import { RowEncoder } from './values.js';

export const BIGQUERY_STAGE_PREFIX = STAGE_PREFIX;

/** Kills the process at a step of the swap when the test fault `NOTION_STREAM_FAULT=<step>` asks for it. */
function fault(step: string): void {
  if (process.env.NOTION_STREAM_FAULT === step) process.kill(process.pid, 'SIGKILL');
}
export const DEFAULT_SEGMENT_BYTES = 256 * 1024 * 1024;

/** The state table's columns: the Singer state as JSON text, and when the run that committed it loaded it. */
export const STATE_FIELDS: BigQueryField[] = [
  { name: 'value', type: 'STRING', mode: 'NULLABLE', description: 'The Singer state of the last committed run, as JSON text' },
  { name: 'committed_at', type: 'TIMESTAMP', mode: 'NULLABLE', description: 'When that run loaded it' },
];

/** Options of `BigQuerySink`; `projectId` and `datasetId` are required. */
export interface BigQuerySinkOptions {
  /** The Google Cloud project the dataset and the jobs belong to (the CLI: `--project` or `GOOGLE_CLOUD_PROJECT`). */
  projectId: string;
  /** The dataset the tables go to; created (in `location`) when missing. */
  datasetId: string;
  /** Where the dataset lives (created there when missing) and where every job runs. */
  location?: string;
  /** A BigQuery-compatible endpoint; no Google credentials are used then. */
  endpoint?: string;
  /** `replace` (default) swaps in the run's tables; `append` adds the run's rows; `merge` upserts them by key. */
  mode?: WriteMode;
  /** Recreate tables whose column types changed instead of stopping. */
  fullRefresh?: boolean;
  /** A deletion record (`_deleted_at` set) keeps its row with `_deleted_at` instead of deleting it. */
  softDelete?: boolean;
  /**
   * NDJSON bytes per load job (default 256 MiB, so usually one job per table). A segment is also
   * spooled to a temporary file until its job is DONE, to resend a failed upload: at most this much
   * disk per table being loaded, and none of it in memory.
   */
  segmentBytes?: number;
  /** Where segments are spooled (default: a new directory in the OS temporary directory). */
  spoolDir?: string;
  /** Upload retries per load job (default 5). */
  retries?: number;
  /** Job poll interval, ms (default 500). */
  pollMs?: number;
  /** A client to use instead of building one. */
  client?: BigQuery;
  /** Progress lines (retries, swaps). */
  log?: (line: string) => void;
}

/**
 * Every job the run created, failed ones included:
 *   load   one per segment of each table (usually one per table), plus one for the state when a
 *          STATE message came
 *   copy   a table recreated by the run is copied aside first (one job), and copied back (one more)
 *          when the swap fails
 *   query  the swap transaction (one per run)
 */
export interface JobCounts {
  load: number;
  copy: number;
  query: number;
}

/** The `SinkSummary` of a BigQuery run, with the load, copy and query jobs it created (`JobCounts`). */
export interface BigQuerySinkSummary extends SinkSummary {
  jobs: JobCounts;
}

interface RunTable {
  name: string;
  schema: SchemaMessage;
  fields: BigQueryField[];
  encoder: RowEncoder;
  stage: Table;
  segment: SegmentUpload | undefined;
  segments: number;
  isChild: boolean;
}

/** How one table of the run gets into its target. */
interface SwapPlan extends TargetAction {
  table: RunTable;
  /** merge: a list child table's parent in this run. */
  parent: RunTable | undefined;
  /** This table's swap mode: the run's, or replace for a full-refresh table of a merge run. */
  mode: WriteMode;
  /** The columns the run writes to the target (the staged ones, without `_deleted_at` for hard deletes). */
  wanted: BigQueryField[];
  target: Table;
}

function isNotFound(err: unknown): boolean {
  return (err as { code?: number })?.code === 404;
}

function sameFields(a: BigQueryField[], b: BigQueryField[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function hasDeletions(table: RunTable): boolean {
  return !table.isChild && table.fields.some((f) => f.name === DELETED_AT);
}

function present(value: unknown): boolean {
  return value !== null && value !== undefined;
}

/**
 * BigQuery sink: every Singer stream becomes a table of one dataset, loaded through load jobs into
 * staging tables, then swapped in by ONE multi-statement transaction with the run's state only when the
 * whole input succeeded (see this file's header). The constructor throws `NotionStreamError`
 * `invalid_option` without a project or a dataset. `write` rejects leaving the
 * targets as they were, with `bigquery_error` (no credentials, the endpoint unreachable, access refused,
 * a job or the swap refused; `retryable` for 5xx), `schema_changed` (column types changed since the last
 * load: run with `fullRefresh`), `invalid_name` (a table named like the state table),
 * `invalid_schema` (a bad `_deleted_at`, merge without `key_properties`), `invalid_message` (a deletion
 * record without its key), `aborted`, or the stream's error.
 */
export class BigQuerySink implements Sink {
  /** How the run's tables get into place: replace, append or merge. */
  readonly mode: WriteMode;
  private readonly client: BigQuery;
  private readonly dataset: Dataset;
  /** Names this run's staging tables and jobs; new for each write, so job ids never repeat. */
  private runId = '';
  private jobs: JobCounts = { load: 0, copy: 0, query: 0 };
  /** Staging tables and copies this run created, dropped at its end. */
  private readonly own = new Set<string>();
  private spoolDir = '';
  /** The run plan of the current write: each table's load, key, deletions and parent link. */
  private runPlan: RunPlan;
  /** Changes to targets outside the swap, recorded first (./pending.ts). */
  private readonly pending: PendingChanges;

  constructor(private readonly options: BigQuerySinkOptions) {
    if (!options.projectId) throw new NotionStreamError('invalid_option', 'BigQuery needs a project: pass --project or set GOOGLE_CLOUD_PROJECT.', false);
    if (!options.datasetId) throw new NotionStreamError('invalid_option', 'BigQuery needs a dataset: pass --dataset.', false);
    this.mode = options.mode ?? 'replace';
    this.runPlan = new RunPlan(this.mode);
    this.client = options.client ?? createBigQueryClient({ projectId: options.projectId, location: options.location, endpoint: options.endpoint });
    this.dataset = this.client.dataset(options.datasetId, { location: options.location });
    this.pending = new PendingChanges({
      client: this.client,
      dataset: this.dataset,
      ref: (tableId) => this.ref(tableId),
      location: options.location,
      pollMs: options.pollMs ?? 500,
      query: (sql, name) => this.runQuery(sql, name),
      copy: (from, to, name) => this.copyTable(this.table(from), this.table(to), name, 'WRITE_TRUNCATE'),
      log: (line) => this.log(line),
    });
  }

  /** `<project>.<dataset>`, as summaries and messages name it. */
  get destination(): string {
    return `${this.options.projectId}.${this.options.datasetId}`;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  private ref(tableId: string): TableRef {
    return { projectId: this.options.projectId, datasetId: this.options.datasetId, tableId };
  }

  private table(tableId: string): Table {
    return this.dataset.table(tableId, { location: this.options.location });
  }

  /** The state committed by an earlier run: the `value` of the state table's row, parsed; undefined when there is none. */
  async readState(signal?: AbortSignal): Promise<unknown> {
    throwIfAborted(signal);
    let rows: { value?: unknown; committed_at?: unknown }[];
    try {
      // tabledata.list: no query job, and a missing dataset or table is a 404, never created.
      [rows] = (await this.table(STATE_TABLE).getRows({ autoPaginate: true })) as unknown as [{ value?: unknown; committed_at?: unknown }[]];
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw this.apiError(err, `reading table ${STATE_TABLE} of ${this.destination}`);
    }
    throwIfAborted(signal);
    const time = (r: { committed_at?: unknown }): number => {
      const t = r.committed_at as { value?: string } | string | null | undefined;
      return t ? Date.parse(typeof t === 'string' ? t : String(t.value)) || 0 : 0;
    };
    const latest = rows.filter((r) => typeof r.value === 'string').sort((a, b) => time(b) - time(a))[0];
    if (!latest) return undefined;
    try {
      return JSON.parse(latest.value as string);
    } catch {
      throw new NotionStreamError('bigquery_error', `Table ${this.destination}.${STATE_TABLE} holds a state that is not JSON. Drop the table to start over with a full load.`, false);
    }
  }

  async write(messages: AsyncIterable<SingerMessage>, signal?: AbortSignal, options: WriteOptions = {}): Promise<BigQuerySinkSummary> {
    this.runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
    this.jobs = { load: 0, copy: 0, query: 0 };
    this.own.clear();
    this.runPlan = new RunPlan(this.mode);
    await this.ensureDataset();
    // What killed or failed runs changed outside their swap goes first (it may need their table copies),
    // then their staging tables.
    const cleaned = await this.pending.clean(this.runId, signal).catch((err: unknown) => {
      throw err instanceof NotionStreamError || signal?.aborted ? err : this.apiError(err, 'removing what an earlier run left');
    });
    if (cleaned) this.log(cleaned);
    await this.dropTables((id) => id.startsWith(BIGQUERY_STAGE_PREFIX));
    const counts = new RunTables();
    const tables = new Map<string, RunTable>();
    let state: { value: unknown } | undefined;
    let stateSegment: SegmentUpload | undefined;
    this.spoolDir = await mkdtemp(join(this.options.spoolDir ?? tmpdir(), 'notion-stream-bq-'));
    try {
      let seq = 0;
      for await (const message of messages) {
        throwIfAborted(signal);
        if (message.type === 'SCHEMA') {
          counts.schema(message);
          await this.onSchema(tables, message, signal);
        } else if (message.type === 'RECORD') {
          counts.record(message.stream);
          const table = tables.get(message.stream)!;
          if (present(message.record[DELETED_AT]) && hasDeletions(table)) this.checkDeletion(table, message.record);
          const line = table.encoder.encode(message.record, this.mode === 'merge' ? { [SEQ_COLUMN]: ++seq } : undefined);
          table.segment ??= this.newSegment(table, signal);
          await table.segment.write(line);
          if (table.segment.bytes >= (this.options.segmentBytes ?? DEFAULT_SEGMENT_BYTES)) await this.finishSegment(table);
        } else if (message.type === 'STATE') {
          state = { value: message.value };
        }
      }
      throwIfAborted(signal);
      let stateStage: Table | undefined;
      if (state) {
        stateStage = await this.createStage(`${BIGQUERY_STAGE_PREFIX}${this.runId}_${STATE_TABLE}`, STATE_FIELDS);
        stateSegment = this.upload(stateStage, STATE_TABLE, `notion_stream_${this.runId}_state`, STATE_FIELDS, 'state.ndjson', signal);
        await stateSegment.write(JSON.stringify({ value: JSON.stringify(state.value ?? null), committed_at: new Date().toISOString() }));
      }
      await Promise.all([...[...tables.values()].map((t) => this.finishSegment(t)), stateSegment?.finish()]);
      stateSegment = undefined;
      throwIfAborted(signal);
      const run = options.runRecord?.(counts.summary(this.destination));
      await this.swap([...tables.values()], stateStage, run, signal);
      return { ...counts.summary(this.destination), jobs: { ...this.jobs }, ...(state ? { state: state.value } : {}) };
    } catch (err) {
      for (const t of tables.values()) t.segment?.abort();
      stateSegment?.abort();
      throw err;
    } finally {
      await rm(this.spoolDir, { recursive: true, force: true }).catch(() => undefined);
      await this.dropTables((id) => this.own.has(id)).catch((err: unknown) => {
        this.log(`Could not drop the staging tables of this run (${(err as Error).message}); the next run drops them.`);
      });
    }
  }

  private async ensureDataset(): Promise<void> {
    try {
      await this.dataset.get({ autoCreate: false });
    } catch (err) {
      if (!isNotFound(err)) throw this.apiError(err, `reading dataset ${this.destination}`);
      try {
        await this.client.createDataset(this.options.datasetId, { location: this.options.location });
        this.log(`Created dataset ${this.destination}${this.options.location ? ` in ${this.options.location}` : ''}.`);
      } catch (createErr) {
        if ((createErr as { code?: number }).code !== 409) throw this.apiError(createErr, `creating dataset ${this.destination}`);
      }
    }
  }

  private async dropTables(which: (tableId: string) => boolean): Promise<void> {
    const [all] = await this.dataset.getTables({ autoPaginate: true });
    await Promise.all(
      all.filter((t) => t.id && which(t.id)).map((t) => t.delete().catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      })),
    );
  }

  private async createStage(tableId: string, fields: BigQueryField[]): Promise<Table> {
    const [stage] = await this.dataset.createTable(tableId, { schema: { fields }, location: this.options.location } as never)
      .catch((err: unknown) => { throw this.apiError(err, `creating staging table ${tableId}`); });
    this.own.add(tableId);
    return stage;
  }

  private stageFields(fields: BigQueryField[]): BigQueryField[] {
    return this.mode === 'merge' ? [...fields, { name: SEQ_COLUMN, type: 'INTEGER', mode: 'NULLABLE' }] : fields;
  }

  private async onSchema(tables: Map<string, RunTable>, message: SchemaMessage, signal?: AbortSignal): Promise<void> {
    if (message.stream.toLowerCase() === STATE_TABLE) {
      throw new NotionStreamError('invalid_name', `Stream "${message.stream}" has the name of the table notion-stream keeps its state in. Rename it with --table, or in the Singer stream.`, false);
    }
    const fields = bigQuerySchema(message);
    const known = tables.get(message.stream);
    const isChild = this.runPlan.schema(message).parent?.kind === 'list';
    const deletedAt = fields.find((f) => f.name === DELETED_AT);
    if (!isChild && deletedAt && fieldKind(deletedAt) !== 'TIMESTAMP') {
      throw new NotionStreamError('invalid_schema', `Column ${DELETED_AT} of table ${message.stream} marks deletions and must be a date-time (TIMESTAMP), not ${fieldKind(deletedAt)}.`, false);
    }
    if (!isChild) {
      // A new parent stream starts: the tables before it are usually done, so their uploads close now.
      await Promise.all([...tables.values()].filter((t) => t !== known).map((t) => this.finishSegment(t)));
    }
    if (!known) {
      const stage = await this.createStage(`${BIGQUERY_STAGE_PREFIX}${this.runId}_${message.stream}`, this.stageFields(fields));
      tables.set(message.stream, { name: message.stream, schema: message, fields, encoder: new RowEncoder(message), stage, segment: undefined, segments: 0, isChild });
      return;
    }
    if (sameFields(known.fields, fields)) {
      known.schema = message;
      known.encoder = new RowEncoder(message);
      return;
    }
    const diff = diffSchema(known.fields, fields);
    if (diff.changed.length > 0) {
      const c = diff.changed[0]!;
      throw new NotionStreamError('schema_changed', `Column ${c.name} of table ${message.stream} changed type from ${c.from} to ${c.to} during the run. Run again.`, false);
    }
    await this.finishSegment(known);
    throwIfAborted(signal);
    await known.stage.setMetadata({ schema: { fields: this.stageFields(diff.merged) } });
    Object.assign(known, { schema: message, fields: diff.merged, encoder: new RowEncoder(message) });
  }

  /** A deletion record needs its key: without it no row can be deleted, and a NULL key would silently match nothing. */
  private checkDeletion(table: RunTable, record: Record<string, unknown>): void {
    const missing = table.schema.key_properties.filter((k) => !present(record[k]));
    if (missing.length > 0) {
      throw new NotionStreamError('invalid_message', `A deletion record of table ${table.name} (${DELETED_AT} set) has no ${missing.join(', ')}: it cannot say which row is deleted.`, false);
    }
  }

  private newSegment(table: RunTable, signal?: AbortSignal): SegmentUpload {
    table.segments++;
    const jobId = `notion_stream_${this.runId}_${table.name.slice(0, 900)}_${table.segments}`;
    return this.upload(table.stage, table.name, jobId, this.stageFields(table.fields), `${table.stage.id}_${table.segments}.ndjson`, signal);
  }

  /** One load job into a staging table (counted when it starts). */
  private upload(stage: Table, tableName: string, jobId: string, fields: BigQueryField[], spoolName: string, signal?: AbortSignal): SegmentUpload {
    this.jobs.load++;
    return new SegmentUpload({
      client: this.client,
      table: stage,
      tableName,
      jobId,
      location: this.options.location,
      fields,
      spoolPath: join(this.spoolDir, spoolName),
      retries: this.options.retries,
      pollMs: this.options.pollMs,
      signal,
      onRetry: (reason) => this.log(reason),
    });
  }

  private async finishSegment(table: RunTable): Promise<void> {
    const segment = table.segment;
    if (!segment) return;
    table.segment = undefined;
    await segment.finish();
  }

  /** Each table's mode, columns and what its target needs; stops the run on a changed type nothing allows. */
  private async plan(tables: RunTable[]): Promise<SwapPlan[]> {
    const plans: SwapPlan[] = [];
    const problems: TypeChange[] = [];
    const byName = new Map(tables.map((t) => [t.name, t]));
    for (const table of tables) {
      const run = this.runPlan.get(table.name)!;
      const parent = run.parent?.kind === 'list' ? byName.get(this.runPlan.parents(table.name)[0]?.stream ?? '') : undefined;
      if (this.mode === 'merge' && table.isChild && !parent) {
        throw new NotionStreamError('invalid_schema', `--mode merge: child table ${table.name} has no parent table in this run.`, false);
      }
      // A child table goes with its parent: replaced whole when the parent is (the run plan's `refresh`).
      const fullRefresh = run.load === 'refresh';
      const mode: WriteMode = fullRefresh ? 'replace' : this.mode;
      const wanted = hasDeletions(table) && !this.options.softDelete ? table.fields.filter((f) => f.name !== DELETED_AT) : table.fields;
      const target = this.table(table.name);
      let existing: BigQueryField[] | undefined;
      try {
        const [metadata] = await target.getMetadata();
        existing = (metadata.schema?.fields ?? []) as BigQueryField[];
      } catch (err) {
        if (!isNotFound(err)) throw this.apiError(err, `reading table ${table.name}`);
      }
      const decided = targetAction(table.name, existing, wanted, { refresh: fullRefresh, fullRefresh: this.options.fullRefresh ?? false });
      problems.push(...decided.problems);
      plans.push({ table, parent, mode, wanted, target, ...decided.action });
    }
    if (problems.length > 0) throw typeChangeError(`BigQuery (${this.destination})`, problems);
    return plans;
  }

  /**
   * Whether one of notion-stream's own tables (`table`, with `fields`) must be created; refuses a table of
   * that name without those columns (`invalid_state`, naming `what` it should be).
   */
  private async ownTableMissing(table: string, fields: BigQueryField[], what: string): Promise<boolean> {
    try {
      const [metadata] = await this.table(table).getMetadata();
      const names = new Set(((metadata.schema?.fields ?? []) as BigQueryField[]).map((f) => f.name.toLowerCase()));
      if (!fields.every((f) => names.has(f.name))) {
        throw new NotionStreamError('invalid_state', `Table ${this.destination}.${table} exists without the columns ${fields.map((f) => f.name).join(', ')}, so it is not notion-stream's ${what}. Rename or drop it.`, false);
      }
      return false;
    } catch (err) {
      if (isNotFound(err)) return true;
      throw err instanceof NotionStreamError ? err : this.apiError(err, `reading table ${table}`);
    }
  }

  private runsTableMissing(): Promise<boolean> {
    return this.ownTableMissing(RUNS_TABLE, RUN_FIELDS, 'runs table');
  }

  private async createRunsTable(): Promise<void> {
    await this.dataset.createTable(RUNS_TABLE, { schema: { fields: RUN_FIELDS }, description: 'notion-stream: one row per run, good or failed' } as never).catch((err: unknown) => {
      if ((err as { code?: number }).code !== 409) throw err;
    });
  }

  /**
   * Appends a failed run's row to `_notion_stream_runs` with one query job, touching no other table;
   * false (nothing written) when the dataset does not exist.
   */
  async recordRun(record: RunRecord, signal?: AbortSignal): Promise<boolean> {
    throwIfAborted(signal);
    try {
      await this.dataset.get({ autoCreate: false });
    } catch (err) {
      if (isNotFound(err)) return false;
      throw this.apiError(err, `reading dataset ${this.destination}`);
    }
    try {
      if (await this.runsTableMissing()) await this.createRunsTable();
      const [job] = await this.client.createQueryJob({ query: insertRunSql(this.ref(RUNS_TABLE), record), location: this.options.location, jobId: `notion_stream_${record.run_id}_failed_${randomBytes(3).toString('hex')}` });
      const status = await waitForJob(job, this.options.pollMs ?? 500);
      if (status.errorResult) throw new NotionStreamError('bigquery_error', `BigQuery refused the row: ${jobErrorText(status.errors, status.errorResult)}`, false);
    } catch (err) {
      throw err instanceof NotionStreamError ? err : this.apiError(err, `recording the run in ${RUNS_TABLE}`);
    }
    return true;
  }

  /** Whether the state table must be created for the swap; refuses a table of that name that is not one. */
  private stateTableMissing(): Promise<boolean> {
    return this.ownTableMissing(STATE_TABLE, STATE_FIELDS, 'state table');
  }

  /** Step 3: checks target schemas, prepares targets, and swaps every table and the state in with one transaction. */
  private async swap(tables: RunTable[], stateStage: Table | undefined, run: RunRecord | undefined, signal?: AbortSignal): Promise<void> {
    const plans = await this.plan(tables);
    // Scoped tables swap first, reading their parents' targets as they were before the run.
    const byName = new Map(plans.map((p) => [p.table.name, p]));
    const swapTables = this.runPlan.finishOrder().map((t) => this.swapTable(byName.get(t.stream)!, byName));
    const createState = stateStage ? await this.stateTableMissing() : false;
    const createRuns = run ? await this.runsTableMissing() : false;
    throwIfAborted(signal);
    const created: Table[] = [];
    const recreated: { plan: SwapPlan; copy: Table }[] = [];
    // Changes to targets outside the transaction (BigQuery has no transactional DDL), recorded first.
    const changes = this.targetChanges(plans, stateStage !== undefined && createState, createRuns);
    let recorded = false;
    try {
      // Tables to recreate are copied aside first, all of them, before any target changes.
      const copies = new Map<SwapPlan, Table>();
      for (const plan of plans.filter((p) => p.action === 'recreate')) {
        const copy = this.table(`${BIGQUERY_STAGE_PREFIX}${this.runId}b_${plan.table.name}`);
        this.own.add(copy.id!);
        await this.copyTable(plan.target, copy, `${plan.table.name.slice(0, 900)}_backup`, 'WRITE_EMPTY');
        copies.set(plan, copy);
      }
      for (const c of changes) if (c.kind === 'recreated') c.backup = copies.get(plans.find((p) => p.table.name === c.table)!)!.id!;
      await this.pending.record(this.runId, changes);
      recorded = changes.length > 0;
      fault('bigquery:recorded');
      for (const plan of plans) {
        if (plan.action === 'recreate') {
          this.log(`Recreating table ${plan.table.name}: ${plan.why}.`);
          recreated.push({ plan, copy: copies.get(plan)! });
          await plan.target.delete();
        }
        if (plan.action === 'create' || plan.action === 'recreate') {
          await this.dataset.createTable(plan.table.name, { schema: { fields: plan.fields }, description: plan.table.schema.schema.description?.slice(0, 16_384) } as never);
          if (plan.action === 'create') created.push(plan.target);
        } else if (plan.action === 'alter') {
          await plan.target.setMetadata({ schema: { fields: plan.fields } });
        }
      }
      const extra: string[] = [];
      if (stateStage) {
        if (createState) {
          await this.dataset.createTable(STATE_TABLE, { schema: { fields: STATE_FIELDS }, description: 'notion-stream: the Singer state committed with the data it describes' } as never);
          created.push(this.table(STATE_TABLE));
        }
        extra.push(...bigQuerySwapStatements('replace', { target: this.ref(STATE_TABLE), stage: this.ref(stateStage.id!), columns: STATE_FIELDS.map((f) => f.name) }));
      }
      if (run) {
        if (createRuns) {
          await this.createRunsTable();
          created.push(this.table(RUNS_TABLE));
        }
        extra.push(insertRunSql(this.ref(RUNS_TABLE), run));
      }
      // The record goes in the same transaction as the data: it survives exactly when the swap did not commit.
      if (recorded) extra.push(this.pending.clearStatement(this.runId));
      fault('bigquery:ddl');
      await this.runScript(swapScript(this.mode, swapTables, extra), signal);
    } catch (err) {
      const failure = err instanceof NotionStreamError ? err : this.apiError(err, 'replacing the tables');
      const changed = await this.undoChanges(created, recreated, recorded ? changes : []);
      if (changed) throw new NotionStreamError('bigquery_error', `${failure.message} ${changed}`, false, { cause: err });
      throw failure;
    }
  }

  /** The changes the swap's plans make to targets outside the transaction. */
  private targetChanges(plans: SwapPlan[], createState: boolean, createRuns: boolean): PendingChange[] {
    const changes: PendingChange[] = [];
    for (const plan of plans) {
      if (plan.action === 'create') changes.push({ kind: 'table', table: plan.table.name });
      else if (plan.action === 'recreate') changes.push({ kind: 'recreated', table: plan.table.name, backup: '' });
      else if (plan.action === 'alter') for (const column of plan.added ?? []) changes.push({ kind: 'column', table: plan.table.name, column });
    }
    if (createState) changes.push({ kind: 'table', table: STATE_TABLE });
    if (createRuns) changes.push({ kind: 'table', table: RUNS_TABLE });
    return changes;
  }

  /**
   * After a failed swap: drops the targets created for it, puts recreated ones back from their copies,
   * drops the columns added, and clears the run's record. Returns a sentence naming what still differs
   * from before the run (the next run removes it), or undefined when nothing does.
   */
  private async undoChanges(created: Table[], recreated: { plan: SwapPlan; copy: Table }[], changes: PendingChange[]): Promise<string | undefined> {
    const dropped = await Promise.all(created.map((t) => t.delete().then(() => undefined, (e: unknown) => (isNotFound(e) ? undefined : t.id!))));
    const lost = await this.restore(recreated);
    const left: string[] = [];
    const notDropped = dropped.filter((t): t is string => t !== undefined);
    if (notDropped.length > 0) left.push(`table${notDropped.length > 1 ? 's' : ''} ${notDropped.join(', ')} created for the swap`);
    let columnsLeft = false;
    try {
      await this.pending.undo(this.runId, changes, notDropped.length > 0 || lost.length > 0);
    } catch {
      columnsLeft = true;
      const columns = describeChanges(changes.filter((c) => c.kind === 'column'));
      if (columns) left.push(columns);
    }
    const parts: string[] = [];
    if (lost.length > 0) parts.push(`Table${lost.length > 1 ? 's' : ''} ${lost.join(', ')} could not be put back as ${lost.length > 1 ? 'they were' : 'it was'} before the run.`);
    if (left.length > 0) parts.push(`Changed outside the swap and not undone: ${left.join('; ')}; the next run into this dataset removes ${left.length > 1 || columnsLeft ? 'them' : 'it'}.`);
    return parts.length > 0 ? parts.join(' ') : undefined;
  }

  /** Puts recreated tables back from their copies; returns how to recover the ones that failed (their copies are kept). */
  private async restore(recreated: { plan: SwapPlan; copy: Table }[]): Promise<string[]> {
    const lost: string[] = [];
    for (const { plan, copy } of recreated) {
      try {
        await this.copyTable(copy, plan.target, `${plan.table.name.slice(0, 900)}_restore`, 'WRITE_TRUNCATE');
        this.log(`Put table ${plan.table.name} back as it was before the run.`);
      } catch (err) {
        this.own.delete(copy.id!);
        lost.push(`${plan.table.name} (${String((err as Error).message ?? err).slice(0, 200)}; its rows are in ${copy.id}: \`bq cp -f ${this.options.datasetId}.${copy.id} ${this.options.datasetId}.${plan.table.name}\`)`);
      }
    }
    return lost;
  }

  /** A copy job (data and schema), waited for. */
  private async copyTable(from: Table, to: Table, name: string, writeDisposition: 'WRITE_EMPTY' | 'WRITE_TRUNCATE'): Promise<void> {
    this.jobs.copy++;
    const [job] = await from.createCopyJob(to, { jobId: `notion_stream_${this.runId}_${name}`, writeDisposition, createDisposition: 'CREATE_IF_NEEDED' });
    const status = await waitForJob(job, this.options.pollMs ?? 500);
    if (status.errorResult) {
      throw new NotionStreamError('bigquery_error', `BigQuery refused to copy ${from.id} to ${to.id}: ${jobErrorText(status.errors, status.errorResult)}`, false);
    }
  }

  /**
   * What the swap SQL needs for one table, from its plan and the run plan's link: a list child's
   * parent, a scoped table's parents (a parent replaced whole adds the keys its target held before the
   * run: its backup copy when it is recreated). Throws `invalid_schema` for a merge without a key.
   */
  private swapTable(plan: SwapPlan, plans: ReadonlyMap<string, SwapPlan>): SwapTable {
    const { table, parent, mode, wanted } = plan;
    const deletions = this.options.softDelete ? 'soft' : 'hard';
    const swap: SwapTable = { target: this.ref(table.name), stage: this.ref(table.stage.id!), columns: wanted.map((f) => f.name) };
    if (mode !== this.mode) swap.mode = mode;
    if (hasDeletions(table)) swap.deletions = deletions;
    if (mode !== 'merge') return swap;
    const link = this.runPlan.link(table.name);
    if (parent && link) return { ...swap, parent: { stage: this.ref(parent.stage.id!), key: link.key, column: link.column, ...(hasDeletions(parent) ? { deletions } : {}) } };
    this.runPlan.checkMerge(table.name);
    const merged: SwapTable = { ...swap, key: table.schema.key_properties };
    if (link?.kind !== 'scope') return merged;
    const parents = this.runPlan.parents(table.name).map((p): ScopeParent<TableRef> => {
      const other = plans.get(p.stream)!;
      const before = other.action === 'recreate' ? `${BIGQUERY_STAGE_PREFIX}${this.runId}b_${other.table.name}` : other.table.name;
      return {
        stage: this.ref(other.table.stage.id!),
        key: link.key,
        ...(other.mode === 'merge' && hasDeletions(other.table) ? { deletions } : {}),
        ...(other.mode !== 'merge' ? { target: this.ref(before) } : {}),
      };
    });
    return { ...merged, scope: { column: link.column, parents } };
  }

  /** Runs one query job outside the commit window and waits for it; rejects when it fails. */
  private async runQuery(query: string, name: string): Promise<void> {
    this.jobs.query++;
    const [job] = await this.client.createQueryJob({ query, location: this.options.location, jobId: `notion_stream_${this.runId}_${name}` });
    const status = await waitForJob(job, this.options.pollMs ?? 500);
    if (status.errorResult) {
      throw new NotionStreamError('bigquery_error', `BigQuery refused a query (${name}): ${jobErrorText(status.errors, status.errorResult)}`, false);
    }
  }

  /** Runs one query job and waits for it; the transaction is not interrupted once sent. */
  private async runScript(query: string, signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    this.jobs.query++;
    const jobId = `notion_stream_${this.runId}_swap`;
    // Once submitted, the transaction commits or rolls back on BigQuery's side whatever this process
    // does: a Ctrl-C now waits for the outcome (see util/commit-window.ts).
    const status = await duringCommit(`the BigQuery swap (job ${jobId})`, async () => {
      const [job] = await this.client.createQueryJob({ query, location: this.options.location, jobId });
      return waitForJob(job, this.options.pollMs ?? 500);
    });
    if (status.errorResult) {
      throw new NotionStreamError('bigquery_error', `BigQuery refused to swap the tables in, so none of them changed: ${jobErrorText(status.errors, status.errorResult)}`, false);
    }
  }

  private apiError(err: unknown, doing: string): NotionStreamError {
    return bigQueryApiError(err, doing, { destination: this.destination, endpoint: this.options.endpoint });
  }
}
