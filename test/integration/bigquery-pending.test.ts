/**
 * BigQuery: nothing changes outside the swap, or the next run removes it. A run that fails or is killed
 * (SIGKILL of a real process of the built CLI) at each step around the swap, then the next run: the
 * dataset is exactly as before the failed run plus the next run's own changes (here: none, it loads the
 * same input again), read back over HTTP from the strict test server.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { BigQuery } from '@google-cloud/bigquery';
import { afterEach, describe, expect, it } from 'vitest';
import { createBigQueryClient } from '../../src/sinks/bigquery/client.js';
import { PENDING_TABLE } from '../../src/sinks/bigquery/pending.js';
import { startBigQueryServer, type BigQueryTestServer } from '../support/bigquery-server/index.js';
import { runCli } from '../support/cli.js';
import { BIN } from '../support/pipe.js';

process.env.METADATA_SERVER_DETECTION = 'none';

let bq: BigQueryTestServer | undefined;
afterEach(async () => {
  await bq?.close();
  bq = undefined;
});

const line = (m: unknown) => JSON.stringify(m);
const schema = (stream: string, properties: Record<string, unknown>) => line({ type: 'SCHEMA', stream, key_properties: ['id'], schema: { type: 'object', properties } });
const str = { type: ['null', 'string'] };
const int = { type: ['null', 'integer'] };
/** The first run: table t (id). */
const first = [schema('t', { id: str }), line({ type: 'RECORD', stream: 't', record: { id: 'a' } })].join('\n');
/** The failing run: a column added to t, a new table u, and a state (a new _notion_stream_state table). */
const wider = [
  schema('t', { id: str, n: int }),
  line({ type: 'RECORD', stream: 't', record: { id: 'b', n: 1 } }),
  schema('u', { id: str }),
  line({ type: 'RECORD', stream: 'u', record: { id: 'c' } }),
  line({ type: 'STATE', value: { cursor: 1 } }),
].join('\n');
/** A run that recreates t with a new column type (--full-refresh). */
const retyped = [schema('t', { id: int }), line({ type: 'RECORD', stream: 't', record: { id: 7 } })].join('\n');

function args(server: BigQueryTestServer, ...extra: string[]): string[] {
  return ['load', '--assume-complete', '--to', 'bigquery', '--project', server.projectId, '--dataset', 'd', '--location', 'US', '--bigquery-endpoint', server.url, ...extra];
}

/** Every table but staging tables: schema (with descriptions) and rows, read back through the real client. */
async function dataset(server: BigQueryTestServer): Promise<Record<string, unknown>> {
  const client: BigQuery = createBigQueryClient({ projectId: server.projectId, location: 'US', endpoint: server.url });
  const out: Record<string, unknown> = {};
  for (const id of server.tableIds('d').filter((t) => !t.startsWith('_ns_stage_')).sort()) {
    const [metadata] = await client.dataset('d').table(id).getMetadata();
    const rows = (await server.rows('d', id)).map((r) => JSON.stringify(r)).sort();
    out[id] = { fields: metadata.schema?.fields, rows };
  }
  return out;
}

async function killedAt(step: string, argv: string[], input: string): Promise<void> {
  const child = spawn(process.execPath, [BIN, ...argv], { env: { ...process.env, NOTION_STREAM_FAULT: step }, stdio: ['pipe', 'ignore', 'ignore'] });
  child.stdin!.end(input);
  const [code, signal] = await once(child, 'exit');
  expect({ code, signal }).toEqual({ code: null, signal: 'SIGKILL' });
}

/** The first run, then a snapshot of the dataset. */
async function start(): Promise<{ server: BigQueryTestServer; before: Record<string, unknown> }> {
  bq = await startBigQueryServer();
  expect((await runCli(args(bq, '-q'), {}, undefined, first)).code).toBe(0);
  const before = await dataset(bq);
  expect(Object.keys(before)).toEqual([PENDING_TABLE, 't']); // the record, empty once the swap committed
  return { server: bq, before };
}

/** The next run loads the first input again; its stderr. */
async function nextRun(server: BigQueryTestServer): Promise<string> {
  const res = await runCli(args(server), {}, undefined, first);
  expect(res.code).toBe(0);
  expect(server.tableIds('d').filter((t) => t.startsWith('_ns_stage_'))).toEqual([]); // staging tables and copies swept
  return res.stderr;
}

