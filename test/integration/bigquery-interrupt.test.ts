/**
 * Ctrl-C while the BigQuery swap transaction is submitted, through a real process of the built CLI: the
 * run never says nothing changed; the first Ctrl-C waits for the outcome, a second one leaves saying the
 * swap may still commit.
 */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { startBigQueryServer, type BigQueryTestServer } from '../support/bigquery-server/index.js';
import { BIN } from '../support/pipe.js';

let bq: BigQueryTestServer | undefined;
afterEach(async () => {
  await bq?.close();
  bq = undefined;
});

const schema = JSON.stringify({ type: 'SCHEMA', stream: 't', key_properties: ['id'], schema: { type: 'object', properties: { id: { type: ['null', 'string'] } } } });
const input = `${schema}\n${JSON.stringify({ type: 'RECORD', stream: 't', record: { id: 'a' } })}\n`;

async function until(test: () => boolean): Promise<void> {
  while (!test()) await new Promise((r) => setTimeout(r, 20));
}

function startLoad(server: BigQueryTestServer) {
  const args = ['load', '--assume-complete', '--to', 'bigquery', '--project', server.projectId, '--dataset', 'd', '--location', 'US', '--bigquery-endpoint', server.url];
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end(input);
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exit };
}

const swapSubmitted = (server: BigQueryTestServer) => server.jobs().some((j) => j.type === 'QUERY' && j.jobId.endsWith('_swap'));

describe('Ctrl-C during a submitted BigQuery swap', () => {
  it('the first Ctrl-C says the swap may still commit and waits for its outcome', async () => {
    bq = await startBigQueryServer();
    bq.inject({ kind: 'slow_jobs', ms: 2_000 });
    const run = startLoad(bq);
    await until(() => swapSubmitted(bq!));
    run.child.kill('SIGINT');
    const code = await run.exit;
    expect(run.stderr()).toMatch(/notion-stream: the BigQuery swap \(job notion_stream_\w+_swap\) was already submitted and may still commit; waiting for its outcome/);
    expect(run.stderr()).not.toMatch(/nothing (more )?was (read|changed)/);
    expect(code).toBe(0);
    expect(await bq.rows('d', 't')).toEqual([{ id: 'a' }]);
  });

  it('a second Ctrl-C leaves at once, saying the swap may still commit', async () => {
    bq = await startBigQueryServer();
    bq.inject({ kind: 'slow_jobs', ms: 4_000 });
    const run = startLoad(bq);
    await until(() => swapSubmitted(bq!));
    run.child.kill('SIGINT');
    await until(() => /waiting for its outcome/.test(run.stderr()));
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(130);
    expect(run.stderr()).toMatch(/notion-stream: left before the BigQuery swap \(job notion_stream_\w+_swap\) finished: it may still commit/);
  });
});
