/**
 * `sync --incremental --content --comments` through the emulator over HTTP, into DuckDB and the BigQuery
 * test server: blocks and comments removed from an edited page, a page emptied, a page trashed and a
 * page unshared (found by --reconcile), a standalone page unshared (notion_pages is read in full) leave the
 * content tables holding exactly what Notion holds; and
 * the comments on blocks are read, one request per block.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addBlocks, BlockIds, textBlock } from '../../src/emulator/blocks.js';
import { addStandalonePages, comment } from '../../src/emulator/content.js';
import { generateWorkspace } from '../../src/emulator/generate.js';
import type { Workspace } from '../../src/emulator/workspace.js';
import { runCli } from '../support/cli.js';
import { useEmulatorAndBigQuery } from '../support/emulator-bigquery.js';
import { bigQueryTables, duckDbTables, type CanonicalTables } from '../support/warehouse-rows.js';

const h = useEmulatorAndBigQuery();
const fast = ['--rate-limit', '1000', '--quiet', '--no-users', '--no-catalog'];
const tmp = () => mkdtemp(join(tmpdir(), 'notion-stream-removals-'));
const CONTENT = ['notion_blocks', 'notion_page_content', 'notion_comments'];

/** Six plain pages, each with two paragraphs; a page-level discussion of two comments and a comment on the second block. */
function workspace(): Workspace {
  const ws = generateWorkspace({ seed: 5, users: 2, databases: [{ title: 'Docs', dataSources: [{ title: 'Docs', pages: 6, kind: 'simple' }] }] });
  const ids = new BlockIds('8e3a0000');
  const author = ws.users.find((u) => u.type === 'person')!.id;
  let n = 0;
  const next = () => `c0ffee00-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}`;
  for (const page of ws.pages) {
    const [, second] = addBlocks(ws, page.id, [textBlock('paragraph', `First of ${page.id}`), textBlock('paragraph', `Second of ${page.id}`)], { ids });
    const at = '2024-02-01T10:00:00.000Z';
    const discussion = next();
    ws.comments[page.id] = [1, 2].map((i) => comment({ id: next(), on: { type: 'page_id', id: page.id }, discussion, at, author, content: `Page comment ${i}` }));
    ws.comments[String(second!.id)] = [comment({ id: next(), on: { type: 'block_id', id: String(second!.id) }, discussion: next(), at, author, content: 'On the second block' })];
  }
  return ws;
}

function content(tables: CanonicalTables): CanonicalTables {
  return Object.fromEntries(CONTENT.map((t) => [t, tables[t]!]));
}

/** The content tables of a fresh full sync (not incremental) of the workspace as the emulator holds it now. */
async function fresh(env: Record<string, string>): Promise<CanonicalTables> {
  const db = join(await tmp(), 'fresh.duckdb');
  expect((await runCli(['sync', ...fast, '--pages', '--content', '--comments', '--out', db], env)).code).toBe(0);
  return content(await duckDbTables(db));
}

describe('sync --incremental --content --comments removes what Notion no longer holds', () => {
  it('edited pages lose removed blocks and comments, trashed and unshared pages lose their content (DuckDB and BigQuery)', async () => {
    const ws = workspace();
    const standalone = addStandalonePages(ws);
    const env = await h.serve(ws);
    const db = join(await tmp(), 'notion.duckdb');
    const soft = join(await tmp(), 'soft.duckdb');
    const runs = [['--out', db], ['--out', soft, '--soft-delete'], h.toBigQuery('ws')];
    for (const to of runs) expect((await runCli(['sync', ...fast, '--incremental', '--pages', '--content', '--comments', ...to], env)).code).toBe(0);
    const first = content(await duckDbTables(db));
    expect(first.notion_comments!.rows.filter((r) => r.block_id !== null)).toHaveLength(6);
    expect(first).toEqual(await fresh(env));

    const now = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
    const [edited, emptied, trashed, unshared] = ws.pages;
    // A block (with its comment, as in Notion) and a page comment removed.
    const removed = ws.blocks[edited!.id]!.pop()!;
    delete ws.comments[String(removed.id)];
    ws.comments[edited!.id]!.shift();
    edited!.last_edited_time = now;
    // Every block and comment removed: the page now has none.
    for (const b of ws.blocks[emptied!.id]!) delete ws.comments[String(b.id)];
    ws.blocks[emptied!.id] = [];
    delete ws.comments[emptied!.id];
    emptied!.last_edited_time = now;
    trashed!.in_trash = true;
    trashed!.last_edited_time = now;
    unshared!.shared = false;
    const wiki = ws.pages.find((p) => p.id === standalone[3])!; // On-call, a standalone page
    wiki.shared = false;

    for (const to of runs) {
      const res = await runCli(['sync', ...fast, '--incremental', '--reconcile', '--pages', '--content', '--comments', ...to], env);
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
    }
    const expected = await fresh(env);
    expect(first.notion_page_content!.rows.some((r) => r.page_id === wiki.id)).toBe(true);
    expect(expected.notion_blocks!.rows.some((r) => [trashed!.id, unshared!.id, emptied!.id, wiki.id].includes(String(r.page_id)) || r.id === removed.id)).toBe(false);
    expect(expected.notion_page_content!.rows.find((r) => r.page_id === emptied!.id)).toMatchObject({ markdown: '', plain_text: '' });
    expect(content(await duckDbTables(db))).toEqual(expected);
    expect(content(await bigQueryTables(h.client(), 'ws', 'US'))).toEqual(expected);

    // --soft-delete, as the data tables do: the page row is marked, its content kept; edits still replace.
    const kept = content(await duckDbTables(soft));
    const of = (t: string, ids: string[]) => kept[t]!.rows.filter((r) => ids.includes(String(r.page_id)));
    const gone = [trashed!.id, unshared!.id];
    for (const t of CONTENT) expect(of(t, gone)).toEqual(first[t]!.rows.filter((r) => gone.includes(String(r.page_id))));
    for (const t of CONTENT) expect({ t, rows: kept[t]!.rows.filter((r) => !gone.includes(String(r.page_id))) }).toEqual({ t, rows: expected[t]!.rows });
    expect(kept.notion_page_content!.rows.some((r) => r.page_id === wiki.id)).toBe(false); // not a deletion: gone from notion_pages
    const docs = (await duckDbTables(soft)).docs!.rows;
    expect(docs.filter((r) => r._deleted_at !== null).map((r) => r.id).sort()).toEqual([...gone].sort());
  });
});

