/**
 * Incremental runs whose deletions are checked against the destination, through `sync()`: the emulator
 * over HTTP, a real DuckDB file, the strict BigQuery test server through the real client. Warehouse
 * states hold no page ids; file states hold them compactly; format-1 states (ids as arrays) still work.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sync, type SyncOptions } from '../../src/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import type { Workspace } from '../../src/emulator/workspace.js';
import { IdSet } from '../../src/state/id-set.js';
import { useEmulatorAndBigQuery } from '../support/emulator-bigquery.js';
import { queryDuckDb } from '../support/duckdb.js';
import { edit, mainRow, Minutes, scenarioWorkspace, setCount, trash, unshare } from '../support/incremental-scenario.js';

const h = useEmulatorAndBigQuery();
let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const tmp = () => mkdtemp(join(tmpdir(), 'notion-stream-held-'));
const quiet = { rateLimit: 1000, env: {} } satisfies SyncOptions;

async function notion(): Promise<{ base: SyncOptions; ws: Workspace }> {
  emu = await startEmulator({ workspace: scenarioWorkspace(), rateLimit: false });
  return { base: { ...quiet, token: emu.token, notionBaseUrl: emu.url }, ws: emu.workspace };
}

/** A warehouse to run the same scenario on: its options, its state, and the `projects` rows (id → _deleted_at). */
interface Warehouse {
  options: SyncOptions;
  state(): Promise<any>;
  deletedAt(): Promise<Map<string, string | null>>;
}

async function duckdb(): Promise<Warehouse> {
  const out = join(await tmp(), 'w.duckdb');
  return {
    options: { to: 'duckdb', out },
    state: async () => JSON.parse(String((await queryDuckDb(out, 'SELECT value FROM _notion_stream_state'))[0]!.value)),
    deletedAt: async () => new Map((await queryDuckDb(out, `SELECT id, strftime(_deleted_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') AS d FROM projects`)).map((r) => [String(r.id), (r.d as string | null) ?? null])),
  };
}

function bigquery(dataset: string): Warehouse {
  return {
    options: { to: 'bigquery', project: h.bq!.projectId, dataset, location: 'US', bigqueryEndpoint: h.bq!.url },
    state: async () => JSON.parse(String(((await h.bq!.rows(dataset, '_notion_stream_state')) as { value: string }[])[0]!.value)),
    deletedAt: async () => new Map(((await h.bq!.rows(dataset, 'projects')) as { id: string; _deleted_at?: string | null }[]).map((r) => [r.id, r._deleted_at ? new Date(r._deleted_at).toISOString() : null])),
  };
}

/**
 * Soft deletes with a state that holds no ids: a trashed and an unshared page are marked; on the next
 * run (reconciling again, the trashed page still in the trash search's reach) the marked rows are not
 * held any more, so nothing is counted or marked again; the row edited in the watermark's minute is
 * counted as read again, not as edited.
 */
async function softDeleteScenario(base: SyncOptions, ws: Workspace, w: Warehouse): Promise<void> {
  const run = (extra: SyncOptions = {}) => sync({ ...base, ...w.options, incremental: true, softDelete: true, ...extra });
  await run();
  const t = new Minutes().next();
  edit(mainRow(ws, 3), t, (p) => setCount(p, 7));
  trash(mainRow(ws, 5), t);
  unshare(mainRow(ws, 8));
  const second = await run({ reconcile: true });
  expect(second.changes).toMatchObject({ trashed: 1, missing: 1, edited: 1 });
  const marked = await w.deletedAt();
  expect(marked.get(mainRow(ws, 5).id)).toBe(t);
  const unsharedAt = marked.get(mainRow(ws, 8).id);
  expect(unsharedAt).toEqual(expect.any(String));
  expect([...marked.values()].filter((d) => d !== null)).toHaveLength(2);
  const state = await w.state();
  expect(state.notion_stream).toBe(2);
  expect(JSON.stringify(state)).not.toContain('"ids"');

  const third = await run({ reconcile: true });
  // Read again, not edited: row 3, and the items row of that data source's watermark minute.
  expect(third.changes).toMatchObject({ trashed: 0, missing: 0, edited: 0, reread: 2 });
  expect(third.nothingChanged).toBe(true);
  const after = await w.deletedAt();
  expect(after.get(mainRow(ws, 5).id)).toBe(t);
  expect(after.get(mainRow(ws, 8).id)).toBe(unsharedAt);
}

