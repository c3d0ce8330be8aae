/** An incremental run warns about a data source loaded before that the listing no longer shows. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { scaleWorkspace } from '../../src/emulator/generate.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { runCli } from '../support/cli.js';
import { dumpDuckDb } from '../support/duckdb.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

it('a data source gone since the last run gets a warning line; its table stays', async () => {
  emu = await startEmulator({ workspace: scaleWorkspace({ dataSources: 2, pagesEach: 20 }), rateLimit: false });
  const env = { NOTION_TOKEN: emu.token, NOTION_BASE_URL: emu.url };
  const db = join(await mkdtemp(join(tmpdir(), 'notion-stream-gone-')), 'n.duckdb');
  const fast = ['sync', '--incremental', '--rate-limit', '1000', '--quiet', '--out', db];
  expect((await runCli(fast, env)).code).toBe(0);
  const gone = emu.workspace.dataSources.splice(1, 1)[0]!;
  const res = await runCli(fast, env);
  expect(res.code).toBe(0);
  const id = gone.id.replace(/-/g, '');
  expect(res.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^warning: Data source ${id} \\(table "scale_2"\\) was loaded before but is no longer shared.*kept`))]);
  expect((await dumpDuckDb(db)).scale_2!.rows).toHaveLength(20);
});
