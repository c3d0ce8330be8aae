import { describe, expect, it } from 'vitest';
import type { Workspace } from '../../src/emulator/workspace.js';
import { baseWorkspace, DS_ID, itemPage, mainPage, mention, person, start, text, uid } from './fixtures.js';

const PAGE = uid('e0000000', 1);

/** A main page related to `n` item pages with values 1..n and dues on consecutive days of 2024. */
function relatedWorkspace(n: number): Workspace {
  const ws = baseWorkspace();
  const items = [];
  for (let i = 1; i <= n; i++) {
    const day = new Date(Date.UTC(2024, 0, i)).toISOString().slice(0, 10);
    items.push(itemPage(i, i, day));
  }
  ws.pages.push(...items);
  ws.pages.push(mainPage(ws, { n: 1, items: items.map((p) => p.id) }));
  return ws;
}

async function allItems(notion: any, propertyId: string, pageSize: number): Promise<{ pages: any[]; items: any[] }> {
  const pages: any[] = [];
  let cursor: string | undefined;
  do {
    const res = await notion.pages.properties.retrieve({
      page_id: PAGE,
      property_id: propertyId,
      page_size: pageSize,
      ...(cursor ? { start_cursor: cursor } : {}),
    });
    pages.push(res);
    cursor = res.next_cursor ?? undefined;
  } while (cursor);
  return { pages, items: pages.flatMap((p) => p.results) };
}