describe('warehouses answer which pages they hold', () => {
  it('DuckDB, soft deletes: trashed and unshared pages marked once, with a state holding no ids', async () => {
    const { base, ws } = await notion();
    await softDeleteScenario(base, ws, await duckdb());
  });

  it('BigQuery, soft deletes: trashed and unshared pages marked once, with a state holding no ids', async () => {
    const env = await h.serve(scenarioWorkspace());
    await softDeleteScenario({ ...quiet, token: env.NOTION_TOKEN, notionBaseUrl: env.NOTION_BASE_URL }, h.emu!.workspace, bigquery('soft'));
  });

  it('a format-1 state with ids in DuckDB still works: its ids are ignored and the next state has none', async () => {
    const { base, ws } = await notion();
    const w = await duckdb();
    await sync({ ...base, ...w.options, incremental: true });
    const state = await w.state();
    const projectIds = async () => (await queryDuckDb(w.options.out!, 'SELECT id FROM projects ORDER BY id')).map((r) => String(r.id));
    const ids = await projectIds();
    expect(ids).toHaveLength(40);
    for (const b of Object.values<any>(state.bookmarks)) b.ids = b.table === 'projects' ? ids : [];
    state.notion_stream = 1;
    await queryDuckDb(w.options.out!, `UPDATE _notion_stream_state SET value = '${JSON.stringify(state).replace(/'/g, "''")}'`, { readWrite: true });
    trash(mainRow(ws, 6), new Minutes().next());
    const next = await sync({ ...base, ...w.options, incremental: true });
    expect(next.changes).toMatchObject({ full: [], trashed: 1 });
    expect(await projectIds()).toEqual(ids.filter((id) => id !== mainRow(ws, 6).id));
    expect(await w.state()).toMatchObject({ notion_stream: 2 });
    expect(JSON.stringify(await w.state())).not.toContain('"ids"');
  });
});

describe('file destinations keep the ids, compactly', () => {
  it('a format-1 state file (ids as arrays) is read; the next state holds the same ids as one base64 string', async () => {
    const { base, ws } = await notion();
    const dir = await tmp();
    const files = { to: 'ndjson' as const, out: join(dir, 'out.ndjson'), state: join(dir, 'state.json'), incremental: true };
    await sync({ ...base, ...files });
    const compact = JSON.parse(await readFile(files.state, 'utf8'));
    const projects = Object.values<any>(compact.bookmarks).find((b) => b.table === 'projects');
    const held = [...IdSet.decode(projects.ids)];
    expect(held).toHaveLength(40);
    expect(projects.ids.length).toBeLessThan(held.join('","').length / 1.8); // against the array of dashed ids
    // The same state as format 1 wrote it.
    const old = { ...compact, notion_stream: 1, bookmarks: Object.fromEntries(Object.entries<any>(compact.bookmarks).map(([k, b]) => [k, { ...b, ids: [...IdSet.decode(b.ids)] }])) };
    await writeFile(files.state, JSON.stringify(old));
    const t = new Minutes().next();
    trash(mainRow(ws, 9), t);
    const next = await sync({ ...base, ...files });
    expect(next.changes).toMatchObject({ full: [], trashed: 1 });
    const records = (await readFile(files.out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l)).filter((m) => m.type === 'RECORD' && m.stream === 'projects');
    expect(records.find((m) => m.record.id === mainRow(ws, 9).id)?.record).toEqual({ id: mainRow(ws, 9).id, _deleted_at: t });
    const saved = JSON.parse(await readFile(files.state, 'utf8'));
    expect(saved.notion_stream).toBe(2);
    expect([...IdSet.decode(Object.values<any>(saved.bookmarks).find((b) => b.table === 'projects').ids)]).toEqual(held.filter((id) => id !== mainRow(ws, 9).id));
  });

  it('a state without ids (written for a warehouse) given to a file destination reads in full, saying why', async () => {
    const { base } = await notion();
    const dir = await tmp();
    const files = { to: 'ndjson' as const, out: join(dir, 'out.ndjson'), state: join(dir, 'state.json'), incremental: true };
    await sync({ ...base, ...files });
    const state = JSON.parse(await readFile(files.state, 'utf8'));
    for (const b of Object.values<any>(state.bookmarks)) delete b.ids;
    await writeFile(files.state, JSON.stringify(state));
    const warnings: string[] = [];
    const next = await sync({ ...base, ...files, logger: { info() {}, warn: (l) => warnings.push(l) } });
    expect(next.changes!.merged).toEqual([]);
    expect(next.changes!.full.map((f) => f.reason)).toEqual([expect.stringContaining('no page ids'), expect.stringContaining('no page ids')]);
    expect(warnings.some((l) => /Full refresh of data source .*no page ids/.test(l))).toBe(true);
  });
});
