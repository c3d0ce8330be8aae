import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/core/markdown.js';
import { blockPlainText, blockRow, commentRow, pageRow, parentOf, propertyRows, userRow, USERS_SCHEMA, BLOCKS_SCHEMA } from '../../src/core/workspace-tables.js';
import { addBlocks, BlockIds, sampleDocument, text, textBlock } from '../../src/emulator/blocks.js';
import type { Workspace } from '../../src/emulator/workspace.js';
import type { JsonObject, NotionDataSource } from '../../src/notion/types.js';

describe('workspace table rows', () => {
  it('users: persons with email, bots with their owner', () => {
    expect(userRow({ object: 'user', id: 'u1', type: 'person', name: 'Ada', avatar_url: null, person: { email: 'ada@example.com' } })).toEqual({
      id: 'u1', type: 'person', name: 'Ada', email: 'ada@example.com', avatar_url: null, bot_owner_type: null, bot_owner_user_id: null, bot_workspace_name: null,
    });
    expect(userRow({ object: 'user', id: 'b1', type: 'bot', name: 'Sync', avatar_url: null, bot: { owner: { type: 'workspace', workspace: true }, workspace_name: 'Acme' } })).toMatchObject({ type: 'bot', email: null, bot_owner_type: 'workspace', bot_owner_user_id: null, bot_workspace_name: 'Acme' });
    // Without the email capability `person` is {}: email null, not a crash.
    expect(userRow({ object: 'user', id: 'u2', type: 'person', person: {} }).email).toBeNull();
    expect(Object.keys(USERS_SCHEMA.schema.properties)).toEqual(Object.keys(userRow({ id: 'x' })));
    expect(USERS_SCHEMA.load_mode).toBe('replace');
  });

  it('parents, pages and comments', () => {
    expect(parentOf({ type: 'page_id', page_id: 'p' })).toEqual({ type: 'page_id', id: 'p' });
    expect(parentOf({ type: 'workspace', workspace: true })).toEqual({ type: 'workspace', id: null });
    expect(parentOf(null)).toEqual({ type: null, id: null });
    const page: JsonObject = { object: 'page', id: 'p1', parent: { type: 'workspace', workspace: true }, archived: true, properties: { title: { id: 'title', type: 'title', title: [text('Wiki')] } }, created_by: { object: 'user', id: 'u' } };
    expect(pageRow(page)).toMatchObject({ id: 'p1', title: 'Wiki', parent_type: 'workspace', parent_id: null, in_trash: true, created_by: 'u' });
    const comment = commentRow({ id: 'c', parent: { type: 'block_id', block_id: 'b' }, discussion_id: 'd', created_by: { object: 'user', id: 'u' }, rich_text: [text('Hi '), text('there')] }, 'p1');
    expect(comment).toMatchObject({ id: 'c', page_id: 'p1', block_id: 'b', discussion_id: 'd', created_by: 'u', plain_text: 'Hi there' });
  });

  it('properties: column names by property id, options as JSON', () => {
    const ds = { object: 'data_source', id: 'ds', title: [], properties: {
      Name: { id: 'title', name: 'Name', type: 'title', title: {} },
      Tags: { id: 'a%3Ab', name: 'Tags', type: 'multi_select', multi_select: { options: [{ id: 'o', name: 'x', color: 'red' }] } },
    } } as unknown as NotionDataSource;
    const rows = propertyRows(ds, new Map([['title', 'name'], ['a%3Ab', 'tags']]));
    expect(rows).toEqual([
      { data_source_id: 'ds', property_id: 'title', name: 'Name', type: 'title', column_name: 'name', position: 0, options: null, config: {} },
      { data_source_id: 'ds', property_id: 'a%3Ab', name: 'Tags', type: 'multi_select', column_name: 'tags', position: 1, options: [{ id: 'o', name: 'x', color: 'red' }], config: { options: [{ id: 'o', name: 'x', color: 'red' }] } },
    ]);
  });

  it('block text of every kind of payload; the whole block is kept', () => {
    expect(blockPlainText({ type: 'paragraph', paragraph: { rich_text: [text('a'), text('b')] } })).toBe('ab');
    expect(blockPlainText({ type: 'table_row', table_row: { cells: [[text('x')], [text('y'), text('z')]] } })).toBe('x\tyz');
    expect(blockPlainText({ type: 'child_page', child_page: { title: 'Child' } })).toBe('Child');
    expect(blockPlainText({ type: 'equation', equation: { expression: 'x^2' } })).toBe('x^2');
    expect(blockPlainText({ type: 'image', image: { caption: [text('Logo')], type: 'external', external: { url: 'u' } } })).toBe('Logo');
    expect(blockPlainText({ type: 'brand_new', brand_new: 42 })).toBe('');
    const block: JsonObject = { id: 'b', type: 'brand_new', brand_new: { x: 1 }, has_children: false };
    const row = blockRow(block, { pageId: 'p', parentId: 'p', depth: 0, position: 3 });
    expect(row).toMatchObject({ id: 'b', page_id: 'p', parent_id: 'p', depth: 0, position: 3, type: 'brand_new', plain_text: '', block });
    expect(Object.keys(BLOCKS_SCHEMA.schema.properties)).toEqual(Object.keys(row));
  });
});

describe('renderMarkdown', () => {
  const tree = (specs: Parameters<typeof addBlocks>[2]) => {
    const ws = { users: [], blocks: {} } as unknown as Workspace;
    addBlocks(ws, 'page', specs, { ids: new BlockIds() });
    return new Map(Object.entries(ws.blocks));
  };

  it('numbers numbered lists, links child pages and databases, and skips types it cannot render', async () => {
    const md = await renderMarkdown('page', tree([
      textBlock('numbered_list_item', 'one'),
      textBlock('numbered_list_item', 'two'),
      { type: 'child_database', id: 'db000000-0000-4000-8000-000000000001', body: { title: 'Tracker' } },
      { type: 'brand_new', body: { x: 1 } },
      { type: 'odd', body: 'not an object' as unknown as JsonObject },
      textBlock('paragraph', 'end'),
    ]));
    expect(md).toContain('1. one\n2. two');
    expect(md).toContain('[Tracker](https://www.notion.so/db000000000040008000000000000001)');
    expect(md).toContain('end');
  });

  it('renders nothing for an empty page, and a document without touching the network', async () => {
    expect(await renderMarkdown('page', new Map())).toBe('');
    const md = await renderMarkdown('page', tree(sampleDocument('c0000000-0000-4000-8000-000000000001')));
    expect(md).toContain('- [x] Write the spec');
    expect(md).toContain('[Meeting notes](https://www.notion.so/c0000000000040008000000000000001)');
  });
});