describe('truncation at 25 references', () => {
  it('cuts a relation of 60 to 25 with has_more, in query, retrieve and search', async () => {
    const { notion } = await start(relatedWorkspace(60));
    const page: any = await notion.pages.retrieve({ page_id: PAGE });
    expect(page.properties.Items.relation).toHaveLength(25);
    expect(page.properties.Items.has_more).toBe(true);
    expect(page.properties.Items.relation[0]).toEqual({ id: uid('f0000000', 1) });
    const query: any = await notion.dataSources.query({ data_source_id: DS_ID });
    expect(query.results[0].properties.Items.relation).toHaveLength(25);
    expect(query.results[0].properties.Items.has_more).toBe(true);
    const search: any = await notion.search({ query: 'Row 1', filter: { property: 'object', value: 'page' } });
    expect(search.results[0].properties.Items.has_more).toBe(true);
  });

  it('keeps has_more false at exactly 25 relations', async () => {
    const { notion } = await start(relatedWorkspace(25));
    const page: any = await notion.pages.retrieve({ page_id: PAGE });
    expect(page.properties.Items.relation).toHaveLength(25);
    expect(page.properties.Items.has_more).toBe(false);
  });

  it('serves all 60 relation ids through the property endpoint, paginated', async () => {
    const { notion } = await start(relatedWorkspace(60));
    const { pages, items } = await allItems(notion, '%3Crel', 25);
    expect(pages).toHaveLength(3);
    expect(items).toHaveLength(60);
    expect(items.map((i) => i.relation.id)).toEqual(Array.from({ length: 60 }, (_, i) => uid('f0000000', i + 1)));
    expect(items[0]).toEqual({ object: 'property_item', type: 'relation', id: '%3Crel', relation: { id: uid('f0000000', 1) } });
    const first = pages[0];
    expect(first.type).toBe('property_item');
    expect(first.has_more).toBe(true);
    expect(first.property_item).toEqual({
      id: '%3Crel',
      next_url: expect.stringContaining(`/v1/pages/${PAGE.replace(/-/g, '')}/properties/%3Crel?start_cursor=${first.next_cursor}&page_size=25`),
      type: 'relation',
      relation: {},
    });
    expect(pages[2].property_item.next_url).toBeNull();
    // default page size is 100: everything at once
    const whole: any = await notion.pages.properties.retrieve({ page_id: PAGE, property_id: '%3Crel' });
    expect(whole.results).toHaveLength(60);
    expect(whole.has_more).toBe(false);
  });

  it('accepts the property id decoded or encoded, but never decodes twice', async () => {
    const { notion } = await start(relatedWorkspace(2));
    const decoded: any = await notion.pages.properties.retrieve({ page_id: PAGE, property_id: '<rel' });
    expect(decoded.results).toHaveLength(2);
    const number: any = await notion.pages.properties.retrieve({ page_id: PAGE, property_id: 'swq%5C' });
    expect(number).toMatchObject({ object: 'property_item', id: 'swq%5C', type: 'number', number: 1 });
    const doubly = notion.pages.properties.retrieve({ page_id: PAGE, property_id: '%253Crel' });
    await expect(doubly).rejects.toMatchObject({ code: 'object_not_found' });
  });

  it('cuts people to 25 silently; the property endpoint has all 30', async () => {
    const ws = baseWorkspace();
    const people = Array.from({ length: 30 }, (_, i) => person(i + 1));
    ws.users = people;
    ws.pages.push(mainPage(ws, { n: 1, owners: people }));
    const { notion } = await start(ws);
    const page: any = await notion.pages.retrieve({ page_id: PAGE });
    expect(page.properties.Owners.people).toHaveLength(25);
    expect(page.properties.Owners.has_more).toBeUndefined();
    const { items } = await allItems(notion, 'ownr', 10);
    expect(items).toHaveLength(30);
    expect(items[29]).toMatchObject({ object: 'property_item', type: 'people', id: 'ownr', people: { id: people[29]!.id } });
  });

  it('keeps title and rich text up to the 25th mention; the property endpoint has everything', async () => {
    const ws = baseWorkspace();
    const u = person(1);
    const notes = [text('start ')];
    for (let i = 0; i < 30; i++) notes.push(mention(u), text(` t${i} `));
    ws.pages.push(mainPage(ws, { n: 1, notes, titleItems: notes }));
    const { notion } = await start(ws);
    const page: any = await notion.pages.retrieve({ page_id: PAGE });
    for (const [name, type] of [['Notes', 'rich_text'], ['Name', 'title']] as const) {
      const shown = page.properties[name][type];
      expect(shown.filter((r: any) => r.type === 'mention')).toHaveLength(25);
      expect(shown).toHaveLength(1 + 2 * 24 + 1); // ends with the 25th mention
      expect(shown.at(-1).type).toBe('mention');
      expect(shown).toEqual(notes.slice(0, shown.length));
    }
    const { items } = await allItems(notion, 'n%3Ate', 100);
    expect(items).toHaveLength(61);
    expect(items.map((i) => i.rich_text)).toEqual(notes);
    const title = await allItems(notion, 'title', 7);
    expect(title.items.map((i) => i.title)).toEqual(notes);
  });

  it('computes rollups over the first 25 related pages in pages, over all in the property endpoint', async () => {
    const { notion } = await start(relatedWorkspace(60));
    const page: any = await notion.pages.retrieve({ page_id: PAGE });
    const p = page.properties;
    // values 1..25 in page responses
    expect(p.ItemCount.rollup).toEqual({ type: 'number', number: 25, function: 'count' });
    expect(p.ItemSum.rollup).toEqual({ type: 'number', number: 325, function: 'sum' });
    expect(p.ItemAvg.rollup.number).toBe(13);
    expect(p.ItemMin.rollup.number).toBe(1);
    expect(p.ItemMax.rollup.number).toBe(25);
    expect(p.ItemCountValues.rollup.number).toBe(25);
    expect(p.ItemOriginal.rollup.array).toHaveLength(25);
    expect(p.ItemOriginal.rollup.array[0]).toEqual({ type: 'number', number: 1 });
    expect(p.ItemEarliest.rollup.date.start).toBe('2024-01-01');
    expect(p.ItemLatest.rollup).toEqual({ type: 'date', date: { start: '2024-01-25', end: null, time_zone: null }, function: 'latest_date' });

    // values 1..60 through the property endpoint; "incomplete" until the last page
    const sum = await allItems(notion, 'rsum', 25);
    expect(sum.pages).toHaveLength(3);
    expect(sum.pages[0].property_item.rollup).toEqual({ type: 'incomplete', incomplete: {}, function: 'sum' });
    expect(sum.pages[1].property_item.rollup.type).toBe('incomplete');
    expect(sum.pages[2].property_item.rollup).toEqual({ type: 'number', number: 1830, function: 'sum' });
    expect(sum.items).toHaveLength(60);
    expect(sum.items[0]).toEqual({ object: 'property_item', type: 'number', id: 'val%7C', number: 1 });
    const latest = await allItems(notion, 'rlat', 100);
    expect(latest.pages[0].property_item.rollup.date.start).toBe('2024-02-29');
    const count = await allItems(notion, 'rcnt', 100);
    expect(count.pages[0].property_item.rollup.number).toBe(60);
    const original = await allItems(notion, 'rorg', 100);
    expect(original.items).toHaveLength(60);
    expect(original.pages[0].property_item.rollup).toEqual({ type: 'array', array: [], function: 'show_original' });
  });

  it('follows workspace edits: trashed related pages drop out of rollups', async () => {
    const ws = relatedWorkspace(3);
    const { notion } = await start(ws);
    ws.pages.find((p) => p.id === uid('f0000000', 3))!.in_trash = true;
    const page: any = await notion.pages.retrieve({ page_id: PAGE });
    expect(page.properties.ItemSum.rollup.number).toBe(3);
  });
});
