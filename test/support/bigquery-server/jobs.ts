/**
 * The jobs lifecycle: creation (ids, duplicates, location, faults, the per-table quota), the RUNNING →
 * DONE transition after jobRunningMs / slow_jobs, running the job's work exclusively on DuckDB when it
 * is due, and the Job resource and query results the REST API returns.
 */
import { randomUUID } from 'node:crypto';
import { BqError, duplicate, errorFromProto, invalid, notFound, unsupported } from './errors.js';
import type { Catalog } from './catalog.js';
import type { Duck } from './duck.js';
import { Faults, tableMatches } from './faults.js';
import { jobErrorOutput, parseLoadConfig, runLoad, type JobOutput } from './load.js';
import { parseCopyConfig, runCopy } from './copy.js';
import { parameterLiteral, runQuery, type QueryOutput } from './sql-exec.js';
import { toPublicSchema } from './schema.js';
import { timestampFormat, wireRow, type TimestampFormat } from './tabledata.js';
import type { ErrorProto, JobRecord } from './types.js';
import { appendRows, commitStaged, createStage, dropStage, planWrite, CREATE_DISPOSITIONS, WRITE_DISPOSITIONS } from './write.js';

interface Outcome extends JobOutput {
  query?: QueryOutput;
}

interface Job {
  record: JobRecord;
  projectId: string;
  location: string;
  configuration: Record<string, unknown>;
  creationTime: number;
  startTime: number;
  endTime?: number;
  dueAt: number;
  timer?: NodeJS.Timeout;
  work: () => Promise<Outcome>;
  running?: Promise<void>;
  outcome?: Outcome;
  inputBytes?: number;
}

export interface JobsOptions {
  projectId: string;
  catalog: Catalog;
  duck: Duck;
  faults: Faults;
  runningMs: number;
  loadJobsPerTableLimit: number;
}

const JOB_ID = /^[A-Za-z0-9_-]{1,1024}$/;
/** BigQuery's limit on unresolved GoogleSQL query text: 1,024K characters. */
const MAX_QUERY_CHARS = 1024 * 1024;

export class Jobs {
  private readonly all: Job[] = [];
  private readonly byId = new Map<string, Job>();
  private readonly byRequestId = new Map<string, Job>();
  private closed = false;

  constructor(private readonly o: JobsOptions) {}

  records(): JobRecord[] {
    return this.all.map((j) => ({ ...j.record, ...(j.record.errorResult ? { errorResult: { ...j.record.errorResult } } : {}) }));
  }

  // ---- creation ----

  /** jobReference checks shared by jobs.insert and uploads; returns the job id and location. */
  private reference(body: Record<string, unknown>, defaultLocation: () => string): { jobId: string; location: string } {
    const ref = (body.jobReference ?? {}) as Record<string, unknown>;
    if (ref.projectId !== undefined && ref.projectId !== this.o.projectId) throw notFound(`Project ${String(ref.projectId)}`);
    const jobId = ref.jobId === undefined ? `job_${randomUUID().replace(/-/g, '_')}` : ref.jobId;
    if (typeof jobId !== 'string' || !JOB_ID.test(jobId)) {
      throw invalid(`Invalid job ID "${String(jobId)}". Job IDs must be alphanumeric (plus underscores and dashes) and must be at most 1024 characters long.`);
    }
    const location = typeof ref.location === 'string' && ref.location !== '' ? ref.location : defaultLocation();
    const prior = this.byId.get(jobId);
    if (prior) throw duplicate(`Job ${this.o.projectId}:${prior.location}.${jobId}`);
    return { jobId, location };
  }

  private datasetLocation(datasetId: string | undefined): string {
    return (datasetId && this.o.catalog.dataset(datasetId)?.location) || 'US';
  }

  /** A load job from a multipart upload (body = the Job resource of the metadata part). */
  createLoad(body: unknown, media: Buffer): Job {
    const b = (body ?? {}) as Record<string, unknown>;
    const configuration = (b.configuration ?? {}) as Record<string, unknown>;
    const cfg = parseLoadConfig(configuration.load, this.o.projectId);
    const { jobId, location } = this.reference(b, () => this.datasetLocation(cfg.datasetId));
    const record: JobRecord = {
      jobId,
      location,
      type: 'LOAD',
      datasetId: cfg.datasetId,
      tableId: cfg.tableId,
      state: 'RUNNING',
      writeDisposition: cfg.writeDisposition,
      createDisposition: cfg.createDisposition,
      ...(cfg.maxBadRecords !== 0 || (configuration.load as Record<string, unknown>).maxBadRecords !== undefined ? { maxBadRecords: cfg.maxBadRecords } : {}),
      ...((configuration.load as Record<string, unknown>).ignoreUnknownValues !== undefined ? { ignoreUnknownValues: cfg.ignoreUnknownValues } : {}),
    };
    const quota = this.quotaError(cfg.datasetId, cfg.tableId);
    const job = this.add(record, location, { ...configuration, jobType: 'LOAD' }, () =>
      this.o.duck.exclusive(async (c) => {
        if (quota) return { errorResult: quota, errors: [quota] };
        return runLoad(c, this.o.catalog, cfg, location, media);
      }),
    );
    job.inputBytes = media.length;
    return job;
  }