describe('a failed swap undoes what it changed outside the transaction', () => {
  it('drops the created tables and the added columns at once; the message says nothing changed', async () => {
    const { server, before } = await start();
    server.inject({ kind: 'query_error', match: 'BEGIN', reason: 'invalidQuery', message: 'boom' });
    const res = await runCli(args(server, '-q'), {}, undefined, wider);
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n')).toEqual(['notion-stream: BigQuery refused to swap the tables in, so none of them changed: invalidQuery: boom']);
    expect(await dataset(server)).toEqual(before);
    expect(await nextRun(server)).not.toContain('Cleaned up');
    expect(await dataset(server)).toEqual(before);
  });

  it('when undoing fails too, the message lists what stays, and the next run removes it', async () => {
    const { server, before } = await start();
    server.inject({ kind: 'query_error', match: 'BEGIN', reason: 'invalidQuery', message: 'boom' });
    server.inject({ kind: 'query_error', match: 'DROP COLUMN', reason: 'backendError', message: 'try later' });
    const res = await runCli(args(server, '-q'), {}, undefined, wider);
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n')).toEqual([
      'notion-stream: BigQuery refused to swap the tables in, so none of them changed: invalidQuery: boom Changed outside the swap and not undone: columns added to t (n); the next run into this dataset removes them.',
    ]);
    expect(await dataset(server)).not.toEqual(before);
    expect(await nextRun(server)).toContain('Cleaned up after an earlier run whose swap did not commit: dropped column t (n).');
    expect(await dataset(server)).toEqual(before);
  });

  it('a refused load job changes nothing and leaves nothing to clean', async () => {
    const { server, before } = await start();
    server.inject({ kind: 'job_error', reason: 'invalid', message: 'bad row' });
    expect((await runCli(args(server, '-q'), {}, undefined, wider)).code).toBe(1);
    expect(await dataset(server)).toEqual(before);
    expect(await nextRun(server)).not.toContain('Cleaned up');
  });
});

describe('a run killed around the swap: the next run removes what it changed', () => {
  it('killed after recording its changes, before making them: nothing to undo, the record goes', async () => {
    const { server, before } = await start();
    await killedAt('bigquery:recorded', args(server), wider);
    expect(await dataset(server)).not.toEqual(before); // the record holds the run's rows
    expect(await nextRun(server)).not.toContain('Cleaned up'); // nothing to say: the rows go, nothing else changed
    expect(await dataset(server)).toEqual(before);
  });

  it('killed after creating tables and adding columns, before the swap: the next run drops them', async () => {
    const { server, before } = await start();
    await killedAt('bigquery:ddl', args(server), wider);
    const left = await dataset(server);
    expect(Object.keys(left)).toEqual(expect.arrayContaining(['_notion_stream_state', 'u']));
    expect(await nextRun(server)).toContain('Cleaned up after an earlier run whose swap did not commit: dropped tables u, _notion_stream_state; dropped column t (n).');
    expect(await dataset(server)).toEqual(before);
  });

  it('killed while its swap job still runs: the next run waits for the job, and keeps what it committed', async () => {
    const { server } = await start();
    server.inject({ kind: 'slow_jobs', ms: 2_000 });
    const child = spawn(process.execPath, [BIN, ...args(server)], { stdio: ['pipe', 'ignore', 'ignore'] });
    child.stdin!.end(wider);
    const swaps = () => server.jobs().filter((j) => j.type === 'QUERY' && j.jobId.endsWith('_swap'));
    while (swaps().length < 2) await new Promise((r) => setTimeout(r, 20)); // the killed run's swap submitted
    child.kill('SIGKILL');
    await once(child, 'exit');
    const stderr = await nextRun(server); // slow too: its own jobs wait as well
    expect(stderr).not.toContain('Cleaned up');
    expect(swaps()[1]).toMatchObject({ state: 'DONE' });
    const after = await dataset(server);
    expect(Object.keys(after)).toEqual([PENDING_TABLE, '_notion_stream_state', 't', 'u']); // what the killed run's swap committed stays
    expect(after.t).toMatchObject({ rows: [JSON.stringify({ id: 'a', n: null })] }); // then replaced by the next run, keeping column n
    expect(after.u).toMatchObject({ rows: [JSON.stringify({ id: 'c' })] });
    expect(after[PENDING_TABLE]).toMatchObject({ rows: [] });
  });

  it('killed after recreating a table (--full-refresh), before the swap: the next run puts it back from its copy', async () => {
    const { server, before } = await start();
    await killedAt('bigquery:ddl', args(server, '--full-refresh'), retyped);
    expect(await dataset(server)).not.toEqual(before);
    expect(await nextRun(server)).toContain('Cleaned up after an earlier run whose swap did not commit: put back table t from its copy.');
    expect(await dataset(server)).toEqual(before);
  });
});
