/** `sync --content` and `--comments` through the emulator over HTTP, into DuckDB and the BigQuery test server. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addBlocks, BlockIds, manyParagraphs, sampleDocument, textBlock } from '../../src/emulator/blocks.js';
import { addStandalonePages } from '../../src/emulator/content.js';
import { generateWorkspace } from '../../src/emulator/generate.js';
import type { Workspace } from '../../src/emulator/workspace.js';
import { runCli } from '../support/cli.js';
import { useEmulatorAndBigQuery } from '../support/emulator-bigquery.js';
import { bigQueryTables, duckDbTables } from '../support/warehouse-rows.js';

const h = useEmulatorAndBigQuery();
const fast = ['--rate-limit', '1000', '--quiet', '--no-users', '--no-catalog'];
const tmp = () => mkdtemp(join(tmpdir(), 'notion-stream-content-'));
const CHILD_PAGE = 'c41d0000-0000-4000-8000-000000000001';

/** Eight plain pages; the first holds the sample document, the second 250 paragraphs, the rest one line. */
function contentWorkspace(): { ws: Workspace; rich: string; long: string } {
  const ws = generateWorkspace({ seed: 3, users: 3, databases: [{ title: 'Docs', dataSources: [{ title: 'Docs', pages: 8, kind: 'simple' }] }] });
  const [rich, long, ...rest] = ws.pages;
  const ids = new BlockIds(); // block ids are unique in the workspace
  addBlocks(ws, rich!.id, sampleDocument(CHILD_PAGE), { ids });
  addBlocks(ws, long!.id, [textBlock('heading_1', 'Log'), { type: 'toggle', body: { rich_text: [], color: 'default' }, children: manyParagraphs(250) }, ...manyParagraphs(250)], { ids });
  for (const p of rest) addBlocks(ws, p.id, [textBlock('paragraph', `About ${p.id}`)], { ids });
  return { ws, rich: rich!.id, long: long!.id };
}

