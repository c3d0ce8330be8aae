/**
 * One load job fed as records arrive: a "segment" of a table. Lines go straight into
 * `table.createWriteStream` (NEWLINE_DELIMITED_JSON), with backpressure from the upload, and are also
 * spooled to a temporary file until the job is DONE (at most `segmentBytes`; the sink starts a new
 * segment past that; memory stays flat), so a failed upload can be sent again with the SAME job id. A 409 `duplicate` on such a retry means the
 * first attempt got through: the segment attaches to that job instead of loading twice.
 *
 * A failed or aborted run destroys the upload's HTTP request (the client's stream alone would leave the
 * socket open, neither completed nor aborted) and stops polling the job.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { ClientRequest } from 'node:http';
import type { Writable } from 'node:stream';
import type { BigQuery, Job, Table } from '@google-cloud/bigquery';
import { isAbortError, NotionStreamError } from '../../errors.js';
import { sleep, throwIfAborted } from '../../util/abort.js';
import type { BigQueryField } from './schema.js';

export interface SegmentOptions {
  client: BigQuery;
  /** The table the rows load into (with its dataset's location). */
  table: Table;
  /** The name the user knows the table by, for messages. */
  tableName: string;
  jobId: string;
  location?: string;
  fields: BigQueryField[];
  /** The file the segment's lines are spooled to, for a resend; removed when the segment ends. */
  spoolPath: string;
  /** Upload attempts after the first (default 5). */
  retries?: number;
  /** Time between job polls, ms (default 500). */
  pollMs?: number;
  signal?: AbortSignal;
  /** Called before each retry, with the reason. */
  onRetry?: (reason: string) => void;
}

export interface SegmentResult {
  jobId: string;
  rows: number;
  /** Upload attempts (1 when the first went through). */
  attempts: number;
}

const CHUNK = 64 * 1024;

type Upload = Writable & { on(event: 'job', listener: (job: Job) => void): Upload; on(event: string, listener: (...args: unknown[]) => void): Upload };

/** Every HTTP request this stream feeds, found through the pipes of the client's upload. */
function uploadRequests(stream: unknown, seen = new Set<unknown>()): ClientRequest[] {
  if (!stream || typeof stream !== 'object' || seen.has(stream)) return [];
  seen.add(stream);
  if (stream instanceof ClientRequest) return [stream];
  const s = stream as { _writable?: unknown; _readableState?: { pipes?: unknown[] | unknown } };
  const pipes = s._readableState?.pipes;
  const next = [s._writable, ...(Array.isArray(pipes) ? pipes : pipes ? [pipes] : [])];
  return next.flatMap((n) => uploadRequests(n, seen));
}

/** BigQuery's reasons for a failed job, one line. */
export function jobErrorText(errors: { reason?: string; message?: string; location?: string }[] | undefined, errorResult?: { reason?: string; message?: string }): string {
  const all = [...(errorResult ? [errorResult] : []), ...(errors ?? [])];
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const e of all) {
    const text = `${e.reason ?? 'error'}: ${e.message ?? ''}`.trim();
    if (seen.has(text)) continue;
    seen.add(text);
    parts.push(text);
    if (parts.length >= 4) break;
  }
  return parts.join('; ');
}

/** The column a BigQuery data error names (`Field: due;`), if any. */
export function errorColumn(text: string): string | undefined {
  return /Field: ([A-Za-z0-9_]+)/.exec(text)?.[1] ?? /no such field: ([A-Za-z0-9_]+)/i.exec(text)?.[1];
}

function isDuplicate(err: unknown): boolean {
  const e = err as { code?: number; errors?: { reason?: string }[] };
  return e?.code === 409 || (e?.errors ?? []).some((x) => x.reason === 'duplicate');
}

/** True for an upload error that sending again may cure (5xx, 429, a dropped connection). */
function isTransientUpload(err: unknown): boolean {
  const e = err as { code?: number | string; errors?: unknown[]; name?: string; message?: string };
  if (typeof e?.code === 'number') return e.code === 408 || e.code === 429 || e.code >= 500;
  if (typeof e?.code === 'string') return true; // ECONNRESET, EPIPE, ...
  return /socket|network|ECONN|EPIPE|terminated|closed/i.test(String(e?.message ?? '')) || e?.name === 'FetchError';
}

export interface DoneStatus {
  errorResult?: { reason?: string; message?: string };
  errors?: { reason?: string; message?: string }[];
}

/** Polls a job until BigQuery reports it DONE; returns its final status (errorResult set when it failed). */
export async function waitForJob(job: Job, pollMs: number, signal?: AbortSignal): Promise<DoneStatus> {
  for (;;) {
    const [metadata] = await job.getMetadata();
    const status = metadata.status ?? {};
    if (status.state === 'DONE') return status;
    await sleep(pollMs, signal);
  }
}

export class JobFailedError extends NotionStreamError {}

export class SegmentUpload {
  private spool: WriteStream | undefined;
  private pending = '';
  private live: Upload | undefined;
  private liveDone: Promise<void> | undefined;
  private liveError: unknown;
  private liveJob: Job | undefined;
  private closed = false;
  bytes = 0;
  rows = 0;

  constructor(private readonly options: SegmentOptions) {}

