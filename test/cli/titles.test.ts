/** `-d` and `--table` take a data source's title when no other shared data source has it. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { allTypesWorkspace } from '../../src/emulator/generate.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { plainText } from '../../src/notion/types.js';
import { runCli } from '../support/cli.js';
import { dumpDuckDb } from '../support/duckdb.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function serve() {
  emu = await startEmulator({ workspace: allTypesWorkspace(), rateLimit: false });
  return { NOTION_TOKEN: emu.token, NOTION_BASE_URL: emu.url };
}
const fast = ['--rate-limit', '1000', '--quiet'];

describe('data source titles', () => {
  it('-d Title reads that data source only, whatever the case', async () => {
    const env = await serve();
    const res = await runCli(['pages', ...fast, '-d', 'archive'], env);
    expect(res.code).toBe(0);
    const dataSources = res.lines.filter((l) => l.object === 'data_source');
    expect(dataSources.map((d) => plainText(d.title))).toEqual(['Archive']);
    expect(res.lines.filter((l) => l.object === 'page').length).toBe(20);
  });

  it('an unknown title and a title two data sources share are usage mistakes naming the fix', async () => {
    const env = await serve();
    const unknown = await runCli(['pages', ...fast, '-d', 'Nope'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/No data source titled "Nope" is shared with the integration.*notion-stream list/);
    const archive = emu!.workspace.dataSources.find((d) => plainText(d.title) === 'Archive')!;
    archive.title = [{ type: 'text', text: { content: 'Tasks', link: null }, plain_text: 'Tasks', href: null, annotations: {} }];
    const twice = await runCli(['pages', ...fast, '-d', 'Tasks'], env);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/2 data sources are titled "Tasks": name one by its id/);
    expect(twice.stderr).toContain(archive.id);
  });

  it('--table Title=name names the table of that data source', async () => {
    const env = await serve();
    const out = join(await mkdtemp(join(tmpdir(), 'notion-stream-titles-')), 't.duckdb');
    const res = await runCli(['sync', ...fast, '-d', 'Archive', '--table', 'Archive=old_tasks', '--out', out], env);
    expect(res.code).toBe(0);
    const tables = await dumpDuckDb(out);
    expect(Object.keys(tables)).toContain('old_tasks');
    expect(tables.old_tasks!.rows).toHaveLength(20);
  });
});