describe('sync --content', () => {
  it('reads every block at any depth, in order, past 100 children, and renders markdown', async () => {
    const { ws, rich, long } = contentWorkspace();
    const env = await h.serve(ws);
    const db = join(await tmp(), 'notion.duckdb');
    const res = await runCli(['sync', ...fast, '--content', '--out', db], { ...env });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const tables = await duckDbTables(db);
    const blocks = tables.notion_blocks!;
    expect(blocks.columns).toMatchObject({ id: 'STRING', page_id: 'STRING', parent_id: 'STRING', depth: 'INTEGER', position: 'INTEGER', type: 'STRING', plain_text: 'STRING', has_children: 'BOOLEAN', created_time: 'TIMESTAMP', last_edited_time: 'TIMESTAMP', block: 'JSON' });

    // 250 children at one level (three requests each) arrive complete and in order, top level and nested.
    const ofLong = blocks.rows.filter((r) => r.page_id === long);
    const top = ofLong.filter((r) => r.depth === 0).sort((a, b) => Number(a.position) - Number(b.position));
    expect(top.map((r) => r.plain_text)).toEqual(['Log', '', ...Array.from({ length: 250 }, (_, i) => `Line ${i + 1}`)]);
    const toggle = top[1]!;
    const nested = ofLong.filter((r) => r.parent_id === toggle.id).sort((a, b) => Number(a.position) - Number(b.position));
    expect(nested.map((r) => r.plain_text)).toEqual(Array.from({ length: 250 }, (_, i) => `Line ${i + 1}`));
    expect(nested.every((r) => r.depth === 1)).toBe(true);

    // Three levels deep under a list item; the child page is referenced, its content not read twice.
    const ofRich = blocks.rows.filter((r) => r.page_id === rich);
    const deepest = ofRich.find((r) => r.plain_text === 'Three levels down')!;
    expect(deepest.depth).toBe(3);
    expect(ofRich.find((r) => r.id === deepest.parent_id)!.plain_text).toBe('Wireframes');
    const child = ofRich.find((r) => r.type === 'child_page')!;
    expect(child).toMatchObject({ id: CHILD_PAGE, plain_text: 'Meeting notes', has_children: true });
    expect(ofRich.some((r) => r.plain_text === 'Notes of the child page')).toBe(false);
    expect(h.emu!.log.some((l) => l.endpoint === 'blocks.children.list' && (l.path ?? '').includes(CHILD_PAGE))).toBe(false);
    // A type no client knows keeps its JSON.
    expect(ofRich.find((r) => r.type === 'future_widget')!.block).toMatchObject({ future_widget: { setting: 'kept as JSON' } });
    expect(ofRich.find((r) => r.type === 'table_row' && r.position === 1)!.plain_text).toBe('API\tAda');

    // Requests: exactly one list call per 100 children of the page and of each block with children.
    const expected = ws.pages.reduce((n, p) => n + requestsFor(ws, p.id), 0);
    expect(h.emu!.log.filter((l) => l.endpoint === 'blocks.children.list')).toHaveLength(expected);

    const content = tables.notion_page_content!;
    expect(content.rows).toHaveLength(ws.pages.length);
    const md = String(content.rows.find((r) => r.page_id === rich)!.markdown);
    expect(md).toContain('# Project plan');
    expect(md).toContain('This plan is **important** for everyone.');
    expect(md).toContain('## Tasks');
    expect(md).toMatch(/- Design\n\s+- Sketches\n\s+- Wireframes/);
    expect(md).toContain('1. First step');
    expect(md).toContain('- [x] Write the spec');
    expect(md).toContain('- [ ] Ship it');
    expect(md).toContain('```typescript\nconst answer = 42;\n```');
    expect(md).toMatch(/\| Name\s*\| Owner\s*\|\n\| -+\s*\| -+\s*\|\n\| API\s*\| Ada\s*\|/);
    expect(md).toContain(`[Meeting notes](https://www.notion.so/${CHILD_PAGE.replace(/-/g, '')})`);
    expect(md).not.toContain('Notes of the child page');
    const plain = String(content.rows.find((r) => r.page_id === long)!.plain_text);
    expect(plain.split('\n')).toHaveLength(1 + 250 + 250);
  });

  it('loads the same content into BigQuery, and a failure mid-content leaves every table as it was', async () => {
    const { ws } = contentWorkspace();
    const env = await h.serve(ws);
    const db = join(await tmp(), 'notion.duckdb');
    expect((await runCli(['sync', ...fast, '--content', '--comments', '--out', db], { ...env })).code).toBe(0);
    expect((await runCli(['sync', ...fast, '--content', '--comments', ...h.toBigQuery('ws')], { ...env })).code).toBe(0);
    const big = await bigQueryTables(h.client(), 'ws', 'US');
    const duck = await duckDbTables(db);
    for (const t of ['notion_blocks', 'notion_page_content', 'notion_comments']) expect({ t, ...big[t] }).toEqual({ t, ...duck[t] });

    // Content changes, then the block reads fail for good half-way: nothing changes in either destination.
    addBlocks(ws, ws.pages[3]!.id, [textBlock('paragraph', 'Edited')], { ids: new BlockIds('ed170000') });
    ws.pages.splice(0, 1);
    h.emu!.inject({ endpoint: 'blocks.children.list', kind: 'internal_server_error', after: 4, count: Infinity });
    for (const to of [['--out', db], h.toBigQuery('ws')]) {
      const res = await runCli(['sync', ...fast, '--retries', '0', '--content', ...to], { ...env });
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/kept failing for the content of block/);
    }
    expect(await duckDbTables(db)).toEqual(duck);
    expect(await bigQueryTables(h.client(), 'ws', 'US')).toEqual(big);
  });
});

describe('sync --content through a pipe', () => {
  it('sync --to ndjson | load --to duckdb gives the same workspace tables as sync into DuckDB', async () => {
    const { ws } = contentWorkspace();
    const env = await h.serve(ws);
    const dir = await tmp();
    const flags = ['--rate-limit', '1000', '--quiet', '--content', '--comments', '--pages'];
    expect((await runCli(['sync', ...flags, '--out', join(dir, 'direct.duckdb')], { ...env })).code).toBe(0);
    const piped = await runCli(['sync', ...flags, '--to', 'ndjson'], { ...env });
    expect(piped.code).toBe(0);
    expect(piped.lines.filter((l) => l.type === 'SCHEMA').map((l) => l.stream)).toEqual(expect.arrayContaining(['notion_users', 'notion_databases', 'notion_data_sources', 'notion_data_source_properties', 'notion_pages', 'notion_blocks', 'notion_page_content', 'notion_comments']));
    expect((await runCli(['load', '--to', 'duckdb', '--out', join(dir, 'piped.duckdb')], {}, undefined, piped.stdout)).code).toBe(0);
    expect(await duckDbTables(join(dir, 'piped.duckdb'))).toEqual(await duckDbTables(join(dir, 'direct.duckdb')));
  });
});