  /** jobs.insert: copy and query jobs (loads need an upload). */
  insert(body: unknown): Job {
    const b = (body ?? {}) as Record<string, unknown>;
    const configuration = (b.configuration ?? {}) as Record<string, unknown>;
    if (configuration.dryRun === true) throw unsupported('dryRun');
    const kinds = ['load', 'copy', 'query', 'extract'].filter((k) => configuration[k] !== undefined);
    if (kinds.length !== 1) {
      throw invalid(`Job configuration must contain exactly one job-specific configuration object (e.g., query, load, extract, spreadsheetExtract), but there were ${kinds.length}`);
    }
    if (configuration.load !== undefined) throw unsupported('A load job without an upload (sourceUris)');
    if (configuration.extract !== undefined) throw unsupported('Extract jobs');
    if (configuration.copy !== undefined) {
      const cfg = parseCopyConfig(configuration.copy, this.o.projectId);
      const { jobId, location } = this.reference(b, () => this.datasetLocation(cfg.datasetId));
      const record: JobRecord = {
        jobId,
        location,
        type: 'COPY',
        datasetId: cfg.datasetId,
        tableId: cfg.tableId,
        state: 'RUNNING',
        writeDisposition: cfg.writeDisposition,
        createDisposition: cfg.createDisposition,
      };
      const quota = this.quotaError(cfg.datasetId, cfg.tableId);
      return this.add(record, location, { ...configuration, jobType: 'COPY' }, () =>
        this.o.duck.exclusive(async (c) => (quota ? { errorResult: quota, errors: [quota] } : runCopy(c, this.o.catalog, cfg, location))),
      );
    }
    return this.createQuery(b, configuration.query as Record<string, unknown>, { ...configuration, jobType: 'QUERY' });
  }

  /** jobs.query (POST /queries): a query job with a generated id; requestId makes retries idempotent. */
  query(body: unknown): Job {
    const b = (body ?? {}) as Record<string, unknown>;
    if (b.dryRun === true) throw unsupported('dryRun');
    if (typeof b.requestId === 'string') {
      const prior = this.byRequestId.get(b.requestId);
      if (prior) return prior;
    }
    const q: Record<string, unknown> = {
      query: b.query,
      useLegacySql: b.useLegacySql,
      ...(b.defaultDataset ? { defaultDataset: b.defaultDataset } : {}),
      ...(b.queryParameters ? { queryParameters: b.queryParameters, parameterMode: b.parameterMode } : {}),
    };
    const job = this.createQuery({ jobReference: { location: b.location } }, q, { query: q, jobType: 'QUERY' });
    if (typeof b.requestId === 'string') this.byRequestId.set(b.requestId, job);
    return job;
  }

