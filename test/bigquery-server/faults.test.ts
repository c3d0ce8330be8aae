/**
 * The BigQuery test server's injected faults and job lifecycle, through the real client: failed
 * uploads create no job, a lost answer leaves a job that a retry with the same jobId finds as a 409,
 * failed jobs commit nothing, slow jobs stay RUNNING, jobs.get needs the job's location, the
 * per-table load quota.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BigQuery, Table } from '@google-cloud/bigquery';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBigQueryClient } from '../../src/sinks/bigquery/client.js';
import { startBigQueryServer, type BigQueryTestServer } from '../support/bigquery-server/index.js';

process.env.METADATA_SERVER_DETECTION = 'none';

let server: BigQueryTestServer;
let bq: BigQuery;
let seq = 0;
const schema = { fields: [{ name: 'n', type: 'INT64' }] };

beforeAll(async () => {
  server = await startBigQueryServer({ loadJobsPerTableLimit: 3 });
  bq = createBigQueryClient({ projectId: 'test-project', location: 'US', endpoint: server.url });
  await bq.dataset('ds').create({ location: 'US' });
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => server.clearFaults());

const newTable = (): Table => bq.dataset('ds').table(`f${++seq}`);

async function load(table: Table, rows: unknown[], metadata: Record<string, unknown> = {}): Promise<void> {
  const stream = table.createWriteStream({ sourceFormat: 'NEWLINE_DELIMITED_JSON', schema, ...metadata });
  await pipeline(Readable.from(rows.map((r) => JSON.stringify(r) + '\n')), stream);
}

function uploads(): number {
  return server.requests().filter((r) => r.path === '/upload/bigquery/v2/projects/test-project/jobs').length;
}

describe('upload faults', () => {
  it('upload_status 503: the upload fails, no job is created', async () => {
    const table = newTable();
    server.inject({ kind: 'upload_status', status: 503, table: table.id });
    const jobs = server.jobs().length;
    await expect(load(table, [{ n: 1 }])).rejects.toMatchObject({ code: 503 });
    expect(server.jobs().length).toBe(jobs);
    expect(server.requests().at(-1)).toMatchObject({ method: 'POST', status: 503 });
    await load(table, [{ n: 2 }]); // consumed: the next upload goes through
    expect(await server.rows('ds', table.id!)).toEqual([{ n: 2 }]);
  });

  it('upload_drop: the socket closes mid-body, no job is created', async () => {
    const table = newTable();
    server.inject({ kind: 'upload_drop', table: table.id, afterBytes: 10 });
    const jobs = server.jobs().length;
    const before = uploads();
    await expect(load(table, Array.from({ length: 1000 }, (_, n) => ({ n })))).rejects.toThrow();
    expect(uploads()).toBe(before + 1);
    expect(server.requests().at(-1)).toMatchObject({ status: 0 });
    expect(server.jobs().length).toBe(jobs);
    expect(server.tableIds('ds')).not.toContain(table.id);
  });

  it('upload_drop only fires for its table', async () => {
    server.inject({ kind: 'upload_drop', table: 'some_other_table' });
    const table = newTable();
    await load(table, [{ n: 1 }]);
    expect(await server.rows('ds', table.id!)).toEqual([{ n: 1 }]);
  });

  it('upload_lost_response: the job exists, a retry with the same jobId gets 409 duplicate', async () => {
    const table = newTable();
    server.inject({ kind: 'upload_lost_response', table: table.id });
    await expect(load(table, [{ n: 1 }], { jobId: 'lost_answer' })).rejects.toThrow();
    expect(server.jobs().at(-1)).toMatchObject({ jobId: 'lost_answer', type: 'LOAD', tableId: table.id });
    await expect(load(table, [{ n: 1 }], { jobId: 'lost_answer' })).rejects.toMatchObject({ code: 409, errors: [expect.objectContaining({ reason: 'duplicate' })] });
    const [metadata] = await bq.job('lost_answer', { location: 'US' }).getMetadata();
    expect(metadata.status.state).toBe('DONE');
    expect(await server.rows('ds', table.id!)).toEqual([{ n: 1 }]);
  });
});

describe('job faults and lifecycle', () => {
  it('job_error: the load ends DONE with the errorResult, nothing committed', async () => {
    const table = newTable();
    await load(table, [{ n: 1 }]);
    server.inject({ kind: 'job_error', table: table.id, reason: 'backendError', message: 'boom' });
    await expect(load(table, [{ n: 2 }], { writeDisposition: 'WRITE_TRUNCATE' })).rejects.toMatchObject({ errors: [expect.objectContaining({ reason: 'backendError', message: 'boom' })] });
    expect(server.jobs().at(-1)).toMatchObject({ state: 'DONE', errorResult: { reason: 'backendError', message: 'boom' } });
    expect(await server.rows('ds', table.id!)).toEqual([{ n: 1 }]);
  });

  it('slow_jobs keeps jobs RUNNING, then they finish', async () => {
    const table = newTable();
    server.inject({ kind: 'slow_jobs', ms: 300 });
    const stream = table.createWriteStream({ sourceFormat: 'NEWLINE_DELIMITED_JSON', schema, jobId: 'slow_load' });
    const done = pipeline(Readable.from(['{"n":1}\n']), stream);
    await new Promise<void>((resolve) => stream.on('job', () => resolve()));
    const [meta] = await bq.job('slow_load', { location: 'US' }).getMetadata();
    expect(meta.status.state).toBe('RUNNING');
    expect(server.tableIds('ds')).not.toContain(table.id);
    await done;
    expect(server.jobs().find((j) => j.jobId === 'slow_load')).toMatchObject({ state: 'DONE', rows: 1 });
  });

  it('jobs.get with a wrong or missing location answers 404', async () => {
    const table = newTable();
    await load(table, [{ n: 1 }], { jobId: 'located_job' });
    await expect(bq.job('located_job', { location: 'EU' }).getMetadata()).rejects.toMatchObject({ code: 404 });
    const noLocation = createBigQueryClient({ projectId: 'test-project', endpoint: server.url });
    await expect(noLocation.job('located_job').getMetadata()).rejects.toMatchObject({ code: 404 });
    const [meta] = await bq.job('located_job', { location: 'US' }).getMetadata();
    expect(meta.statistics.load.outputRows).toBe('1');
  });

  it('a load job into a dataset of another location fails with notFound', async () => {
    const table = newTable();
    const eu = createBigQueryClient({ projectId: 'test-project', location: 'EU', endpoint: server.url });
    await expect(load(eu.dataset('ds').table(table.id!), [{ n: 1 }])).rejects.toMatchObject({ errors: [expect.objectContaining({ reason: 'notFound' })] });
  });

  it('fails load jobs past the per-table limit with quotaExceeded', async () => {
    const table = newTable();
    for (let i = 0; i < 3; i++) await load(table, [{ n: i }]);
    await expect(load(table, [{ n: 9 }])).rejects.toMatchObject({ errors: [expect.objectContaining({ reason: 'quotaExceeded' })] });
    expect(server.jobs().filter((j) => j.tableId === table.id && j.type === 'LOAD')).toHaveLength(4);
    expect((await server.rows('ds', table.id!)).map((r) => r.n)).toEqual([0, 1, 2]);
  });

  it('jobRunningMs keeps every job RUNNING that long', async () => {
    const slow = await startBigQueryServer({ jobRunningMs: 200 });
    try {
      const client = createBigQueryClient({ projectId: 'test-project', location: 'US', endpoint: slow.url });
      await client.dataset('d').create({ location: 'US' });
      const [job] = await client.createQueryJob({ query: 'SELECT 1 AS x', location: 'US' });
      expect((await job.getMetadata())[0].status.state).toBe('RUNNING');
      await job.promise();
      expect((await job.getMetadata())[0].status.state).toBe('DONE');
    } finally {
      await slow.close();
    }
  });
});