describe('sync --content under 429s', () => {
  it('waits out Retry-After on block reads (the one limiter pauses every reader) and still reads every block', async () => {
    const { ws } = contentWorkspace();
    const env = await h.serve(ws);
    h.emu!.inject({ endpoint: 'blocks.children.list', kind: 'rate_limited', retryAfterSeconds: 1, after: 3, count: 2 });
    const db = join(await tmp(), 'notion.duckdb');
    const res = await runCli(['sync', '--rate-limit', '1000', '--no-users', '--no-catalog', '--content', '--out', db], { ...env });
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/2 rate-limit waits/);
    expect(h.emu!.log.filter((l) => l.endpoint === 'blocks.children.list' && l.status === 429)).toHaveLength(2);
    const ok = h.emu!.log.filter((l) => l.endpoint === 'blocks.children.list' && l.status === 200);
    expect(ok).toHaveLength(ws.pages.reduce((n, p) => n + requestsFor(ws, p.id), 0));
    const expectedBlocks = ws.pages.reduce((n, p) => n + countBlocks(ws, p.id), 0);
    expect((await duckDbTables(db)).notion_blocks!.rows).toHaveLength(expectedBlocks);
  });
});

describe('sync --incremental --content', () => {
  it('reads the content of the edited pages only, and merges it', async () => {
    const { ws, rich, long } = contentWorkspace();
    const env = await h.serve(ws);
    const db = join(await tmp(), 'notion.duckdb');
    const first = await runCli(['sync', ...fast, '--incremental', '--content', '--comments', '--out', db], { ...env });
    expect(first.code).toBe(0);
    const before = await duckDbTables(db);

    // One page edited: a block's text changes and the page's last_edited_time moves (as Notion does).
    const page = ws.pages.find((p) => p.id !== rich && p.id !== long)!; // a page of one paragraph
    const edited = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
    const watermark = ws.pages.map((p) => p.last_edited_time).sort().at(-1)!;
    const block = ws.blocks[page.id]![0]!;
    block.paragraph = { rich_text: [{ type: 'text', text: { content: 'Changed', link: null }, annotations: {}, plain_text: 'Changed', href: null }], color: 'default' };
    page.last_edited_time = edited;
    h.emu!.log.length = 0;
    const second = await runCli(['sync', '--rate-limit', '1000', '--no-users', '--no-catalog', '--incremental', '--content', '--comments', '--out', db], { ...env });
    expect(second.code).toBe(0);
    const lists = h.emu!.log.filter((l) => l.endpoint === 'blocks.children.list');
    // The pages this run read: the edited one and those of the watermark's minute (always read again).
    const reread = ws.pages.filter((p) => p.last_edited_time >= watermark);
    expect(reread.length).toBeLessThan(ws.pages.length / 2);
    expect(lists.map((l) => l.path).sort()).toEqual(reread.map((p) => `/v1/blocks/${p.id}/children`).sort());
    // Comments: one request per page read, and one per block of it (the comments on blocks).
    const blocksRead = reread.reduce((n, p) => n + countBlocks(ws, p.id), 0);
    expect(h.emu!.log.filter((l) => l.endpoint === 'comments.list')).toHaveLength(reread.length + blocksRead);
    expect(second.stderr).toContain(`Requests of the workspace tables: content ${reread.length}, comments ${reread.length}, block comments ${blocksRead}.`);

    const after = await duckDbTables(db);
    expect(after.notion_blocks!.rows).toHaveLength(before.notion_blocks!.rows.length);
    expect(after.notion_blocks!.rows.find((r) => r.id === block.id)!.plain_text).toBe('Changed');
    expect(after.notion_page_content!.rows.find((r) => r.page_id === page.id)!.markdown).toBe('Changed');
    const unchanged = (t: typeof before.notion_blocks) => t!.rows.filter((r) => r.page_id !== page.id);
    expect(unchanged(after.notion_blocks)).toEqual(unchanged(before.notion_blocks));
  });
});