describe('sync --content --comments reads the comments on blocks', () => {
  it('one request per block (and per 100 of its comments), block_id set; --no-block-comments skips them', async () => {
    const ws = workspace();
    const page = ws.pages[0]!;
    // A toggle with a nested block whose 130 comments take two requests; a child page's comments are its own.
    const ids = new BlockIds('70991e00');
    const [toggle] = addBlocks(ws, page.id, [
      { type: 'toggle', body: { rich_text: [], color: 'default' }, children: [textBlock('paragraph', 'Nested')] },
      { type: 'child_page', id: 'c41d0000-0000-4000-8000-0000000000aa', body: { title: 'Sub page' } },
    ], { ids });
    const nested = ws.blocks[String(toggle!.id)]![0]!;
    const author = ws.users[0]!.id;
    ws.comments[String(nested.id)] = Array.from({ length: 130 }, (_, i) =>
      comment({ id: `ab000000-0000-4000-8000-${(i + 1).toString(16).padStart(12, '0')}`, on: { type: 'block_id', id: String(nested.id) }, discussion: 'ab000000-0000-4000-8000-100000000000', at: '2024-03-01T00:00:00.000Z', author, content: `Nested ${i + 1}` }),
    );
    const env = await h.serve(ws);
    const db = join(await tmp(), 'notion.duckdb');
    const res = await runCli(['sync', '--rate-limit', '1000', '--no-users', '--no-catalog', '--content', '--comments', '--out', db], env);
    expect(res.code).toBe(0);
    // Blocks: 2 on each of 5 pages; the toggle, its nested block (2 requests) and the child page (skipped) on the first.
    const listed = h.emu!.log.filter((l) => l.endpoint === 'comments.list').map((l) => new URLSearchParams(l.query).get('block_id'));
    const pageIds = new Set(ws.pages.map((p) => p.id));
    expect(listed.filter((id) => pageIds.has(String(id)))).toHaveLength(ws.pages.length);
    expect(listed.filter((id) => !pageIds.has(String(id)))).toHaveLength(5 * 2 + 1 + 2);
    expect(listed).not.toContain('c41d0000-0000-4000-8000-0000000000aa');
    expect(res.stderr).toContain(`comments ${ws.pages.length}, block comments ${5 * 2 + 1 + 2}.`);
    const rows = (await duckDbTables(db)).notion_comments!.rows;
    expect(rows.filter((r) => r.block_id === nested.id)).toHaveLength(130);
    expect(rows.filter((r) => r.block_id === nested.id).every((r) => r.page_id === page.id)).toBe(true);
    expect(rows.filter((r) => r.block_id === null)).toHaveLength(2 * ws.pages.length);
    expect(rows).toHaveLength(2 * ws.pages.length + 5 + 130);

    h.emu!.log.length = 0;
    const without = await runCli(['sync', '--rate-limit', '1000', '--no-users', '--no-catalog', '--content', '--comments', '--no-block-comments', '--out', db], env);
    expect(without.code).toBe(0);
    expect(without.stderr).toContain(`comments ${ws.pages.length}.`);
    expect(h.emu!.log.filter((l) => l.endpoint === 'comments.list')).toHaveLength(ws.pages.length);
    expect((await duckDbTables(db)).notion_comments!.rows.every((r) => r.block_id === null)).toBe(true);
  });
});
