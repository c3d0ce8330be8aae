/**
 * File destinations on a full disk, a read-only disk, and with a kill between the renames of a CSV run.
 * The full and read-only disks are small tmpfs mounts made by the test (root only; skipped otherwise).
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaleWorkspace } from '../../src/emulator/generate.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { runCli } from '../support/cli.js';
import { BIN } from '../support/pipe.js';

let emu: Emulator;
let env: Record<string, string>;
let root: string;
const mounts: string[] = [];

function tryMount(dir: string, options: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
    mounts.push(dir);
    return true;
  } catch {
    return false;
  }
}

let full: string;
let readOnly: string;
let canMount = false;
beforeAll(async () => {
  emu = await startEmulator({ workspace: scaleWorkspace({ dataSources: 2, pagesEach: 300 }), rateLimit: false });
  env = { NOTION_TOKEN: emu.token, NOTION_BASE_URL: emu.url };
  root = await mkdtemp(join(tmpdir(), 'notion-stream-fs-'));
  full = join(root, 'full');
  readOnly = join(root, 'ro');
  await mkdir(full);
  await mkdir(readOnly);
  canMount = tryMount(full, 'size=64k') && tryMount(readOnly, 'ro,size=64k');
});
afterAll(async () => {
  for (const m of mounts) execFileSync('umount', [m]);
  await emu?.close();
});

const fast = ['--rate-limit', '1000', '--quiet', '--no-users', '--no-catalog']; // the data source tables only

describe('a full or read-only disk fails the run with one line and leaves nothing behind', () => {
  for (const to of ['csv', 'ndjson', 'duckdb']) {
    it(`--to ${to} on a full disk: ENOSPC`, async (ctx) => {
      if (!canMount) ctx.skip();
      const res = await runCli(['sync', '--to', to, '--out', join(full, `out-${to}`), ...fast], env);
      expect(res.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^notion-stream: ENOSPC.*disk is full/)]);
      expect(res.code).toBe(1);
      expect(await readdir(full)).toEqual([]);
    });
    it(`--to ${to} on a read-only disk: EROFS, before anything is read`, async (ctx) => {
      if (!canMount) ctx.skip();
      emu.resetLog();
      const res = await runCli(['sync', '--to', to, '--out', join(readOnly, `out-${to}`), ...fast], env);
      expect(res.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^notion-stream: --out .* cannot be written: EROFS.*read-only/)]);
      expect(res.code).toBe(2);
      expect(emu.log).toHaveLength(0);
    });
  }
  it('an --out under /proc (EACCES/ENOENT-like) fails at once', async () => {
    const res = await runCli(['sync', '--to', 'ndjson', '--out', '/proc/self/notion.ndjson', ...fast], env);
    expect(res.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^notion-stream: --out \/proc\/self\/notion.ndjson cannot be written: E[A-Z]+/)]);
    expect(res.code).toBe(2);
  });
});

async function csvFiles(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of (await readdir(dir)).sort()) out[f] = await readFile(join(dir, f), 'utf8');
  return out;
}

describe('CSV runs are all-or-nothing across their files', () => {
  it('a kill between the renames of the swap: the next run puts the old files back, never a mix', async () => {
    const dir = join(await mkdtemp(join(root, 'csv-')), 'csv');
    expect((await runCli(['sync', '--to', 'csv', '--out', dir, ...fast], env)).code).toBe(0);
    const before = await csvFiles(dir);
    expect(Object.keys(before)).toEqual(['scale_1.csv', 'scale_2.csv']);

    emu.workspace.pages.splice(0, 10);
    const child = spawn(process.execPath, [BIN, 'sync', '--to', 'csv', '--out', dir, ...fast], { env: { ...process.env, ...env, NOTION_STREAM_FAULT: 'commit:1' }, stdio: 'ignore' });
    const [, signal] = await once(child, 'exit');
    expect(signal).toBe('SIGKILL');

    // A run that fails at once (bad token) still recovers the directory first.
    const failed = await runCli(['sync', '--to', 'csv', '--out', dir, ...fast], { ...env, NOTION_TOKEN: 'wrong-token' });
    expect(failed.code).toBe(1);
    expect(await csvFiles(dir)).toEqual(before);
    expect((await readdir(join(dir, '..'))).sort()).toEqual(['csv']); // staging and old directories swept
  });
});
