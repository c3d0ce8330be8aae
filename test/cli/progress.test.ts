/** Progress: a live status line on a terminal (through a pseudo-terminal), nothing but warnings and the summary elsewhere. */
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { statusText } from '../../src/cli/status-line.js';
import { allTypesWorkspace } from '../../src/emulator/generate.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';

const bin = fileURLToPath(new URL('../../bin/notion-stream.js', import.meta.url));
const run = promisify(execFile);

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function serve() {
  emu = await startEmulator({ workspace: allTypesWorkspace(), rateLimit: false, latencyMs: 150 });
  return { PATH: process.env.PATH ?? '', NOTION_TOKEN: emu.token, NOTION_BASE_URL: emu.url };
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describe('statusText', () => {
  it('shows the step, pages and their rate, requests against the limit, waits and time', () => {
    expect(statusText({ step: 'Reading data source Tasks', pages: 1200, requests: 36, rateLimitWaits: 1, waitSeconds: 2, seconds: 12.4, rateLimit: 3 })).toBe(
      'Reading data source Tasks · 1,200 pages (97/s) · 2.9 req/s of 3 · 1 wait (2 s) · 12 s',
    );
    expect(statusText({ step: '', pages: 0, requests: 0, rateLimitWaits: 0, waitSeconds: 0, seconds: 0, rateLimit: 3 })).toMatch(/^Starting · 0 pages/);
  });
});

describe('progress of a real process', () => {
  it('on a terminal: a status line redrawn in place, then the summary', async () => {
    const env = await serve();
    const out = join(await mkdtemp(join(tmpdir(), 'notion-stream-progress-')), 'p.duckdb');
    const command = [process.execPath, bin, 'sync', '--rate-limit', '20', '--out', out].map(shellQuote).join(' ');
    // `script` runs the command on a pseudo-terminal and copies what it shows to stdout; a new
    // pseudo-terminal has no size until one is set.
    const { stdout } = await run('script', ['-qfec', `stty rows 24 cols 160; ${command}`, '/dev/null'], { env: { ...env, TERM: 'xterm' }, timeout: 60_000 });
    expect(stdout).toMatch(/Reading data source [^\n]*· \d[\d,]* pages \(\d+\/s\) · [\d.]+ req\/s of 20/);
    expect(stdout).toMatch(/\u001b\[\d*[KG]|\u001b\[\d*A/); // drawn over in place, with cursor control
    expect(stdout).toMatch(/Wrote \d+ tables/);
  });

  it('off a terminal: no progress lines, the summary only; -q: nothing at all', async () => {
    const env = await serve();
    const dir = await mkdtemp(join(tmpdir(), 'notion-stream-progress-'));
    const piped = await run(process.execPath, [bin, 'sync', '--rate-limit', '20', '--out', join(dir, 'a.duckdb')], { env, timeout: 60_000 });
    expect(piped.stderr).not.toMatch(/Reading data source|req\/s|\u001b\[/);
    expect(piped.stderr).toMatch(/^Read \d+ data sources/m);
    expect(piped.stderr).toMatch(/Wrote \d+ tables/);
    const quiet = await run(process.execPath, [bin, 'sync', '-q', '--rate-limit', '20', '--out', join(dir, 'b.duckdb')], { env, timeout: 60_000 });
    expect(quiet.stderr).toBe('');
  });
});