  private createQuery(b: Record<string, unknown>, q: Record<string, unknown>, configuration: Record<string, unknown>): Job {
    if (typeof q.query !== 'string' || q.query.trim() === '') throw invalid('Required parameter is missing: query');
    if (q.query.length > MAX_QUERY_CHARS) {
      throw invalid('The query is too large. The maximum standard SQL query length is 1024.00K characters, including comments and white space characters.');
    }
    if (q.useLegacySql !== false) throw unsupported('Legacy SQL (set useLegacySql: false)');
    const sql = q.query;
    const dd = q.defaultDataset as Record<string, unknown> | undefined;
    if (dd && dd.projectId !== undefined && dd.projectId !== this.o.projectId) throw notFound(`Project ${String(dd.projectId)}`);
    const defaultDataset = dd && typeof dd.datasetId === 'string' ? dd.datasetId : undefined;
    const named = new Map<string, string>();
    const positional: string[] = [];
    for (const p of (q.queryParameters ?? []) as Record<string, unknown>[]) {
      const lit = parameterLiteral(p.parameterType, p.parameterValue);
      if (typeof p.name === 'string' && p.name !== '') named.set(p.name.toLowerCase(), lit);
      else positional.push(lit);
    }
    const destination = q.destinationTable as Record<string, unknown> | undefined;
    if (destination && (typeof destination.datasetId !== 'string' || typeof destination.tableId !== 'string')) {
      throw invalid('Invalid destinationTable');
    }
    const writeDisposition = q.writeDisposition ?? 'WRITE_EMPTY';
    const createDisposition = q.createDisposition ?? 'CREATE_IF_NEEDED';
    if (!WRITE_DISPOSITIONS.includes(writeDisposition as never)) throw invalid(`Invalid value for writeDisposition: ${String(writeDisposition)} is not a valid value`);
    if (!CREATE_DISPOSITIONS.includes(createDisposition as never)) throw invalid(`Invalid value for createDisposition: ${String(createDisposition)} is not a valid value`);
    const { jobId, location } = this.reference(b, () => this.datasetLocation(defaultDataset));
    const record: JobRecord = { jobId, location, type: 'QUERY', state: 'RUNNING', query: sql };
    if (destination) {
      record.datasetId = destination.datasetId as string;
      record.tableId = destination.tableId as string;
    }
    const fault = this.o.faults.take('query_error', (f) => f.match === undefined || sql.includes(f.match));
    return this.add(record, location, configuration, () =>
      this.o.duck.exclusive(async (c) => {
        if (fault) {
          const e: ErrorProto = { reason: fault.reason ?? 'invalidQuery', message: fault.message ?? `Injected query error`, location: 'query' };
          return { errorResult: e, errors: [e] };
        }
        const out = await runQuery(c, this.o.catalog, { sql, location, defaultDataset, named, positional });
        if (destination) {
          if (!out.result) throw invalid('A destination table can only be set for a query whose last statement is a SELECT');
          const plan = await planWrite(c, this.o.catalog, {
            datasetId: destination.datasetId as string,
            tableId: destination.tableId as string,
            location,
            writeDisposition: writeDisposition as string,
            createDisposition: createDisposition as string,
            allowFieldAddition: false,
            allowFieldRelaxation: false,
            schema: out.result.schema,
          });
          const stage = await createStage(c, plan.schema);
          try {
            await appendRows(c, stage, plan.schema, out.result.rows);
            await commitStaged(c, this.o.catalog, plan, stage);
          } finally {
            await dropStage(c, stage);
          }
        }
        return { query: out };
      }),
    );
  }

  private quotaError(datasetId: string, tableId: string): ErrorProto | undefined {
    const used = this.all.filter((j) => (j.record.type === 'LOAD' || j.record.type === 'COPY') && j.record.datasetId === datasetId && j.record.tableId === tableId).length;
    if (used < this.o.loadJobsPerTableLimit) return undefined;
    return {
      reason: 'quotaExceeded',
      message: 'Quota exceeded: Your table exceeded quota for imports or query appends per table. For more information, see https://cloud.google.com/bigquery/docs/troubleshoot-quotas',
    };
  }

  private add(record: JobRecord, location: string, configuration: Record<string, unknown>, work: () => Promise<Outcome>): Job {
    if (this.closed) throw new BqError(503, 'backendError', 'The BigQuery test server is closing');
    if (record.type !== 'QUERY') {
      const fault = this.o.faults.take('job_error', (f) => tableMatches(f, record.tableId));
      if (fault) {
        const e: ErrorProto = { reason: fault.reason ?? 'invalid', message: fault.message ?? 'Injected job error' };
        work = async () => ({ errorResult: e, errors: [e] });
      }
    }
    const now = Date.now();
    const runFor = Math.max(this.o.runningMs, this.o.faults.slowMs());
    const job: Job = { record, projectId: this.o.projectId, location, configuration, creationTime: now, startTime: now, dueAt: now + runFor, work };
    job.timer = setTimeout(() => this.start(job), runFor);
    this.all.push(job);
    this.byId.set(record.jobId, job);
    return job;
  }

  private start(job: Job): Promise<void> {
    if (job.timer) clearTimeout(job.timer);
    job.timer = undefined;
    job.running ??= (async () => {
      let outcome: Outcome;
      try {
        outcome = await job.work();
      } catch (e) {
        outcome = jobErrorOutput(e instanceof BqError ? e : new BqError(500, 'internalError', `Internal error in the BigQuery test server: ${(e as Error).message}`));
      }
      job.outcome = outcome;
      job.endTime = Date.now();
      job.record.state = 'DONE';
      if (outcome.errorResult) job.record.errorResult = outcome.errorResult;
      else if (outcome.outputRows !== undefined) job.record.rows = outcome.outputRows;
      else if (outcome.query) job.record.rows = outcome.query.result ? outcome.query.result.rows.length : outcome.query.numDmlAffectedRows;
    })();
    return job.running;
  }

  /** Runs the job to DONE if it is due, waiting up to `waitMs` for it to become due. */
  async settle(job: Job, waitMs = 0): Promise<void> {
    const remaining = job.dueAt - Date.now();
    if (remaining > 0 && waitMs > 0) await new Promise((r) => setTimeout(r, Math.min(remaining, waitMs)));
    if (Date.now() >= job.dueAt) await this.start(job);
  }

