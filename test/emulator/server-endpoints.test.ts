import { describe, expect, it } from 'vitest';
import {
  at,
  baseWorkspace,
  comment,
  DB_ID,
  DS_ID,
  failure,
  itemPage,
  ITEMS_DS_ID,
  mainPage,
  paragraph,
  raw,
  rowsWorkspace,
  start,
  uid,
} from './fixtures.js';

describe('emulator endpoints', () => {
  it('retrieves a database container with its data sources and no schema', async () => {
    const { notion } = await start(rowsWorkspace(1));
    const db: any = await notion.databases.retrieve({ database_id: DB_ID.replace(/-/g, '') });
    expect(db.object).toBe('database');
    expect(db.id).toBe(DB_ID);
    expect(db.data_sources).toEqual([{ id: DS_ID, name: 'Projects' }]);
    expect(db.properties).toBeUndefined();
    expect(db.created_time).toMatch(/\.\d{3}\+00:00$/);
    expect(typeof db.request_id).toBe('string');
  });

  it('retrieves a data source with its schema, parent and database_parent', async () => {
    const { notion } = await start(rowsWorkspace(1));
    const ds: any = await notion.dataSources.retrieve({ data_source_id: DS_ID });
    expect(ds.object).toBe('data_source');
    expect(ds.parent).toEqual({ type: 'database_id', database_id: DB_ID });
    expect(ds.database_parent).toEqual({ type: 'page_id', page_id: uid('c0000000', 1) });
    expect(ds.properties.Count).toEqual({ id: 'swq%5C', name: 'Count', description: null, type: 'number', number: { format: 'number' } });
    expect(ds.url).toBe(`https://www.notion.so/${DB_ID.replace(/-/g, '')}`);
  });

  it('queries a data source page by page in created_time order', async () => {
    const ws = rowsWorkspace(7);
    ws.pages.reverse(); // storage order must not matter
    const { notion } = await start(ws);
    const seen: string[] = [];
    let cursor: string | undefined;
    let calls = 0;
    do {
      const res: any = await notion.dataSources.query({ data_source_id: DS_ID, page_size: 3, ...(cursor ? { start_cursor: cursor } : {}) });
      calls++;
      expect(res.object).toBe('list');
      expect(res.type).toBe('page_or_data_source');
      expect(res.page_or_data_source).toEqual({});
      expect(res.has_more).toBe(res.next_cursor !== null);
      if (res.next_cursor !== null) expect(res.next_cursor).toMatch(/^[0-9a-f-]{36}$/);
      seen.push(...res.results.map((p: any) => p.properties.Name.title[0].plain_text));
      cursor = res.next_cursor ?? undefined;
    } while (cursor);
    expect(calls).toBe(3);
    expect(seen).toEqual(['Row 1', 'Row 2', 'Row 3', 'Row 4', 'Row 5', 'Row 6', 'Row 7']);
  });

  it('breaks created_time ties by id and excludes trashed and unshared pages', async () => {
    const ws = baseWorkspace();
    ws.pages.push(mainPage(ws, { n: 3, created: 5 }), mainPage(ws, { n: 1, created: 5 }), mainPage(ws, { n: 2, created: 5 }));
    ws.pages.push(mainPage(ws, { n: 4, in_trash: true }), mainPage(ws, { n: 5, shared: false }));
    const { notion } = await start(ws);
    const res: any = await notion.dataSources.query({ data_source_id: DS_ID });
    expect(res.results.map((p: any) => p.id)).toEqual([uid('e0000000', 1), uid('e0000000', 2), uid('e0000000', 3)]);
  });

  it('sorts on timestamps and properties, ties broken by id', async () => {
    const ws = baseWorkspace();
    ws.pages.push(
      mainPage(ws, { n: 1, count: 5, edited: 50, stage: 'high' }),
      mainPage(ws, { n: 2, count: 1, edited: 10, stage: 'low' }),
      mainPage(ws, { n: 3, count: 5, edited: 30, stage: null }),
      mainPage(ws, { n: 4, count: null, edited: 40, stage: 'mid' }),
    );
    const { notion } = await start(ws);
    const ids = async (sorts: any[]) =>
      ((await notion.dataSources.query({ data_source_id: DS_ID, sorts })) as any).results.map((p: any) => Number(p.id.slice(-2)));
    expect(await ids([{ timestamp: 'last_edited_time', direction: 'descending' }])).toEqual([1, 4, 3, 2]);
    expect(await ids([{ timestamp: 'last_edited_time', direction: 'ascending' }])).toEqual([2, 3, 4, 1]);
    expect(await ids([{ property: 'Count', direction: 'ascending' }])).toEqual([2, 1, 3, 4]);
    expect(await ids([{ property: 'Count', direction: 'descending' }])).toEqual([1, 3, 2, 4]);
    // select sorts by option order, empty last
    expect(await ids([{ property: 'Stage', direction: 'ascending' }])).toEqual([2, 4, 1, 3]);
    expect(await ids([{ property: 'Name', direction: 'descending' }])).toEqual([4, 3, 2, 1]);
    const err = await failure(notion.dataSources.query({ data_source_id: DS_ID, sorts: [{ property: 'Nope', direction: 'ascending' }] }));
    expect(err.code).toBe('validation_error');
  });

  it('filters on timestamps, alone and nested in and/or', async () => {
    const ws = baseWorkspace();
    for (let n = 1; n <= 6; n++) ws.pages.push(mainPage(ws, { n, created: n * 10, edited: 100 + n }));
    const { notion } = await start(ws);
    const ids = async (filter: any) =>
      ((await notion.dataSources.query({ data_source_id: DS_ID, filter })) as any).results.map((p: any) => Number(p.id.slice(-2)));
    expect(await ids({ timestamp: 'created_time', created_time: { on_or_after: at(30) } })).toEqual([3, 4, 5, 6]);
    expect(await ids({ timestamp: 'created_time', created_time: { after: at(30) } })).toEqual([4, 5, 6]);
    expect(await ids({ timestamp: 'created_time', created_time: { before: at(30) } })).toEqual([1, 2]);
    expect(await ids({ timestamp: 'created_time', created_time: { on_or_before: at(30) } })).toEqual([1, 2, 3]);
    expect(await ids({ timestamp: 'created_time', created_time: { equals: at(30) } })).toEqual([3]);
    expect(await ids({ timestamp: 'last_edited_time', last_edited_time: { on_or_after: at(105) } })).toEqual([5, 6]);
    expect(
      await ids({
        and: [
          { timestamp: 'created_time', created_time: { on_or_after: at(20) } },
          { timestamp: 'created_time', created_time: { before: at(50) } },
        ],
      }),
    ).toEqual([2, 3, 4]);
    expect(
      await ids({
        or: [
          { timestamp: 'created_time', created_time: { equals: at(10) } },
          { and: [{ timestamp: 'last_edited_time', last_edited_time: { on_or_after: at(106) } }] },
        ],
      }),
    ).toEqual([1, 6]);
    expect(await ids({ property: 'Count', number: { greater_than: 4 } })).toEqual([5, 6]);
    expect(await ids({ property: 'Done', checkbox: { equals: false } })).toHaveLength(6);
  });

  it('answers 400 validation_error for unsupported filters and bad page_size', async () => {
    const { notion } = await start(rowsWorkspace(2));
    for (const filter of [
      { timestamp: 'created_time', created_time: { within: at(1) } },
      { timestamp: 'other_time', other_time: { after: at(1) } },
      { foo: 1 },
      { property: 'Btn', button: {} },
    ]) {
      const err = await failure(notion.dataSources.query({ data_source_id: DS_ID, filter: filter as any }));
      expect(err.status).toBe(400);
      expect(err.code).toBe('validation_error');
    }
    const big = await failure(notion.dataSources.query({ data_source_id: DS_ID, page_size: 101 }));
    expect(big.code).toBe('validation_error');
    expect(big.message).toContain('page_size');
    const ok: any = await notion.dataSources.query({ data_source_id: DS_ID, page_size: 100 });
    expect(ok.results).toHaveLength(2);
  });

  it('limits properties with filter_properties (repeated keys, encoded ids, [] form)', async () => {
    const { emu, notion } = await start(rowsWorkspace(2));
    const res: any = await notion.dataSources.query({ data_source_id: DS_ID, filter_properties: ['title', 'swq%5C'] });
    expect(Object.keys(res.results[0].properties).sort()).toEqual(['Count', 'Name']);
    const page: any = await notion.pages.retrieve({ page_id: uid('e0000000', 1), filter_properties: ['%3Crel'] });
    expect(Object.keys(page.properties)).toEqual(['Items']);
    const brackets = await raw(emu, `/v1/data_sources/${DS_ID}/query?filter_properties[]=n%253Ate&filter_properties[]=done`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emu.token}`, 'notion-version': '2025-09-03', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(brackets.status).toBe(200);
    expect(Object.keys(brackets.json.results[0].properties).sort()).toEqual(['Done', 'Notes']);
  });

  it('retrieves a page with every property type in its documented shape', async () => {
    const ws = baseWorkspace();
    ws.pages.push(itemPage(1, 10, '2024-03-01'));
    ws.pages.push(mainPage(ws, { n: 2, items: [uid('f0000000', 1)], owners: [ws.users[0]!] }));
    const { notion } = await start(ws);
    const page: any = await notion.pages.retrieve({ page_id: uid('e0000000', 2).replace(/-/g, '') });
    expect(page.object).toBe('page');
    expect(page.parent).toEqual({ type: 'data_source_id', data_source_id: DS_ID, database_id: DB_ID });
    expect(page.url).toBe(`https://www.notion.so/Row-2-${uid('e0000000', 2).replace(/-/g, '')}`);
    const p = page.properties;
    expect(p.Name.title[0].plain_text).toBe('Row 2');
    expect(p.Count).toEqual({ id: 'swq%5C', type: 'number', number: 2 });
    expect(p.Stage.select).toEqual({ id: 'opt-mid', name: 'mid', color: 'blue' });
    expect(p.Status.status.name).toBe('Done');
    expect(p.Tags.multi_select).toHaveLength(1);
    expect(p.When.date).toEqual({ start: '2024-05-01', end: null, time_zone: null });
    expect(p.Owners.people).toHaveLength(1);
    expect(p.Attachments.files[0].type).toBe('external');
    expect(p.Done.checkbox).toBe(false);
    expect(p.Link.url).toBe('https://example.com');
    expect(p.Mail.email).toBeNull();
    expect(p.Phone.phone_number).toBe('+1 555');
    expect(p.Calc.formula).toEqual({ type: 'number', number: 4 });
    expect(p.Items).toEqual({ id: '%3Crel', type: 'relation', relation: [{ id: uid('f0000000', 1) }], has_more: false });
    expect(p.ItemCount.rollup).toEqual({ type: 'number', number: 1, function: 'count' });
    expect(p.ItemOriginal.rollup).toEqual({ type: 'array', array: [{ type: 'number', number: 10 }], function: 'show_original' });
    expect(p.ItemEarliest.rollup).toEqual({ type: 'date', date: { start: '2024-03-01', end: null, time_zone: null }, function: 'earliest_date' });
    expect(p.Created.created_time).toBe(at(2));
    expect(p.Edited.last_edited_time).toBe(at(2));
    expect(p.Creator.created_by.object).toBe('user');
    expect(p.Editor.last_edited_by.object).toBe('user');
    expect(p.ID.unique_id).toEqual({ prefix: 'T', number: 2 });
    expect(p.Verify.verification.state).toBe('verified');
    expect(p.Btn.button).toEqual({});
    expect(p.Where.place).toMatchObject({ lat: 48.85, lon: 2.35 });
  });

  it('retrieves a trashed page with in_trash true', async () => {
    const ws = rowsWorkspace(1);
    ws.pages[0]!.in_trash = true;
    const { notion } = await start(ws);
    const page: any = await notion.pages.retrieve({ page_id: uid('e0000000', 1) });
    expect(page.in_trash).toBe(true);
    expect(page.archived).toBe(true);
  });

  it('searches data sources and pages, by title, newest first, paginated', async () => {
    const ws = baseWorkspace();
    ws.pages.push(mainPage(ws, { n: 1, title: 'Alpha plan', edited: 500 }), mainPage(ws, { n: 2, title: 'beta', edited: 600 }));
    ws.pages.push(mainPage(ws, { n: 3, title: 'ALPHA two', edited: 700 }), mainPage(ws, { n: 4, title: 'alpha gone', in_trash: true }));
    const { notion } = await start(ws);
    const sources: any = await notion.search({ filter: { property: 'object', value: 'data_source' } });
    expect(sources.type).toBe('page_or_data_source');
    expect(sources.results.map((r: any) => r.object)).toEqual(['data_source', 'data_source']);
    expect(sources.results.map((r: any) => r.id).sort()).toEqual([DS_ID, ITEMS_DS_ID].sort());
    expect(sources.results[0].properties).toBeDefined();
    const alpha: any = await notion.search({ query: 'alpha', filter: { property: 'object', value: 'page' } });
    expect(alpha.results.map((r: any) => r.properties.Name.title[0].plain_text)).toEqual(['ALPHA two', 'Alpha plan']);
    const first: any = await notion.search({ page_size: 2 });
    expect(first.results).toHaveLength(2);
    expect(first.has_more).toBe(true);
    const rest: any = await notion.search({ page_size: 2, start_cursor: first.next_cursor });
    const rest2: any = rest.has_more ? await notion.search({ page_size: 2, start_cursor: rest.next_cursor }) : { results: [] };
    expect(first.results.length + rest.results.length + rest2.results.length).toBe(5);
    const err = await failure(notion.search({ filter: { property: 'object', value: 'database' as any } }));
    expect(err.status).toBe(400);
    expect(err.code).toBe('validation_error');
  });

  it('lists users with pagination', async () => {
    const ws = baseWorkspace();
    const { notion } = await start(ws);
    const first: any = await notion.users.list({ page_size: 2 });
    expect(first.type).toBe('user');
    expect(first.user).toEqual({});
    expect(first.results.map((u: any) => u.id)).toEqual([ws.users[0]!.id, ws.users[1]!.id]);
    expect(first.has_more).toBe(true);
    const second: any = await notion.users.list({ page_size: 2, start_cursor: first.next_cursor });
    expect(second.results.map((u: any) => u.type)).toEqual(['bot']);
    expect(second.has_more).toBe(false);
    expect(second.next_cursor).toBeNull();
  });

  it('lists block children; the cursor is the next block id', async () => {
    const ws = rowsWorkspace(1);
    const pageId = uid('e0000000', 1);
    ws.blocks[pageId] = [1, 2, 3, 4, 5].map((n) => paragraph(uid('bb000000', n), pageId, `para ${n}`));
    const { notion } = await start(ws);
    const first: any = await notion.blocks.children.list({ block_id: pageId, page_size: 2 });
    expect(first.type).toBe('block');
    expect(first.block).toEqual({});
    expect(first.next_cursor).toBe(uid('bb000000', 3));
    const all: string[] = [];
    let cursor: string | undefined;
    do {
      const res: any = await notion.blocks.children.list({ block_id: pageId, page_size: 2, ...(cursor ? { start_cursor: cursor } : {}) });
      all.push(...res.results.map((b: any) => b.paragraph.rich_text[0].plain_text));
      cursor = res.next_cursor ?? undefined;
    } while (cursor);
    expect(all).toEqual(['para 1', 'para 2', 'para 3', 'para 4', 'para 5']);
    const leaf: any = await notion.blocks.children.list({ block_id: uid('bb000000', 2) });
    expect(leaf.results).toEqual([]);
    const full: any = await notion.blocks.children.list({ block_id: pageId.replace(/-/g, '') });
    expect(full.results).toHaveLength(5);
    const missing = await failure(notion.blocks.children.list({ block_id: uid('99999999', 1) }));
    expect(missing.code).toBe('object_not_found');
  });

  it('lists comments of a block with pagination', async () => {
    const ws = rowsWorkspace(1);
    const pageId = uid('e0000000', 1);
    ws.comments[pageId] = [1, 2, 3].map((n) => comment(uid('cd000000', n), pageId, `c${n}`));
    const { notion } = await start(ws);
    const first: any = await notion.comments.list({ block_id: pageId, page_size: 2 });
    expect(first.type).toBe('comment');
    expect(first.comment).toEqual({});
    expect(first.results).toHaveLength(2);
    const second: any = await notion.comments.list({ block_id: pageId, page_size: 2, start_cursor: first.next_cursor });
    expect(second.results.map((c: any) => c.rich_text[0].plain_text)).toEqual(['c3']);
    expect(second.has_more).toBe(false);
    const undashed: any = await notion.comments.list({ block_id: pageId.replace(/-/g, '') });
    expect(undashed.results).toHaveLength(3);
    ws.pages.push(mainPage(ws, { n: 2 }));
    const none: any = await notion.comments.list({ block_id: uid('e0000000', 2) });
    expect(none.results).toEqual([]);
    const missing = await failure(notion.comments.list({ block_id: uid('99999999', 1) }));
    expect(missing.code).toBe('object_not_found');
  });

  it('answers invalid_request_url for unknown paths and methods', async () => {
    const { emu } = await start(rowsWorkspace(1));
    const res = await raw(emu, '/v1/invalid');
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ object: 'error', status: 400, code: 'invalid_request_url', message: 'Invalid request URL.' });
    expect(res.json.request_id).toMatch(/^[0-9a-f-]{36}$/);
    const wrongMethod = await raw(emu, '/v1/search');
    expect(wrongMethod.json.code).toBe('invalid_request_url');
  });
});
