/** `sync()` called as a library: its typed summary, its option checks (codes, not exit codes), its signal. */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { allTypesWorkspace } from '../../src/emulator/generate.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { sync, type SyncOptions } from '../../src/index.js';
import { RunStats } from '../../src/util/stats.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function notion(): Promise<SyncOptions> {
  emu = await startEmulator({ workspace: allTypesWorkspace(), rateLimit: false });
  return { token: emu.token, notionBaseUrl: emu.url, rateLimit: 1000, env: {} };
}

const tmp = () => mkdtemp(join(tmpdir(), 'notion-stream-sync-'));

describe('sync()', () => {
  it('a full run into NDJSON resolves with the typed summary; the stats object given is the one counted', async () => {
    const out = join(await tmp(), 'out.ndjson');
    const stats = new RunStats();
    const warnings: string[] = [];
    const summary = await sync({ ...(await notion()), to: 'ndjson', out, stats, logger: { info() {}, warn: (l) => warnings.push(l) } });
    const lines = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const records = lines.filter((m) => m.type === 'RECORD');
    expect(summary).toMatchObject({ mode: 'full', destination: out, rows: records.length, requests: stats.requests, pages: stats.pages });
    expect(summary.runId).toMatch(/^[a-z0-9]{10,}$/);
    expect(summary.tables.map((t) => t.table)).toEqual([...new Set(lines.filter((m) => m.type === 'SCHEMA').map((m) => m.stream))]);
    expect(summary.workspaceRequests).toMatchObject({ users: expect.any(Number), catalog: expect.any(Number) });
    expect(summary.changes).toBeUndefined();
    expect(Date.parse(summary.finishedAt)).toBeGreaterThanOrEqual(Date.parse(summary.startedAt));
    expect(stats.requests).toBeGreaterThan(0);
    expect(records.every((m) => !('_synced_at' in m.record) && !('_run_id' in m.record))).toBe(true); // files carry no lineage
  });

  it('an incremental run reports its changes', async () => {
    const out = join(await tmp(), 'n.duckdb');
    const base = { ...(await notion()), to: 'duckdb' as const, out, incremental: true };
    expect((await sync(base)).changes?.full.length).toBeGreaterThan(0);
    const next = await sync(base);
    expect(next).toMatchObject({ mode: 'incremental', nothingChanged: true, changes: { full: [], edited: 0 } });
  });

  it('rejects bad options with code invalid_option before reading anything', async () => {
    const cases: [SyncOptions, RegExp][] = [
      [{ to: 'csv', incremental: true }, /--incremental --to csv needs --state/],
      [{ reconcile: true }, /belong to incremental runs/],
      [{ rateLimit: 0 }, /--rate-limit takes a positive number/],
      [{ table: { x: 'Bad Name!' } }, /./],
      [{ to: 'ndjson', out: join(await tmp(), 'o.ndjson'), env: {} }, /NOTION_TOKEN is not set/],
    ];
    for (const [options, message] of cases) {
      await expect(sync(options), JSON.stringify(options)).rejects.toMatchObject({ name: 'NotionStreamError', code: 'invalid_option', message: expect.stringMatching(message) });
    }
  });

  it('stops when its signal aborts, leaving no file behind', async () => {
    const out = join(await tmp(), 'n.duckdb');
    const controller = new AbortController();
    controller.abort();
    await expect(sync({ ...(await notion()), out, signal: controller.signal })).rejects.toThrow();
    const { existsSync } = await import('node:fs');
    expect(existsSync(out)).toBe(false);
  });
});
