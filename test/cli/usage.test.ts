/** Help screens, "did you mean", and exit code 2 for every usage mistake, through the built binary. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { closestOption } from '../../src/cli/main.js';

const bin = fileURLToPath(new URL('../../bin/notion-stream.js', import.meta.url));
const run = promisify(execFile);

/** Runs the CLI as a user would; resolves with its exit code and output whatever the code. */
async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const COMMANDS: Array<[string, string[]]> = [
  ['sync', ['NOTION_TOKEN', 'GOOGLE_CLOUD_PROJECT']],
  ['list', ['NOTION_TOKEN']],
  ['pages', ['NOTION_TOKEN']],
  ['flatten', []],
  ['split', []],
  ['load', ['GOOGLE_CLOUD_PROJECT']],
  ['emulate', []],
  ['demo', []],
];

describe('help', () => {
  it.each(COMMANDS)('%s --help has examples, its environment variables and the exit codes', async (command, env) => {
    const res = await cli([command, '--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Examples:');
    expect(res.stdout).toMatch(new RegExp(`notion-stream ${command}`));
    expect(res.stdout).toContain('Environment');
    for (const name of env) expect(res.stdout).toContain(name);
    expect(res.stdout).toContain('Exit codes:');
  });
});

describe('did you mean', () => {
  it('suggests the closest option of the command', async () => {
    const res = await cli(['sync', '--rate-limt', '3', '--concurency', '2']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('unknown option --rate-limt: did you mean --rate-limit?');
    expect(res.stderr).toContain('unknown option --concurency: did you mean --concurrency?');
    expect(res.stderr).not.toContain('rateLimt');
  });

  it('suggests the closest command', async () => {
    for (const [typo, command] of [['snyc', 'sync'], ['lst', 'list'], ['flaten', 'flatten'], ['statsu', 'status']]) {
      const res = await cli([typo!]);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain(`did you mean \`notion-stream ${command}\`?`);
    }
  });

  it('suggests nothing for a name far from every option', () => {
    expect(closestOption('zzzzzz', ['rate-limit', 'database'])).toBeUndefined();
    expect(closestOption('mod', ['mode', 'out'])).toBe('mode');
  });
});

describe('exit code 2 for usage mistakes, one line, before any request', () => {
  // The Notion URL points nowhere: a request would fail with exit 1, not 2.
  const env = { NOTION_TOKEN: 'secret_x', NOTION_BASE_URL: 'http://127.0.0.1:9' };
  it.each([
    ['missing --project', ['sync', '--to', 'bigquery', '--dataset', 'd'], /needs a project/],
    ['a URL without an id', ['sync', '-d', 'https://www.notion.so/acme/Tasks'], /is not a Notion database or data source id/],
    ['a bad duration', ['sync', '--incremental', '--reconcile-every', '7x', '--out', '/tmp/never.duckdb'], /"7x" is not a duration/],
    ['a mode the destination lacks', ['sync', '--to', 'csv', '--mode', 'merge'], /--mode merge is available for --to duckdb and --to bigquery/],
    ['a flag of incremental runs without --incremental', ['sync', '--reconcile'], /belong to incremental runs/],
    ['a choice not offered', ['sync', '--to', 'parquet'], /Invalid values/],
  ])('%s', async (_name, args, pattern) => {
    const res = await cli(args, env);
    expect(res.stderr).toMatch(pattern);
    expect(res.code).toBe(2);
    expect(res.stderr).not.toMatch(/unexpected error|\n\s+at /);
  });
});
