/**
 * `flatten`, `split`, `load --to ndjson` and `sync --to ndjson|csv` write in batches: far fewer write
 * calls than lines, the same lines as one stage after another, the end marker only after complete
 * input, and the lines read before a failure still out.
 */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaleWorkspace } from '../../src/emulator/generate.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { END_KEY } from '../../src/singer/end-marker.js';
import { countFileWrites } from '../support/counting.js';
import { runCounted } from '../support/counting-cli.js';

let emu: Emulator;
let env: Record<string, string>;
let pagesText: string;
beforeAll(async () => {
  emu = await startEmulator({ workspace: scaleWorkspace({ dataSources: 2, pagesEach: 1000 }), rateLimit: false });
  env = { NOTION_TOKEN: emu.token, NOTION_BASE_URL: emu.url };
  pagesText = (await runCounted(['pages', '--rate-limit', '1000', '--quiet'], env)).stdout;
});
afterAll(() => emu?.close());

const q = ['--quiet'];
const ended = (lines: string[]) => JSON.parse(lines.at(-1)!)[END_KEY] === true;

describe('pipe stages write in batches', () => {
  it('flatten | split | load --to ndjson: each stage far fewer writes than lines, as many records as sync --to ndjson', async () => {
    const flat = await runCounted(['flatten', ...q], env, pagesText);
    expect(flat.stderr).toBe('');
    expect(flat.code).toBe(0);
    expect(ended(flat.lines)).toBe(true);
    expect(flat.lines.length).toBeGreaterThan(2000);
    expect(flat.writes).toBeLessThan(flat.lines.length / 50);

    const split = await runCounted(['split', ...q], env, flat.stdout);
    expect(split.stderr).toBe('');
    expect(split.code).toBe(0);
    expect(ended(split.lines)).toBe(true);
    expect(split.writes).toBeLessThan(split.lines.length / 50);

    const load = await runCounted(['load', '--to', 'ndjson', ...q], env, split.stdout);
    expect(load.stderr).toBe('');
    expect(load.code).toBe(0);
    expect(load.stdout).toBe(split.stdout); // what load --to ndjson reads it writes, byte for byte
    expect(load.writes).toBeLessThan(load.lines.length / 50);

    const sync = await runCounted(['sync', '--to', 'ndjson', '--no-users', '--no-catalog', '--rate-limit', '1000', ...q], env);
    expect(sync.code).toBe(0);
    expect(sync.lines.filter((l) => l.includes('"type":"RECORD"')).length).toBe(split.lines.filter((l) => l.includes('"type":"RECORD"')).length);
    expect(ended(sync.lines)).toBe(true);
    expect(sync.writes).toBeLessThan(sync.lines.length / 20);
  });

  it('flatten on input without the end marker: the lines so far go out, the end marker does not', async () => {
    const cut = pagesText.split('\n').slice(0, 500).join('\n') + '\n'; // a `pages` that was killed
    const flat = await runCounted(['flatten', ...q], env, cut);
    expect(flat.code).toBe(1);
    expect(flat.stderr).toMatch(/without the end marker/);
    expect(flat.lines.length).toBeGreaterThan(400); // the tail was not lost
    expect(flat.lines.some((l) => l.includes(END_KEY))).toBe(false);
    expect(flat.stdout.endsWith('\n')).toBe(true);
  });

  it('sync --to csv: far fewer file chunks than rows', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ns-pipe-csv-'));
    const out = join(dir, 'csv');
    const { result, chunks } = await countFileWrites(() => runCounted(['sync', '--to', 'csv', '--out', out, '--no-users', '--no-catalog', '--rate-limit', '1000', ...q], env));
    expect(result.code).toBe(0);
    const files = await readdir(out);
    let rows = 0;
    for (const f of files) rows += (await readFile(join(out, f), 'utf8')).split('\n').filter(Boolean).length;
    expect(rows).toBeGreaterThan(2000);
    expect(chunks).toBeLessThan(rows / 20);
  });
});
