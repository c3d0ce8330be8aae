/**
 * The completion protocol through real processes joined by a real shell pipe: a stage that fails or is
 * killed half-way leaves no end marker, and `load` then changes nothing and exits non-zero.
 */
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaleWorkspace } from '../../src/emulator/generate.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { dumpDuckDb } from '../support/duckdb.js';

const bin = fileURLToPath(new URL('../../bin/notion-stream.js', import.meta.url));
const ns = `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)}`;
const exec = promisify(execFile);

/** Runs a shell command line; its exit code is the last command's (load's), as in a user's shell. */
async function sh(line: string, env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await exec('sh', ['-c', line], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 120_000 });
    return { code: 0, stderr };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

const ROWS = 3000;
let emu: Emulator;
let env: Record<string, string>;
let db: string;

beforeAll(async () => {
  emu = await startEmulator({ workspace: scaleWorkspace({ dataSources: 1, pagesEach: ROWS, kind: 'simple' }), rateLimit: false });
  env = { NOTION_TOKEN: emu.token, NOTION_BASE_URL: emu.url };
  db = join(await mkdtemp(join(tmpdir(), 'notion-stream-pipe-')), 'pipe.duckdb');
  const whole = await sh(`${ns} pages -q --rate-limit 1000 | ${ns} flatten | ${ns} split | ${ns} load -q --to duckdb --out ${db}`, env);
  expect(whole.stderr).toBe('');
  expect(whole.code).toBe(0);
});
afterAll(() => emu?.close());

async function tableRows(): Promise<number> {
  const tables = await dumpDuckDb(db);
  const data = Object.entries(tables).filter(([name]) => !name.startsWith('_') && !name.startsWith('notion_') && !name.includes('__'));
  expect(data).toHaveLength(1);
  return data[0]![1].rows.length;
}

describe('a pipe whose first stage does not finish', () => {
  it('the whole pipe loads every row', async () => {
    expect(await tableRows()).toBe(ROWS);
  });

  it('pages failing half-way: load exits non-zero with one line, the table keeps its rows', async () => {
    emu.inject({ endpoint: 'data_sources.query', kind: 'rate_limited', rateLimitReason: 'public_api_request_blocked', after: 12, count: 1 });
    const res = await sh(`${ns} pages -q --rate-limit 1000 | ${ns} flatten -q | ${ns} split | ${ns} load -q --to duckdb --out ${db}`, env);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/notion-stream: The input of `flatten` ended without notion-stream's end marker/);
    expect(res.stderr).toMatch(/notion-stream: The input of `load` ended without notion-stream's end marker/);
    expect(res.stderr).not.toMatch(/\n\s+at /);
    expect(await tableRows()).toBe(ROWS);
  });

  it('pages killed (SIGKILL) half-way: nothing changes', async () => {
    const slow = await startEmulator({ workspace: scaleWorkspace({ dataSources: 1, pagesEach: ROWS, kind: 'simple' }), rateLimit: false, latencyMs: 200 });
    try {
      const slowEnv = { NOTION_TOKEN: slow.token, NOTION_BASE_URL: slow.url };
      // 30 queries at 200 ms: killed after about a third of them.
      const res = await sh(`timeout -s KILL 2 ${ns} pages -q --rate-limit 1000 | ${ns} flatten -q | ${ns} split | ${ns} load -q --to duckdb --out ${db}`, slowEnv);
      expect(slow.log.filter((l) => l.endpoint === 'data_sources.query').length).toBeLessThan(30);
      expect(res.code).not.toBe(0);
      expect(res.stderr).toMatch(/The input of `load` ended without notion-stream's end marker/);
      expect(await tableRows()).toBe(ROWS);
    } finally {
      await slow.close();
    }
  });

  it('sync --to ndjson killed half-way into load: nothing changes', async () => {
    const slow = await startEmulator({ workspace: scaleWorkspace({ dataSources: 1, pagesEach: ROWS, kind: 'simple' }), rateLimit: false, latencyMs: 200 });
    try {
      const slowEnv = { NOTION_TOKEN: slow.token, NOTION_BASE_URL: slow.url };
      const res = await sh(`timeout -s KILL 2 ${ns} sync -q --to ndjson --rate-limit 1000 | ${ns} load -q --to duckdb --out ${db}`, slowEnv);
      expect(res.code).not.toBe(0);
      expect(res.stderr).toMatch(/The input of `load` ended without notion-stream's end marker/);
      expect(await tableRows()).toBe(ROWS);
    } finally {
      await slow.close();
    }
  });
});
