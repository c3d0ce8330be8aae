/**
 * BigQuery sink: every Singer stream becomes a table of one dataset, loaded through load jobs
 * (`createWriteStream`, NEWLINE_DELIMITED_JSON) as the records arrive.
 *
 * All-or-nothing, in every mode:
 *   1. At the start, staging tables left by a crashed run (`_ns_stage_*`) are dropped.
 *   2. Each table of the run gets a staging table `_ns_stage_<run>_<table>`, created with its schema
 *      when its SCHEMA arrives (so an empty data source still gives an empty table), and its rows load
 *      into it through one load job per `segmentBytes` of NDJSON (usually one per table).
 *   3. Only when the input has ended and every load job has succeeded: target schemas are checked (a
 *      changed type stops the run before anything changes, unless --full-refresh), missing targets are
 *      created, new columns are added, and ONE multi-statement transaction swaps every table in
 *      (replace: DELETE + INSERT; append: INSERT; merge: MERGE by key, child rows of merged parents
 *      replaced). See ./sql.ts.
 *   4. The staging tables are dropped, whether the run succeeded or not.
 * A failure before step 3 (Notion error, bad input line, Ctrl-C, a job refused) leaves the targets as
 * they were; a failure of the transaction rolls it back, and targets created for it are dropped.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BigQuery, Dataset, Table } from '@google-cloud/bigquery';
import { NotionStreamError } from '../../notion/errors.js';
import type { SchemaMessage, SingerMessage } from '../../singer/messages.js';
import { throwIfAborted } from '../../util/abort.js';
import { PARENT_ID } from '../../core/split.js';
import { RunTables, type Sink, type SinkSummary } from '../types.js';
import { createBigQueryClient } from './client.js';
import { bigQuerySchema, diffSchema, type BigQueryField } from './schema.js';
import { SEQ_COLUMN, swapScript, type SwapMode, type SwapTable, type TableRef } from './sql.js';
import { jobErrorText, SegmentUpload, waitForJob } from './upload.js';
import { RowEncoder } from './values.js';

export const BIGQUERY_STAGE_PREFIX = '_ns_stage_';
export const DEFAULT_SEGMENT_BYTES = 256 * 1024 * 1024;

export interface BigQuerySinkOptions {
  projectId: string;
  datasetId: string;
  /** Where the dataset lives (created there when missing) and where every job runs. */
  location?: string;
  /** A BigQuery-compatible endpoint; no Google credentials are used then. */
  endpoint?: string;
  mode?: SwapMode;
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

export interface JobCounts {
  load: number;
  copy: number;
  query: number;
}

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

function isNotFound(err: unknown): boolean {
  return (err as { code?: number })?.code === 404;
}

