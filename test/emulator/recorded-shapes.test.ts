/**
 * The emulator answers in the shapes of real recorded Notion responses (test/fixtures/notion-recorded):
 * same keys, recursively, and same kinds of values, for every kind of object recorded.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Workspace } from '../../src/emulator/workspace.js';
import {
  baseWorkspace,
  DB_ID,
  DS_ID,
  itemPage,
  mainPage,
  mention,
  paragraph,
  person,
  raw,
  start,
  text,
  uid,
} from './fixtures.js';

const DIR = new URL('../fixtures/notion-recorded/', import.meta.url);
const recorded = (name: string): any => JSON.parse(readFileSync(new URL(name, DIR), 'utf8'));

/** Response bodies of a VCR cassette: `[method, uri, body]` for single-quoted (JSON) bodies. */
function cassette(name: string): Array<{ method: string; uri: string; body: any }> {
  const yaml = readFileSync(new URL(name, DIR), 'utf8');
  return yaml
    .split(/^- request:/m)
    .slice(1)
    .flatMap((chunk) => {
      const method = /^\s+method: (\w+)/m.exec(chunk)?.[1] ?? '';
      const uri = /^\s+uri: (\S+)/m.exec(chunk)?.[1] ?? '';
      const m = /string: '((?:[^']|'')*)'/.exec(chunk);
      if (m === null || m[1] === undefined) return [];
      const json = m[1].replace(/\n\s+/g, ' ').replace(/''/g, "'");
      return [{ method, uri, body: JSON.parse(json) }];
    });
}

type Kind = 'null' | 'array' | 'object' | 'string' | 'number' | 'boolean';
function kind(v: unknown): Kind {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v as Kind;
}

/** Keys with the discriminated one (`obj[obj.type]`) written `<type>`. */
function keysOf(o: Record<string, unknown>): string[] {
  const t = o.type;
  return Object.keys(o)
    .map((k) => (typeof t === 'string' && k === t ? '<type>' : k))
    .sort();
}

/**
 * Differences between a recorded value and the emulator's, by shape: object keys (recursively),
 * and value kinds. Null on either side is data, not shape, and matches anything. Arrays compare
 * their first elements of the same `type`. Objects keyed by user data (`properties`) are skipped.
 */
function shapeDiff(rec: unknown, emu: unknown, path = '$', allowExtra: Record<string, string[]> = {}): string[] {
  if (rec === null || emu === null) return [];
  if (kind(rec) !== kind(emu)) return [`${path}: recorded ${kind(rec)}, emulator ${kind(emu)}`];
  if (Array.isArray(rec) && Array.isArray(emu)) {
    if (rec.length === 0 || emu.length === 0) return [];
    const diffs: string[] = [];
    for (const r of rec.slice(0, 5)) {
      const sameType = emu.find((e) => kind(e) === 'object' && kind(r) === 'object' && e.type === r.type) ?? emu[0];
      diffs.push(...shapeDiff(r, sameType, `${path}[]`, allowExtra));
    }
    return [...new Set(diffs)];
  }
  if (kind(rec) !== 'object') return [];
  const r = rec as Record<string, unknown>;
  const e = emu as Record<string, unknown>;
  const rk = keysOf(r);
  const ek = keysOf(e);
  const extra = ek.filter((k) => !rk.includes(k) && !(allowExtra[path] ?? []).includes(k));
  const missing = rk.filter((k) => !ek.includes(k));
  const diffs: string[] = [];
  if (missing.length > 0) diffs.push(`${path}: missing keys ${missing.join(', ')}`);
  if (extra.length > 0) diffs.push(`${path}: extra keys ${extra.join(', ')}`);
  for (const k of rk) {
    if (!ek.includes(k) || k === 'properties') continue;
    if (k === '<type>') {
      if (r.type === e.type) diffs.push(...shapeDiff(r[r.type as string], e[e.type as string], `${path}.<${String(r.type)}>`, allowExtra));
    } else {
      diffs.push(...shapeDiff(r[k], e[k], `${path}.${k}`, allowExtra));
    }
  }
  return diffs;
}