describe('sync --pages', () => {
  it('loads the pages outside data sources with their parents, and their content with --content', async () => {
    const { ws } = contentWorkspace();
    const [handbook, onboarding, engineering, oncall] = addStandalonePages(ws);
    const env = await h.serve(ws);
    const db = join(await tmp(), 'notion.duckdb');
    const res = await runCli(['sync', ...fast, '--pages', '--content', '--out', db], { ...env });
    expect(res.code).toBe(0);
    const tables = await duckDbTables(db);
    const pages = tables.notion_pages!;
    expect(pages.rows.map((r) => r.title).sort()).toEqual(['Engineering', 'Handbook', 'On-call', 'Onboarding']);
    expect(pages.rows.find((r) => r.id === handbook)).toMatchObject({ parent_type: 'workspace', parent_id: null, in_trash: false, icon: { type: 'emoji', emoji: '📘' } });
    expect(pages.rows.find((r) => r.id === oncall)).toMatchObject({ parent_type: 'page_id', parent_id: engineering });
    expect(pages.rows.find((r) => r.id === onboarding)!.url).toMatch(/^https:\/\/www\.notion\.so\/Onboarding-/);
    // Their content comes with the data source rows' content; each page's own, child pages linked.
    const content = tables.notion_page_content!.rows;
    expect(content).toHaveLength(ws.pages.length);
    const md = String(content.find((r) => r.page_id === handbook)!.markdown);
    expect(md).toContain('# Handbook');
    expect(md).toContain(`[Onboarding](https://www.notion.so/${onboarding!.replace(/-/g, '')})`);
    expect(md).not.toContain('On-call');
    expect(String(content.find((r) => r.page_id === oncall)!.markdown)).toContain('# On-call');
  });
});

describe('sync --comments', () => {
  it('loads every comment of every page read, with discussion, author and text', async () => {
    const { ws } = contentWorkspace();
    const [a, b] = ws.pages;
    const person = ws.users.find((u) => u.type === 'person')!;
    const comment = (n: number, pageId: string, discussion: string, content: string) => ({
      object: 'comment',
      id: `c0000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
      parent: { type: 'page_id', page_id: pageId },
      discussion_id: discussion,
      created_time: '2024-02-01T10:00:00.000Z',
      last_edited_time: '2024-02-01T10:00:00.000Z',
      created_by: { object: 'user', id: person.id },
      rich_text: [{ type: 'text', text: { content, link: null }, annotations: {}, plain_text: content, href: null }],
    });
    ws.comments[a!.id] = Array.from({ length: 130 }, (_, i) => comment(i + 1, a!.id, 'd0000000-0000-4000-8000-000000000001', `Reply ${i + 1}`));
    ws.comments[b!.id] = [comment(500, b!.id, 'd0000000-0000-4000-8000-000000000002', 'Looks good')];
    const env = await h.serve(ws);
    const db = join(await tmp(), 'notion.duckdb');
    const res = await runCli(['sync', '--rate-limit', '1000', '--no-users', '--no-catalog', '--comments', '--out', db], { ...env });
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/Requests of the workspace tables: comments 9\./); // 8 pages, one of them with 130 comments
    const rows = (await duckDbTables(db)).notion_comments!.rows;
    expect(rows).toHaveLength(131);
    expect(rows.filter((r) => r.page_id === a!.id).map((r) => r.plain_text).sort()).toEqual(Array.from({ length: 130 }, (_, i) => `Reply ${i + 1}`).sort());
    expect(rows.find((r) => r.page_id === b!.id)).toMatchObject({ discussion_id: 'd0000000-0000-4000-8000-000000000002', created_by: person.id, plain_text: 'Looks good', block_id: null, created_time: '2024-02-01T10:00:00.000Z' });
  });

  it('without the comments capability, the table is left out with one warning', async () => {
    const { ws } = contentWorkspace();
    const env = await h.serve(ws);
    h.emu!.inject({ endpoint: 'comments.list', kind: 'restricted_resource', count: Infinity });
    const db = join(await tmp(), 'notion.duckdb');
    const res = await runCli(['sync', ...fast, '--comments', '--out', db], { ...env });
    expect(res.code).toBe(0);
    expect(res.stderr.match(/^warning: Notion refused to list comments \(403 restricted_resource\)/gm)).toHaveLength(1);
    expect((await duckDbTables(db)).notion_comments).toBeUndefined();
  });
});

/** The minimum requests to read a page's content: one per 100 children of the page and of each block with children (child pages not descended). */
function requestsFor(ws: Workspace, id: string): number {
  const kids = ws.blocks[id] ?? [];
  let n = Math.max(1, Math.ceil(kids.length / 100));
  for (const b of kids) if (b.has_children === true && b.type !== 'child_page' && b.type !== 'child_database') n += requestsFor(ws, String(b.id));
  return n;
}

/** Blocks of a page at any depth, child pages' content left out. */
function countBlocks(ws: Workspace, id: string): number {
  return (ws.blocks[id] ?? []).reduce((n, b) => n + 1 + (b.type === 'child_page' ? 0 : countBlocks(ws, String(b.id))), 0);
}