function sameFields(a: BigQueryField[], b: BigQueryField[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class BigQuerySink implements Sink {
  readonly mode: SwapMode;
  private readonly client: BigQuery;
  private readonly dataset: Dataset;
  private readonly runId: string;
  private readonly jobs: JobCounts = { load: 0, copy: 0, query: 0 };
  private spoolDir = '';

  constructor(private readonly options: BigQuerySinkOptions) {
    if (!options.projectId) throw new NotionStreamError('invalid_input', 'BigQuery needs a project: pass --project or set GOOGLE_CLOUD_PROJECT.', false);
    if (!options.datasetId) throw new NotionStreamError('invalid_input', 'BigQuery needs a dataset: pass --dataset.', false);
    this.mode = options.mode ?? 'replace';
    this.client = options.client ?? createBigQueryClient({ projectId: options.projectId, location: options.location, endpoint: options.endpoint });
    this.dataset = this.client.dataset(options.datasetId, { location: options.location });
    this.runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  }

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

  async write(messages: AsyncIterable<SingerMessage>, signal?: AbortSignal): Promise<BigQuerySinkSummary> {
    await this.ensureDataset();
    await this.dropStagingTables((id) => id.startsWith(BIGQUERY_STAGE_PREFIX));
    const counts = new RunTables();
    const tables = new Map<string, RunTable>();
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
          const line = table.encoder.encode(message.record, this.mode === 'merge' ? { [SEQ_COLUMN]: ++seq } : undefined);
          table.segment ??= this.newSegment(table, signal);
          await table.segment.write(line);
          if (table.segment.bytes >= (this.options.segmentBytes ?? DEFAULT_SEGMENT_BYTES)) await this.finishSegment(table);
        }
      }
      throwIfAborted(signal);
      await Promise.all([...tables.values()].map((t) => this.finishSegment(t)));
      throwIfAborted(signal);
      await this.swap([...tables.values()], signal);
      return { ...counts.summary(this.destination), jobs: { ...this.jobs } };
    } catch (err) {
      for (const t of tables.values()) t.segment?.abort();
      throw err;
    } finally {
      await rm(this.spoolDir, { recursive: true, force: true }).catch(() => undefined);
      const stages = new Set([...tables.values()].map((t) => t.stage.id));
      await this.dropStagingTables((id) => stages.has(id)).catch((err: unknown) => {
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

  private async dropStagingTables(which: (tableId: string) => boolean): Promise<void> {
    const [all] = await this.dataset.getTables({ autoPaginate: true });
    await Promise.all(
      all.filter((t) => t.id && which(t.id)).map((t) => t.delete().catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      })),
    );
  }

  private stageFields(fields: BigQueryField[]): BigQueryField[] {
    return this.mode === 'merge' ? [...fields, { name: SEQ_COLUMN, type: 'INTEGER', mode: 'NULLABLE' }] : fields;
  }

  private async onSchema(tables: Map<string, RunTable>, message: SchemaMessage, signal?: AbortSignal): Promise<void> {
    const fields = bigQuerySchema(message);
    const known = tables.get(message.stream);
    const isChild = message.key_properties[0] === PARENT_ID;
    if (!isChild) {
      // A new parent stream starts: the tables before it are usually done, so their uploads close now.
      await Promise.all([...tables.values()].filter((t) => t !== known).map((t) => this.finishSegment(t)));
    }
    if (!known) {
      const stageId = `${BIGQUERY_STAGE_PREFIX}${this.runId}_${message.stream}`;
      const [stage] = await this.dataset.createTable(stageId, { schema: { fields: this.stageFields(fields) }, location: this.options.location } as never)
        .catch((err: unknown) => { throw this.apiError(err, `creating staging table ${stageId}`); });
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

  private newSegment(table: RunTable, signal?: AbortSignal): SegmentUpload {
    table.segments++;
    this.jobs.load++;
    return new SegmentUpload({
      client: this.client,
      table: table.stage,
      tableName: table.name,
      jobId: `notion_stream_${this.runId}_${table.name.slice(0, 900)}_${table.segments}`,
      location: this.options.location,
      fields: this.stageFields(table.fields),
      spoolPath: join(this.spoolDir, `${table.stage.id}_${table.segments}.ndjson`),
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

  /** Step 3: checks target schemas, prepares targets, and swaps every table in with one transaction. */
  private async swap(tables: RunTable[], signal?: AbortSignal): Promise<void> {
    const plans: { table: RunTable; target: Table; fields: BigQueryField[] | undefined; action: 'create' | 'keep' | 'alter' | 'recreate'; merged: BigQueryField[] }[] = [];
    const problems: string[] = [];
    for (const table of tables) {
      const target = this.table(table.name);
      let existing: BigQueryField[] | undefined;
      try {
        const [metadata] = await target.getMetadata();
        existing = (metadata.schema?.fields ?? []) as BigQueryField[];
      } catch (err) {
        if (!isNotFound(err)) throw this.apiError(err, `reading table ${table.name}`);
      }
      if (!existing) {
        plans.push({ table, target, fields: undefined, action: 'create', merged: table.fields });
        continue;
      }
      const diff = diffSchema(existing, table.fields);
      if (diff.changed.length > 0 && !this.options.fullRefresh) {
        problems.push(`table ${table.name}: ${diff.changed.map((c) => `column ${c.name} is ${c.from} in BigQuery but ${c.to} now`).join(', ')}`);
      }
      const action = diff.changed.length > 0 ? 'recreate' : diff.added.length > 0 ? 'alter' : 'keep';
      plans.push({ table, target, fields: existing, action, merged: action === 'recreate' ? table.fields : diff.merged });
    }
    if (problems.length > 0) {
      throw new NotionStreamError(
        'schema_changed',
        `Column types changed since the last load (${problems.join('; ')}). Nothing was changed. Run again with --full-refresh to recreate these tables with the new types.`,
        false,
      );
    }
    throwIfAborted(signal);
    const created: Table[] = [];
    try {
      for (const plan of plans) {
        if (plan.action === 'recreate') {
          this.log(`Recreating table ${plan.table.name}: its column types changed (--full-refresh).`);
          await plan.target.delete();
        }
        if (plan.action === 'create' || plan.action === 'recreate') {
          await this.dataset.createTable(plan.table.name, { schema: { fields: plan.merged }, description: plan.table.schema.schema.description?.slice(0, 16_384) } as never);
          if (plan.action === 'create') created.push(plan.target); // a recreated table stays (empty) if the swap fails
        } else if (plan.action === 'alter') {
          await plan.target.setMetadata({ schema: { fields: plan.merged } });
        }
      }
      await this.runScript(swapScript(this.mode, this.swapTables(tables)), signal);
    } catch (err) {
      await Promise.all(created.map((t) => t.delete().catch(() => undefined)));
      throw err instanceof NotionStreamError ? err : this.apiError(err, 'replacing the tables');
    }
  }

  private swapTables(tables: RunTable[]): SwapTable[] {
    const parents = tables.filter((t) => !t.isChild);
    return tables.map((t): SwapTable => {
      const swap: SwapTable = { target: this.ref(t.name), stage: this.ref(t.stage.id!), columns: t.fields.map((f) => f.name) };
      if (this.mode !== 'merge') return swap;
      if (t.isChild) {
        const parent = parents.filter((p) => t.name.startsWith(`${p.name}__`)).sort((a, b) => b.name.length - a.name.length)[0];
        if (!parent) throw new NotionStreamError('invalid_input', `--mode merge: child table ${t.name} has no parent table in this run.`, false);
        return { ...swap, parent: { stage: this.ref(parent.stage.id!), key: parent.schema.key_properties[0]! } };
      }
      if (t.schema.key_properties.length === 0) {
        throw new NotionStreamError('invalid_input', `--mode merge needs a key: table ${t.name} has no key_properties in its SCHEMA. Use --mode replace or append.`, false);
      }
      return { ...swap, key: t.schema.key_properties };
    });
  }

  /** Runs one query job and waits for it; the transaction is not interrupted once sent. */
  private async runScript(query: string, signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    this.jobs.query++;
    const [job] = await this.client.createQueryJob({ query, location: this.options.location, jobId: `notion_stream_${this.runId}_swap` });
    const status = await waitForJob(job, this.options.pollMs ?? 500);
    if (status.errorResult) {
      throw new NotionStreamError('bigquery_error', `BigQuery refused to swap the tables in, so none of them changed: ${jobErrorText(status.errors, status.errorResult)}`, false);
    }
  }

  private apiError(err: unknown, doing: string): NotionStreamError {
    const e = err as { code?: number | string; message?: string };
    const text = String(e.message ?? err);
    if (/default credentials/i.test(text)) {
      return new NotionStreamError('bigquery_error', `No Google credentials were found while ${doing}. Run \`gcloud auth application-default login\`, or set GOOGLE_APPLICATION_CREDENTIALS to a service account key file.`, false, { cause: err });
    }
    if (/ENOTFOUND|ECONNREFUSED|EAI_AGAIN|ETIMEDOUT/.test(text)) {
      return new NotionStreamError('bigquery_error', `BigQuery could not be reached while ${doing} (${text.replace(/^.*reason: /, '')}). Check the network${this.options.endpoint ? ` and --bigquery-endpoint ${this.options.endpoint}` : ''}, then run again.`, true, { cause: err });
    }
    if (e.code === 401 || e.code === 403) {
      return new NotionStreamError('bigquery_error', `BigQuery refused access while ${doing}: ${e.message}. Check the credentials (gcloud auth application-default login) and that they may write to ${this.destination}.`, false, { cause: err });
    }
    return new NotionStreamError('bigquery_error', `BigQuery failed while ${doing}: ${text}`, typeof e.code !== 'number' || e.code >= 500, { cause: err });
  }
}