  /** Adds one NDJSON line (without newline); resolves when the upload can take more. */
  async write(line: string): Promise<void> {
    this.pending += `${line}\n`;
    this.rows++;
    if (this.pending.length >= CHUNK) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pending === '') return;
    const chunk = Buffer.from(this.pending);
    this.pending = '';
    this.bytes += chunk.length;
    this.spool ??= createWriteStream(this.options.spoolPath);
    if (!this.spool.write(chunk)) await once(this.spool, 'drain', { signal: this.options.signal });
    if (this.liveError !== undefined) return;
    const upload = this.live ?? this.startLive();
    if (!upload.write(chunk)) await this.drained(upload);
  }

  private async drained(upload: Upload): Promise<void> {
    const signal = this.options.signal;
    throwIfAborted(signal);
    await new Promise<void>((resolve) => {
      const done = (): void => {
        upload.off('drain', done);
        upload.off('error', done);
        upload.off('close', done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      upload.on('drain', done);
      upload.on('error', done);
      upload.on('close', done);
      signal?.addEventListener('abort', done, { once: true });
    });
    throwIfAborted(signal);
  }

  private open(): { upload: Upload; done: Promise<void> } {
    const { table, jobId, fields } = this.options;
    const upload = table.createWriteStream({
      sourceFormat: 'NEWLINE_DELIMITED_JSON',
      schema: { fields },
      writeDisposition: 'WRITE_APPEND',
      createDisposition: 'CREATE_NEVER',
      jobId,
    } as never) as unknown as Upload;
    const done = new Promise<void>((resolve, reject) => {
      upload.on('job', (job: Job) => {
        this.liveJob = job;
      });
      upload.on('complete', () => resolve());
      upload.on('error', (err: unknown) => reject(err));
    });
    done.catch(() => undefined);
    return { upload, done };
  }

  private startLive(): Upload {
    const { upload, done } = this.open();
    this.live = upload;
    this.liveDone = done.catch((err: unknown) => {
      this.liveError = err;
      throw err;
    });
    this.liveDone.catch(() => undefined);
    return upload;
  }

  /** Sends the rest, waits for the job to be DONE, and retries the upload with the same job id if it failed. */
  async finish(): Promise<SegmentResult> {
    try {
      return await this.send();
    } finally {
      await this.removeSpool();
    }
  }

  /** Ends writing the spool file (every line is in it by then). */
  private async closeSpool(): Promise<void> {
    const spool = this.spool;
    this.spool = undefined;
    if (!spool) return;
    spool.end();
    if (!spool.closed) await once(spool, 'close');
  }

  private async removeSpool(): Promise<void> {
    await this.closeSpool().catch(() => undefined);
    await rm(this.options.spoolPath, { force: true });
  }

  private async send(): Promise<SegmentResult> {
    const { signal, retries = 5, onRetry } = this.options;
    await this.flush();
    let attempts = 1;
    let error: unknown;
    if (this.liveError === undefined) {
      const upload = this.live ?? this.startLive(); // an empty segment still makes a job
      upload.end();
      error = await this.settle(this.liveDone!);
    } else {
      error = this.liveError;
    }
    while (error !== undefined) {
      if (signal?.aborted) throw error;
      if (isDuplicate(error)) {
        await this.attach();
        break;
      }
      if (!isTransientUpload(error) || attempts > retries) throw this.describe(error, attempts);
      onRetry?.(`upload of ${this.options.tableName} failed (${String((error as Error).message ?? error).slice(0, 120)}); sending it again as job ${this.options.jobId}`);
      await sleep(Math.min(200 * 2 ** (attempts - 1), 5_000), signal);
      attempts++;
      error = await this.resend();
    }
    this.closed = true;
    return { jobId: this.options.jobId, rows: this.rows, attempts };
  }

  private async settle(done: Promise<void>): Promise<unknown> {
    const signal = this.options.signal;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<void>((_, reject) => {
      onAbort = () => reject(signal!.reason ?? new Error('aborted'));
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([done, aborted]);
      return undefined;
    } catch (err) {
      if (signal?.aborted) {
        this.abort();
        throw err;
      }
      return err;
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  private async resend(): Promise<unknown> {
    this.stopUpload();
    const { upload, done } = this.open();
    this.live = upload;
    await this.closeSpool();
    if (this.bytes > 0) {
      for await (const chunk of createReadStream(this.options.spoolPath, { highWaterMark: 1024 * 1024 })) {
        if (!upload.write(chunk)) await this.drained(upload);
      }
    }
    upload.end();
    return this.settle(done);
  }

  /** Waits for the job an earlier attempt created (409 duplicate), and checks how it ended. */
  private async attach(): Promise<void> {
    const { client, jobId, location, pollMs = 500, signal } = this.options;
    const status = await waitForJob(client.job(jobId, { location }), pollMs, signal);
    if (status.errorResult) {
      throw this.describe({ errors: status.errors ?? [status.errorResult], errorResult: status.errorResult, message: status.errorResult.message }, 1);
    }
  }

  private describe(err: unknown, attempts: number): Error {
    if (isAbortError(err)) return err as Error;
    const e = err as { errors?: { reason?: string; message?: string }[]; errorResult?: { reason?: string; message?: string }; message?: string; code?: unknown };
    const text = e.errors?.length ? jobErrorText(e.errors, e.errorResult) : String(e.message ?? err);
    const columnName = errorColumn(text);
    const where = `table ${this.options.tableName}${columnName ? `, column ${columnName}` : ''}`;
    if (e.errors?.length) {
      return new JobFailedError('bigquery_error', `BigQuery refused the load into ${where}: ${text}`, false, { cause: err });
    }
    return new NotionStreamError(
      'bigquery_error',
      `The upload into ${where} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${text}. Check the connection to BigQuery and run again.`,
      isTransientUpload(err),
      { cause: err },
    );
  }

  /** Stops the upload now: destroys its HTTP request and stops polling its job; removes the spool file. */
  abort(): void {
    this.stopUpload();
    void this.removeSpool().catch(() => undefined);
  }

  private stopUpload(): void {
    const upload = this.live;
    if (!upload) return;
    for (const request of uploadRequests(upload)) request.destroy();
    this.liveJob?.removeAllListeners();
    if (!this.closed) upload.destroy();
    this.live = undefined;
  }
}
