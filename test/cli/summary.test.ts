/** The final summary says what happened in words a user reads right. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { count } from '../../src/util/stats.js';
import { runCli } from '../support/cli.js';
import { edit, mainRow, Minutes, scenarioWorkspace, setTitle } from '../support/incremental-scenario.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function serve() {
  emu = await startEmulator({ workspace: scenarioWorkspace(), rateLimit: false });
  return { NOTION_TOKEN: emu.token, NOTION_BASE_URL: emu.url };
}

describe('count', () => {
  it('says 1 row and 2,500 rows', () => {
    expect(count(1, 'row')).toBe('1 row');
    expect(count(0, 'table')).toBe('0 tables');
    expect(count(2500, 'row')).toBe('2,500 rows');
    expect(count(1, 'retry', 'retries')).toBe('1 retry');
  });
});

describe('summaries', () => {
  it('an incremental run with nothing changed says so; an edit is counted', async () => {
    const env = await serve();
    const out = join(await mkdtemp(join(tmpdir(), 'notion-stream-summary-')), 'inc.duckdb');
    const args = ['sync', '--incremental', '--rate-limit', '1000', '--out', out];
    const first = await runCli(args, env);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/Wrote \d+ tables/);

    const again = await runCli(args, env);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/Nothing changed since the last run: \d+ data sources checked/);
    expect(again.stderr).not.toMatch(/Wrote /);

    const minutes = new Minutes();
    edit(mainRow(emu!.workspace, 3), minutes.next(), (p) => setTitle(p, 'Renamed'));
    const edited = await runCli(args, env);
    expect(edited.code).toBe(0);
    expect(edited.stderr).toMatch(/; 1 page edited since the last run\./);
    expect(edited.stderr).not.toMatch(/Nothing changed/);
    expect(edited.stderr).toMatch(/Wrote /);
  });

  it('list reports data sources and requests, not pages', async () => {
    const env = await serve();
    const res = await runCli(['list', '--rate-limit', '1000'], env);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/^Listed \d+ data sources, \d+ requests?, /m);
    expect(res.stderr).not.toMatch(/page/);
  });

  it('a one-row table is "1 table (1 row)"', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'notion-stream-summary-'));
    const input = [
      { type: 'SCHEMA', stream: 't', schema: { type: 'object', properties: { id: { type: ['null', 'string'] } } }, key_properties: ['id'] },
      { type: 'RECORD', stream: 't', record: { id: 'a' } },
    ].map((m) => JSON.stringify(m)).join('\n');
    const res = await runCli(['load', '--assume-complete', '--to', 'duckdb', '--out', join(dir, 'one.duckdb')], {}, undefined, input);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/Wrote 1 table \(1 row\) to /);
  });
});