function keySet(...objects: Array<Record<string, unknown>>): string[] {
  return [...new Set(objects.flatMap((o) => Object.keys(o)))].sort();
}

const PAGE = uid('e0000000', 1);

/** A workspace with a page of every type: 60 relations, 30 people, mentions, blocks, users. */
function recordedLikeWorkspace(): Workspace {
  const ws = baseWorkspace();
  const people = Array.from({ length: 30 }, (_, i) => person(i + 1));
  ws.users = [...people, ...ws.users.filter((u) => u.type === 'bot')];
  const items = Array.from({ length: 60 }, (_, i) => itemPage(i + 1, i + 1, '2024-02-01'));
  ws.pages.push(...items);
  ws.pages.push(
    mainPage(ws, {
      n: 1,
      items: items.map((p) => p.id),
      owners: people,
      notes: [text('abc'), mention(people[0]!), text(' ')],
    }),
  );
  ws.pages.push(mainPage(ws, { n: 2 }));
  ws.blocks[PAGE] = [1, 2, 3].map((n) => paragraph(uid('bb000000', n), PAGE, `p${n}`));
  return ws;
}

// Live (2026) responses carry fields the older JSON recordings predate.
const livePage = cassette('test_iterate_paginated_api.yaml').find((i) => i.method === 'POST' && i.uri.endsWith('/v1/pages'))!.body;
const liveDatabase = cassette('test_data_sources_query.yaml').find((i) => i.uri.endsWith('/v1/databases'))!.body;
const liveBlocks = cassette('test_iterate_paginated_api.yaml').find((i) => i.uri.includes('/children'))!.body;

