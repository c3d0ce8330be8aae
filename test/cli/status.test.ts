/** `notion-stream status`: tables with rows and last sync, the last runs and the watermarks, as text and as JSON, for DuckDB and BigQuery. */
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { useEmulatorAndBigQuery } from '../support/emulator-bigquery.js';
import { MAIN_ROWS, scenarioWorkspace } from '../support/incremental-scenario.js';

const h = useEmulatorAndBigQuery();
const fast = ['--rate-limit', '1000', '--quiet'];
const bin = fileURLToPath(new URL('../../bin/notion-stream.js', import.meta.url));

/** Two runs (a full, then an incremental one with nothing changed), then the status as text and JSON. */
async function check(dest: () => string[], where: () => string[]): Promise<void> {
  const env = await h.serve(scenarioWorkspace());
  const empty = await runCli(['status', ...where()], env);
  expect(empty.code, empty.stderr).toBe(0);
  expect(empty.stdout.trim().split('\n')).toEqual([expect.stringMatching(/ has no notion-stream runs yet: run `notion-stream sync` into it first\.$/)]);

  expect((await runCli(['sync', ...fast, ...dest()], env)).code).toBe(0);
  expect((await runCli(['sync', '--incremental', ...fast, ...dest()], env)).code).toBe(0);

  const json = await runCli(['status', '--json', ...where()], env);
  expect(json.code, json.stderr).toBe(0);
  const status = JSON.parse(json.stdout);
  expect(status.runs).toHaveLength(2);
  expect(status.runs.map((r: any) => [r.mode, r.status])).toEqual([['incremental', 'succeeded'], ['full', 'succeeded']]); // newest first
  const projects = status.tables.find((t: any) => t.table === 'projects');
  expect(projects).toMatchObject({ table: 'projects', rows: MAIN_ROWS });
  // The incremental run reads the pages of the watermark's minute again, and writes them again.
  expect(status.runs.map((r: any) => r.started_at)).toContain(projects.lastSyncedAt);
  expect(status.tables.map((t: any) => t.table)).not.toContain('_notion_stream_runs');
  const bookmark = status.bookmarks.find((b: any) => b.table === 'projects');
  expect(bookmark.watermark).toMatch(/^\d{4}-\d\d-\d\dT/);

  const text = await runCli(['status', '--runs', '1', ...where()], env);
  expect(text.code, text.stderr).toBe(0);
  const lines = text.stdout.split('\n');
  expect(lines[0]).toMatch(/: \d+ tables, times in UTC\.$/);
  expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^  projects\\s+${MAIN_ROWS}  ${projects.lastSyncedAt.slice(0, 19).replace('T', ' ')}`)));
  expect(text.stdout).toContain('Last 1 run, newest first:');
  expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^  ${status.runs[0].run_id}\\s.*\\sincremental\\s+succeeded\\s`)));
  expect(text.stdout).not.toContain(status.runs[1].run_id);
  expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^  projects\\s+${bookmark.dataSource}\\s+${bookmark.watermark.slice(0, 16).replace('T', ' ')}`)));
}

describe('status', () => {
  it('DuckDB', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'notion-stream-status-')), 'n.duckdb');
    await check(() => ['--out', path], () => ['--out', path]);
  });

  it('BigQuery', async () => {
    const bq = () => ['--project', h.bq!.projectId, '--dataset', 'st', '--location', 'US', '--bigquery-endpoint', h.bq!.url];
    await check(() => h.toBigQuery('st'), () => ['--to', 'bigquery', ...bq()]);
  });

  it('help (of the built binary) has examples, the environment and the exit codes; a file destination is a usage mistake', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'status', '--help'], { env: { PATH: process.env.PATH ?? '' } });
    expect(stdout).toContain('Examples:');
    expect(stdout).toContain('notion-stream status --to bigquery');
    expect(stdout).toContain('BIGQUERY_API_ENDPOINT');
    expect(stdout).toContain('Exit codes:');
    const bad = await runCli(['status', '--to', 'csv'], {});
    expect(bad.code).toBe(2);
  });
});
