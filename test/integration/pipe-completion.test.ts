/**
 * The completion protocol through real processes: `pages | flatten | split | load` and
 * `sync --to ndjson | load` as shell pipes of the built CLI, with the first stage killed half-way.
 * `load` must leave the destination as it was and exit non-zero.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scaleWorkspace } from '../../src/emulator/generate.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { dumpDuckDb } from '../support/duckdb.js';
import { startPipe } from '../support/pipe.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const tmp = () => mkdtemp(join(tmpdir(), 'notion-stream-pipe-'));

async function until(test: () => boolean): Promise<void> {
  while (!test()) await new Promise((r) => setTimeout(r, 20));
}

const PIPES: [string, NodeJS.Signals, (db: string) => string[][]][] = [
  ['pages | flatten | split | load', 'SIGKILL', (db) => [['pages', '--rate-limit', '1000', '--timeout', '600', '-q'], ['flatten'], ['split'], ['load', '--to', 'duckdb', '--out', db]]],
  ['sync --to ndjson | load', 'SIGTERM', (db) => [['sync', '--to', 'ndjson', '--no-users', '--no-catalog', '--rate-limit', '1000', '--timeout', '600', '-q'], ['load', '--to', 'duckdb', '--out', db]]],
];

describe('a shell pipe whose first stage is killed half-way commits nothing', () => {
  for (const [name, signal, stages] of PIPES) {
    {
      it(`${name}, first stage killed with ${signal}`, async () => {
        emu = await startEmulator({ workspace: scaleWorkspace({ dataSources: 2, pagesEach: 200 }), rateLimit: false });
        const env = { NOTION_TOKEN: emu.token, NOTION_BASE_URL: emu.url };
        const dir = await tmp();
        const db = join(dir, 'notion.duckdb');

        const full = startPipe(stages(db), env, dir);
        const first = await full.done;
        expect(first.stderr.join('')).not.toMatch(/notion-stream:/);
        expect(first.code).toBe(0);
        const before = await dumpDuckDb(db);
        expect(Object.values(before).map((t) => t.rows.length)).toEqual([200, 200]);

        // Fewer rows now, so a committed partial run would show; the second data source's second query hangs.
        emu.workspace.pages.splice(0, 10);
        emu.resetLog();
        emu.inject({ endpoint: 'data_sources.query', kind: 'hang', after: 3, count: 1 });
        const killed = startPipe(stages(db), env, dir);
        const pid = await killed.firstPid();
        await until(() => emu!.log.some((l) => l.fault === 'hang'));
        process.kill(pid, signal);
        const res = await killed.done;

        expect(res.code).toBe(1);
        // Every later stage fails with one line (load's says nothing changed); no stack trace anywhere.
        for (const stderr of res.stderr.slice(1)) {
          expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^notion-stream: The input (ended without the end marker|is empty).*nothing was changed/)]);
        }
        expect(res.stderr.join('')).not.toMatch(/\n\s+at /);
        expect(await dumpDuckDb(db)).toEqual(before);
      });
    }
  }
});