describe('recorded response shapes', () => {
  it('parses the live cassettes', () => {
    expect(livePage.object).toBe('page');
    expect(liveDatabase.object).toBe('database');
    expect(liveBlocks.object).toBe('list');
  });

  it('data source: same keys, parent and database_parent, schema entry keys per type', async () => {
    const { notion } = await start(recordedLikeWorkspace());
    const rec = recorded('retrieve_data_source_data_source.json');
    const emu: any = await notion.dataSources.retrieve({ data_source_id: DS_ID });
    expect(Object.keys(emu).sort()).toEqual(Object.keys(rec).sort());
    expect(shapeDiff(rec, emu)).toEqual([]);
    expect(emu.parent.type).toBe(rec.parent.type);
    const recTypes = new Map<string, any>();
    for (const p of Object.values<any>(rec.properties)) {
      if (p.type !== 'relation' || p.relation.type === 'single_property') recTypes.set(p.type, p);
    }
    const emuTypes = new Map<string, any>(Object.values<any>(emu.properties).map((p) => [p.type, p]));
    for (const [type, recProp] of recTypes) {
      const emuProp = emuTypes.get(type);
      expect(emuProp, `schema type ${type}`).toBeDefined();
      expect(keysOf(emuProp), type).toEqual(keysOf(recProp));
      if (['number', 'select', 'multi_select', 'status', 'rollup', 'relation', 'unique_id', 'formula'].includes(type)) {
        expect(Object.keys(emuProp[type]).sort(), type).toEqual(Object.keys(recProp[type]).sort());
      }
    }
  });

  it('database: the recorded keys plus those of live responses', async () => {
    const { notion } = await start(recordedLikeWorkspace());
    const rec = recorded('retrieve_database_database.json');
    const emu: any = await notion.databases.retrieve({ database_id: DB_ID });
    expect(Object.keys(emu).sort()).toEqual(keySet(rec, liveDatabase));
    expect(shapeDiff(rec, emu, '$', { $: ['archived', 'description', 'is_locked'] })).toEqual([]);
    expect(Object.keys(emu.data_sources[0]).sort()).toEqual(Object.keys(rec.data_sources[0]).sort());
  });

  it('query: envelope, page object, parent, and every recorded property value type', async () => {
    const { notion } = await start(recordedLikeWorkspace());
    const pages = ['query_data_source_limit_2.json', 'query_data_source_next_2.json', 'query_data_source_last_2.json'].map(recorded);
    const envelope = pages[0];
    const emu: any = await notion.dataSources.query({ data_source_id: DS_ID, page_size: 1 });
    expect(Object.keys(emu).sort()).toEqual(Object.keys(envelope).sort());
    expect(emu.type).toBe(envelope.type);
    expect(emu.next_cursor).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const recPage = envelope.results[0];
    const emuPage = emu.results[0];
    expect(Object.keys(emuPage).sort()).toEqual(keySet(recPage, livePage).filter((k) => k !== 'request_id'));
    expect(shapeDiff(recPage, emuPage, '$', { $: ['is_archived', 'is_locked'] })).toEqual([]);
    expect(Object.keys(emuPage.parent).sort()).toEqual(Object.keys(recPage.parent).sort());
    expect(emuPage.parent.type).toBe(recPage.parent.type);
    expect(emuPage.url).toMatch(/^https:\/\/www\.notion\.so\/[\w-]+-[0-9a-f]{32}$/);

    // the richest recorded value of each type, from every recorded page
    const recValues = new Map<string, any>();
    const allRecorded = [...pages.flatMap((p) => p.results), recorded('retrieve_page_wiki.json'), recorded('retrieve_page_with_many_relations.json')];
    for (const page of allRecorded) {
      for (const v of Object.values<any>(page.properties)) {
        const prev = recValues.get(v.type);
        if (prev === undefined || JSON.stringify(v).length > JSON.stringify(prev).length) recValues.set(v.type, v);
      }
    }
    const emuValues = new Map<string, any>(Object.values<any>(emuPage.properties).map((v) => [v.type, v]));
    for (const [type, recValue] of recValues) {
      const emuValue = emuValues.get(type);
      expect(emuValue, `property type ${type}`).toBeDefined();
      expect(shapeDiff(recValue, emuValue, type), type).toEqual([]);
    }
    expect(recValues.size).toBeGreaterThanOrEqual(20);
  });

  it('page retrieve: a relation cut at 25 ids with has_more, as recorded', async () => {
    const { notion } = await start(recordedLikeWorkspace());
    const rec = recorded('retrieve_page_with_many_relations.json');
    const emu: any = await notion.pages.retrieve({ page_id: PAGE });
    expect(Object.keys(emu).sort()).toEqual(keySet(rec, livePage));
    const recRelation: any = Object.values<any>(rec.properties).find((v) => v.type === 'relation');
    expect(recRelation.relation).toHaveLength(25);
    expect(recRelation.has_more).toBe(true);
    expect(emu.properties.Items.relation).toHaveLength(recRelation.relation.length);
    expect(emu.properties.Items.has_more).toBe(true);
    expect(shapeDiff(recRelation, emu.properties.Items)).toEqual([]);
    const wiki = recorded('retrieve_page_wiki.json');
    expect(shapeDiff(wiki, emu, '$', { $: ['is_archived', 'is_locked'], '$.parent': ['data_source_id'] }).filter((d) => !d.startsWith('$.parent'))).toEqual([]);
  });

  it('property items: relation list, paginated rich text with next_url, rollup', async () => {
    const { notion } = await start(recordedLikeWorkspace());
    const relation = recorded('retrieve_property_relation_with_many_relations.json');
    const emuRelation: any = await notion.pages.properties.retrieve({ page_id: PAGE, property_id: '%3Crel' });
    expect(Object.keys(emuRelation).sort()).toEqual(Object.keys(relation).sort());
    expect(shapeDiff(relation, emuRelation)).toEqual([]);
    expect(emuRelation.property_item).toEqual({ id: '%3Crel', next_url: null, type: 'relation', relation: {} });

    const richText = recorded('retrieve_property_rich_text_limit_5.json');
    const emuRich: any = await notion.pages.properties.retrieve({ page_id: PAGE, property_id: 'n%3Ate', page_size: 2 });
    expect(Object.keys(emuRich).sort()).toEqual(Object.keys(richText).sort());
    expect(shapeDiff(richText, emuRich)).toEqual([]);
    expect(emuRich.has_more).toBe(true);
    expect(emuRich.next_cursor).toMatch(/^[\w-]{6}$/);
    expect(richText.next_cursor).toMatch(/^[\w-]{6}$/);
    const urlShape = (url: string) => url.replace(/^https?:\/\/[^/]+/, '').replace(/[0-9a-f]{32}/, 'ID').replace(/start_cursor=[^&]+/, 'start_cursor=C').replace(/properties\/[^?]+/, 'properties/P').replace(/page_size=\d+/, 'page_size=N');
    expect(urlShape(emuRich.property_item.next_url)).toBe(urlShape(richText.property_item.next_url));

    const rollup = recorded('retrieve_property_rollup.json');
    const emuRollup: any = await notion.pages.properties.retrieve({ page_id: PAGE, property_id: 'rorg' });
    expect(Object.keys(emuRollup).sort()).toEqual(Object.keys(rollup).sort());
    expect(shapeDiff(rollup, emuRollup)).toEqual([]);
    expect(emuRollup.property_item.rollup).toEqual(rollup.property_item.rollup);
    expect(keysOf(emuRollup.results[0])).toEqual(keysOf(rollup.results[0]));
  });

  it('users list: envelope, person and bot', async () => {
    const { notion } = await start(recordedLikeWorkspace());
    const rec = recorded('retrieve_users_all.json');
    const emu: any = await notion.users.list({});
    expect(Object.keys(emu).sort()).toEqual(Object.keys(rec).sort());
    expect(shapeDiff(rec, emu)).toEqual([]);
    const recBot = rec.results.find((u: any) => u.type === 'bot');
    const emuBot = emu.results.find((u: any) => u.type === 'bot');
    expect(Object.keys(emuBot).sort()).toEqual(Object.keys(recBot).sort());
  });

  it('search: envelope and a data source hit', async () => {
    const { notion } = await start(recordedLikeWorkspace());
    const rec = recorded('search_sample_table.json');
    const emu: any = await notion.search({ query: 'Projects', filter: { property: 'object', value: 'data_source' } });
    expect(Object.keys(emu).sort()).toEqual(Object.keys(rec).sort());
    expect(Object.keys(emu.results[0]).sort()).toEqual(Object.keys(rec.results[0]).sort());
    expect(shapeDiff(rec, emu)).toEqual([]);
  });

  it('block children: envelope as recorded (with the request_id of live responses), cursor = next block id', async () => {
    const { notion } = await start(recordedLikeWorkspace());
    const rec = recorded('retrieve_block_children_block_test_page.json');
    const emu: any = await notion.blocks.children.list({ block_id: PAGE, page_size: 2 });
    expect(Object.keys(emu).sort()).toEqual(keySet(rec, liveBlocks));
    expect(emu.next_cursor).toBe(uid('bb000000', 3));
    expect(shapeDiff(liveBlocks, emu)).toEqual([]);
  });

  it('errors: the recorded 400 invalid_request_url and 401 unauthorized bodies', async () => {
    const { emu } = await start(recordedLikeWorkspace());
    const [invalidUrl, badToken] = cassette('test_api_response_error.yaml');
    const res = await raw(emu, '/v1/invalid');
    expect(res.status).toBe(invalidUrl!.body.status);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect({ ...res.json, request_id: 'x' }).toEqual({ ...invalidUrl!.body, request_id: 'x' });
    const unauthorized = await raw(emu, '/v1/users', { headers: { authorization: 'Bearer ntn_wrong', 'notion-version': '2025-09-03' } });
    expect({ ...unauthorized.json, request_id: 'x' }).toEqual({ ...badToken!.body, request_id: 'x' });
  });
});