  // ---- lookup ----

  /** jobs.get rules: the job exists in this project and the location given matches the job's. */
  find(jobId: string, location: string | undefined): Job {
    const job = this.byId.get(jobId);
    if (!job || !location || location.toUpperCase() !== job.location.toUpperCase()) {
      throw notFound(`Job ${this.o.projectId}:${location ?? 'US'}.${jobId}`);
    }
    return job;
  }

  // ---- resources ----

  resource(job: Job): Record<string, unknown> {
    const { projectId } = this.o;
    const done = job.record.state === 'DONE';
    const o = job.outcome;
    const statistics: Record<string, unknown> = {
      creationTime: String(job.creationTime),
      startTime: String(job.startTime),
      ...(done ? { endTime: String(job.endTime) } : {}),
    };
    if (done && o) {
      if (job.record.type === 'LOAD') {
        statistics.load = {
          inputFiles: '1',
          inputFileBytes: String(job.inputBytes ?? 0),
          outputRows: String(o.outputRows ?? 0),
          outputBytes: '0',
          badRecords: String(o.badRecords ?? 0),
        };
      } else if (job.record.type === 'COPY') {
        statistics.copy = { copiedRows: String(o.outputRows ?? 0), copiedLogicalBytes: '0' };
      } else {
        const q = o.query;
        statistics.totalBytesProcessed = '0';
        statistics.query = {
          totalBytesProcessed: '0',
          totalBytesBilled: '0',
          cacheHit: false,
          ...(q ? { statementType: q.statementType } : {}),
          ...(q?.numDmlAffectedRows !== undefined ? { numDmlAffectedRows: String(q.numDmlAffectedRows) } : {}),
        };
      }
    }
    const status: Record<string, unknown> = { state: job.record.state };
    if (done && o?.errorResult) {
      status.errorResult = o.errorResult;
      status.errors = o.errors ?? [o.errorResult];
    }
    return {
      kind: 'bigquery#job',
      etag: `"${job.record.jobId}-${job.record.state}"`,
      id: `${projectId}:${job.location}.${job.record.jobId}`,
      selfLink: `/bigquery/v2/projects/${projectId}/jobs/${job.record.jobId}?location=${job.location}`,
      user_email: `tester@${projectId}.iam.gserviceaccount.com`,
      configuration: job.configuration,
      jobReference: { projectId, jobId: job.record.jobId, location: job.location },
      statistics,
      status,
      principal_subject: `serviceAccount:tester@${projectId}.iam.gserviceaccount.com`,
    };
  }

  /** getQueryResults / jobs.query body; throws the job's error when it failed. */
  queryResults(job: Job, page: { maxResults?: number; pageToken?: string; startIndex?: number; ts: TimestampFormat }, kind: string): Record<string, unknown> {
    const { projectId } = this.o;
    const jobReference = { projectId, jobId: job.record.jobId, location: job.location };
    if (job.record.type !== 'QUERY') throw invalid(`Job ${projectId}:${job.location}.${job.record.jobId} is not a query job`);
    if (job.record.state !== 'DONE' || !job.outcome) return { kind, jobReference, jobComplete: false };
    const o = job.outcome;
    if (o.errorResult) throw errorFromProto(o.errorResult, o.errors);
    const q = o.query!;
    const out: Record<string, unknown> = {
      kind,
      etag: `"${job.record.jobId}"`,
      jobReference,
      jobComplete: true,
      totalBytesProcessed: '0',
      cacheHit: false,
    };
    if (q.numDmlAffectedRows !== undefined) out.numDmlAffectedRows = String(q.numDmlAffectedRows);
    if (!q.result) {
      out.totalRows = '0';
      return out;
    }
    const { schema, rows } = q.result;
    const start = page.pageToken !== undefined ? decodeToken(page.pageToken) : (page.startIndex ?? 0);
    const size = page.maxResults ?? 100_000;
    const slice = rows.slice(start, start + size);
    out.schema = { fields: toPublicSchema(schema) };
    out.totalRows = String(rows.length);
    out.rows = slice.map((r) => wireRow(schema, r, page.ts));
    if (start + size < rows.length) out.pageToken = encodeToken(start + size);
    return out;
  }

  async cancel(job: Job): Promise<void> {
    // Cancelling is best effort in BigQuery too: a job already running completes.
    await this.settle(job);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.all) if (j.timer) clearTimeout(j.timer);
    await Promise.all(this.all.map((j) => j.running).filter(Boolean));
  }
}

export type { Job };

export function encodeToken(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

export function decodeToken(token: string): number {
  const m = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString());
  if (!m) throw invalid(`Invalid page token: ${token}`);
  return Number(m[1]);
}

export { timestampFormat };
