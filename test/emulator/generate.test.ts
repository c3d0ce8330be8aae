import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ALL_PROPERTY_TYPES,
  ALL_TYPES_PROPERTIES,
  ALL_TYPES_TITLES,
  DEMO_TITLES,
  allTypesIds,
  allTypesWorkspace,
  demoWorkspace,
  generateWorkspace,
  scaleWorkspace,
} from '../../src/emulator/generate.js';
import { loadWorkspace, saveWorkspace, workspaceFromSpec } from '../../src/emulator/seed.js';
import type { EmuPage, EmuPropertyValue, Json, JsonObject, Workspace } from '../../src/emulator/workspace.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const MINUTE_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000Z$/;
const CONTAINER_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2})$/;

type O = Record<string, unknown>;
const obj = (v: unknown): O => {
  expect(v !== null && typeof v === 'object' && !Array.isArray(v), `expected an object, got ${JSON.stringify(v)}`).toBe(true);
  return v as O;
};
const arr = (v: unknown): unknown[] => {
  expect(Array.isArray(v), `expected an array, got ${JSON.stringify(v)}`).toBe(true);
  return v as unknown[];
};
const keys = (v: unknown): string[] => Object.keys(obj(v)).sort();

function checkAnnotations(a: unknown): void {
  expect(keys(a)).toEqual(['bold', 'code', 'color', 'italic', 'strikethrough', 'underline']);
  const o = obj(a);
  for (const k of ['bold', 'code', 'italic', 'strikethrough', 'underline']) expect(typeof o[k]).toBe('boolean');
  expect(typeof o['color']).toBe('string');
}

function checkUser(u: unknown, full: boolean): void {
  const o = obj(u);
  if (o['object'] === 'group') {
    expect(keys(o)).toEqual(['id', 'name', 'object']);
    return;
  }
  expect(o['object']).toBe('user');
  expect(o['id']).toMatch(UUID);
  if (!full) return;
  if (o['type'] === 'person') {
    expect(keys(o)).toEqual(['avatar_url', 'id', 'name', 'object', 'person', 'type']);
    expect(keys(o['person'])).toEqual(['email']);
    expect(String(obj(o['person'])['email'])).toMatch(/^[a-z.0-9]+@example\.com$/);
  } else {
    expect(o['type']).toBe('bot');
    expect(keys(o)).toEqual(['avatar_url', 'bot', 'id', 'name', 'object', 'type']);
    expect(o['avatar_url']).toBeNull();
  }
}

function checkDate(d: unknown): void {
  expect(keys(d)).toEqual(['end', 'start', 'time_zone']);
  const o = obj(d);
  const start = String(o['start']);
  expect(DATE_ONLY.test(start) || DATETIME_OFFSET.test(start), start).toBe(true);
  if (o['end'] !== null) {
    const end = String(o['end']);
    expect(DATE_ONLY.test(start) ? DATE_ONLY.test(end) : DATETIME_OFFSET.test(end), end).toBe(true);
    expect(Date.parse(end)).toBeGreaterThanOrEqual(Date.parse(start));
  }
  if (o['time_zone'] !== null) expect(typeof o['time_zone']).toBe('string');
}

function checkRichItem(item: unknown): void {
  const o = obj(item);
  expect(typeof o['plain_text']).toBe('string');
  checkAnnotations(o['annotations']);
  expect(o['href'] === null || typeof o['href'] === 'string').toBe(true);
  if (o['type'] === 'text') {
    expect(keys(o)).toEqual(['annotations', 'href', 'plain_text', 'text', 'type']);
    const t = obj(o['text']);
    expect(keys(t)).toEqual(['content', 'link']);
    expect(t['content']).toBe(o['plain_text']);
    if (t['link'] !== null) {
      expect(keys(t['link'])).toEqual(['url']);
      expect(obj(t['link'])['url']).toBe(o['href']);
    } else expect(o['href']).toBeNull();
  } else if (o['type'] === 'mention') {
    expect(keys(o)).toEqual(['annotations', 'href', 'mention', 'plain_text', 'type']);
    const m = obj(o['mention']);
    expect(keys(m)).toEqual([String(m['type']), 'type'].sort());
    if (m['type'] === 'user') {
      checkUser(m['user'], true);
      expect(o['plain_text']).toBe(`@${String(obj(m['user'])['name'])}`);
    } else if (m['type'] === 'page') {
      expect(keys(m['page'])).toEqual(['id']);
      const id = String(obj(m['page'])['id']);
      expect(id).toMatch(UUID);
      expect(o['href']).toBe(`https://www.notion.so/${id.replace(/-/g, '')}`);
    } else {
      expect(m['type']).toBe('date');
      checkDate(m['date']);
    }
  } else {
    expect(o['type']).toBe('equation');
    expect(keys(o['equation'])).toEqual(['expression']);
  }
}

function checkOption(v: unknown): void {
  expect(keys(v)).toEqual(['color', 'id', 'name']);
}

/** Asserts the documented value shape of one page property; returns a coverage tag. */
function checkValue(v: EmuPropertyValue, schema: JsonObject): string {
  const type = v.type;
  const val = v[type];
  const cfg = schema[type] as JsonObject;
  const expectedKeys = type === 'relation' ? ['has_more', 'id', 'relation', 'type'] : ['id', type, 'type'].sort();
  expect(Object.keys(v).sort(), `${type} value keys`).toEqual(expectedKeys);
  switch (type) {
    case 'title':
    case 'rich_text':
      arr(val).forEach(checkRichItem);
      return arr(val).length ? type : `${type}:empty`;
    case 'number':
      expect(val === null || typeof val === 'number').toBe(true);
      return val === null ? 'number:null' : 'number';
    case 'select':
    case 'status': {
      if (val === null) return `${type}:null`;
      checkOption(val);
      const opts = arr(cfg['options']).map((o) => obj(o)['id']);
      expect(opts).toContain(obj(val)['id']);
      return type;
    }
    case 'multi_select':
      arr(val).forEach(checkOption);
      return arr(val).length ? type : `${type}:empty`;
    case 'date':
      if (val === null) return 'date:null';
      checkDate(val);
      return DATE_ONLY.test(String(obj(val)['start'])) ? 'date:date-only' : obj(val)['time_zone'] !== null ? 'date:time_zone' : 'date:datetime';
    case 'people':
      arr(val).forEach((u) => checkUser(u, true));
      return arr(val).length ? type : `${type}:empty`;
    case 'files':
      for (const f of arr(val)) {
        const o = obj(f);
        if (o['type'] === 'file') {
          expect(keys(o)).toEqual(['file', 'name', 'type']);
          expect(keys(o['file'])).toEqual(['expiry_time', 'url']);
          expect(String(obj(o['file'])['url'])).toMatch(/^https:\/\/prod-files-secure\.s3\.us-west-2\.amazonaws\.com\/.+X-Amz-Expires=3600/);
          expect(String(obj(o['file'])['expiry_time'])).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        } else {
          expect(o['type']).toBe('external');
          expect(keys(o)).toEqual(['external', 'name', 'type']);
          expect(keys(o['external'])).toEqual(['url']);
        }
      }
      return arr(val).length ? arr(val).map((f) => `files:${String(obj(f)['type'])}`).sort()[0]! : 'files:empty';
    case 'checkbox':
      expect(typeof val).toBe('boolean');
      return `checkbox:${String(val)}`;
    case 'url':
    case 'email':
    case 'phone_number':
      expect(val === null || typeof val === 'string').toBe(true);
      if (type === 'url' && val !== null) expect(String(val)).toMatch(/^https:\/\//);
      if (type === 'email' && val !== null) expect(String(val)).toContain('@');
      return val === null ? `${type}:null` : type;
    case 'formula': {
      const o = obj(val);
      const t = String(o['type']);
      expect(['string', 'number', 'boolean', 'date']).toContain(t);
      expect(keys(o)).toEqual([t, 'type'].sort());
      if (t === 'date' && o['date'] !== null) checkDate(o['date']);
      if (t !== 'date' && o[t] !== null) expect(typeof o[t]).toBe(t);
      expect(typeof cfg['expression']).toBe('string');
      return `formula:${t}`;
    }
    case 'relation':
      arr(val).forEach((r) => {
        expect(keys(r)).toEqual(['id']);
        expect(obj(r)['id']).toMatch(UUID);
      });
      expect(v['has_more']).toBe(false);
      return arr(val).length ? type : `${type}:empty`;
    case 'rollup':
      expect(val).toEqual({ type: 'array', array: [], function: cfg['function'] });
      return `rollup:${String(cfg['function'])}`;
    case 'created_time':
    case 'last_edited_time':
      expect(String(val)).toMatch(MINUTE_ISO);
      return type;
    case 'created_by':
    case 'last_edited_by':
      checkUser(val, true);
      return type;
    case 'unique_id':
      expect(keys(val)).toEqual(['number', 'prefix']);
      expect(obj(val)['prefix']).toBe(cfg['prefix']);
      expect(Number.isInteger(obj(val)['number'])).toBe(true);
      return type;
    case 'verification': {
      const o = obj(val);
      expect(keys(o)).toEqual(['date', 'state', 'verified_by']);
      expect(['verified', 'expired', 'unverified']).toContain(o['state']);
      if (o['state'] === 'unverified') {
        expect(o['date']).toBeNull();
        expect(o['verified_by']).toBeNull();
      } else {
        checkUser(o['verified_by'], true);
        checkDate(o['date']);
      }
      return `verification:${String(o['state'])}`;
    }
    case 'button':
      expect(val).toEqual({});
      return type;
    case 'place':
      if (val === null) return 'place:null';
      expect(typeof obj(val)['lat']).toBe('number');
      expect(typeof obj(val)['lon']).toBe('number');
      expect(typeof obj(val)['name']).toBe('string');
      return type;
    default:
      throw new Error(`unexpected property type ${type}`);
  }
}

function dsPages(ws: Workspace, dsId: string): EmuPage[] {
  return ws.pages.filter((p) => p.data_source_id === dsId);
}

function page(ws: Workspace, id: string): EmuPage {
  const p = ws.pages.find((x) => x.id === id);
  if (!p) throw new Error(`no page ${id}`);
  return p;
}

function title(p: EmuPage): string {
  const t = Object.values(p.properties).find((v) => v.type === 'title')!;
  return (t['title'] as Array<{ plain_text: string }>).map((x) => x.plain_text).join('');
}

let ws: Workspace;
let ids: ReturnType<typeof allTypesIds>;
beforeAll(() => {
  ws = allTypesWorkspace();
  ids = allTypesIds(ws);
});

describe('determinism', () => {
  it('gives byte-identical JSON for the same seed and different JSON for another seed', () => {
    const a = JSON.stringify(allTypesWorkspace());
    expect(JSON.stringify(allTypesWorkspace())).toBe(a);
    expect(JSON.stringify(ws)).toBe(a);
    const b = JSON.stringify(allTypesWorkspace({ seed: 2 }));
    expect(b).not.toBe(a);
    expect(JSON.stringify(allTypesWorkspace({ seed: 2 }))).toBe(b);
    const spec = { seed: 9, databases: [{ title: 'X', dataSources: [{ title: 'X', pages: 30 }, { title: 'Y', pages: 5, kind: 'simple' as const }] }] };
    expect(JSON.stringify(generateWorkspace(spec))).toBe(JSON.stringify(generateWorkspace(spec)));
    expect(JSON.stringify(scaleWorkspace({ dataSources: 2, pagesEach: 500, seed: 3 }))).toBe(
      JSON.stringify(scaleWorkspace({ dataSources: 2, pagesEach: 500, seed: 3 })),
    );
  });

  it('uses no ambient randomness or clock', () => {
    const random = vi.spyOn(Math, 'random');
    const now = vi.spyOn(Date, 'now');
    const uuid = vi.spyOn(globalThis.crypto, 'randomUUID');
    try {
      allTypesWorkspace({ seed: 5 });
      scaleWorkspace({ dataSources: 1, pagesEach: 100, kind: 'all-types' });
      expect(random).not.toHaveBeenCalled();
      expect(now).not.toHaveBeenCalled();
      expect(uuid).not.toHaveBeenCalled();
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('produces unique lowercase v4-shaped ids everywhere', () => {
    const all = [
      ...ws.users.map((u) => u.id),
      ...ws.databases.map((d) => d.id),
      ...ws.dataSources.map((d) => d.id),
      ...ws.pages.map((p) => p.id),
      ...Object.values(ws.blocks).flat().map((b) => String(b['id'])),
      ...Object.values(ws.comments).flat().map((c) => String(c['id'])),
    ];
    for (const id of all) expect(id).toMatch(UUID);
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('users', () => {
  it('has persons and one or two bots in the recorded shapes', () => {
    const persons = ws.users.filter((u) => u.type === 'person');
    const bots = ws.users.filter((u) => u.type === 'bot');
    expect(persons).toHaveLength(40);
    expect(bots.length).toBeGreaterThanOrEqual(1);
    expect(bots.length).toBeLessThanOrEqual(2);
    for (const u of ws.users) checkUser(u, true);
    expect(new Set(persons.map((u) => (u['person'] as { email: string }).email)).size).toBe(40);
    expect(generateWorkspace({ users: 7, databases: [] }).users.filter((u) => u.type === 'person')).toHaveLength(7);
  });
});

describe('all-types schema', () => {
  it('holds every property type with its documented config', () => {
    const ds = ws.dataSources.find((d) => d.id === ids.projectsDataSourceId)!;
    const props = Object.values(ds.properties);
    const types = new Set(props.map((p) => p.type));
    for (const t of ALL_PROPERTY_TYPES) expect(types, t).toContain(t);
    const formulas = props.filter((p) => p.type === 'formula');
    expect(formulas.length).toBeGreaterThanOrEqual(4);
    for (const p of props) {
      expect(Object.keys(p).sort()).toEqual(['description', 'id', 'name', p.type, 'type'].sort());
      expect(p.description).toBeNull();
      expect(ds.properties[p.name]).toBe(p);
    }
    const byType = (t: string) => props.filter((p) => p.type === t);
    expect(byType('title')).toHaveLength(1);
    expect(byType('title')[0]!.id).toBe('title');
    for (const p of byType('number')) expect(typeof (p['number'] as JsonObject)['format']).toBe('string');
    for (const t of ['select', 'multi_select', 'status']) {
      for (const p of byType(t)) {
        const opts = arr((p[t] as JsonObject)['options']);
        expect(opts.length).toBeGreaterThan(1);
        for (const o of opts) expect(keys(o)).toEqual(['color', 'description', 'id', 'name']);
      }
    }
    const status = byType('status')[0]!['status'] as JsonObject;
    const optionIds = arr(status['options']).map((o) => obj(o)['id']);
    const grouped = arr(status['groups']).flatMap((g) => {
      expect(keys(g)).toEqual(['color', 'id', 'name', 'option_ids']);
      return arr(obj(g)['option_ids']);
    });
    expect([...grouped].sort()).toEqual([...optionIds].sort());
    for (const p of formulas) expect(keys(p['formula'])).toEqual(['expression']);
    expect(byType('unique_id')[0]!['unique_id']).toEqual({ prefix: expect.any(String) });
    for (const t of ['checkbox', 'date', 'people', 'files', 'url', 'email', 'phone_number', 'created_time', 'last_edited_time', 'created_by', 'last_edited_by', 'verification', 'button', 'place', 'rich_text', 'title']) {
      for (const p of byType(t)) expect(p[t]).toEqual({});
    }
  });

  it('uses short, URL-encoded, unique property ids and names with spaces and punctuation', () => {
    for (const ds of ws.dataSources) {
      const props = Object.values(ds.properties);
      expect(new Set(props.map((p) => p.id)).size).toBe(props.length);
      for (const p of props) {
        if (p.id === 'title' || p.id === 'verification') continue;
        const raw = decodeURIComponent(p.id);
        expect(raw).toHaveLength(4);
        expect(encodeURIComponent(raw)).toBe(p.id);
      }
    }
    const ids2 = Object.values(ws.dataSources[0]!.properties).map((p) => p.id);
    expect(ids2.some((id) => id.includes('%'))).toBe(true);
    const names = Object.keys(ws.dataSources[0]!.properties);
    expect(names).toContain('Due date');
    expect(names).toContain('Status');
    expect(names.some((n) => /[()?&-]/.test(n))).toBe(true);
  });

  it('configures the relation and rollups the way the recording does', () => {
    const projects = ws.dataSources.find((d) => d.id === ids.projectsDataSourceId)!;
    const tasks = ws.dataSources.find((d) => d.id === ids.tasksDataSourceId)!;
    const rel = projects.properties[ids.relationProperty]!;
    expect(rel.type).toBe('relation');
    expect(rel['relation']).toEqual({ database_id: ids.tasksDatabaseId, data_source_id: tasks.id, type: 'single_property', single_property: {} });
    const sum = projects.properties[ids.rollupSumProperty]!['rollup'] as JsonObject;
    expect(keys(sum)).toEqual(['function', 'relation_property_id', 'relation_property_name', 'rollup_property_id', 'rollup_property_name']);
    expect(sum['function']).toBe('sum');
    expect(sum['relation_property_name']).toBe(ids.relationProperty);
    expect(sum['relation_property_id']).toBe(decodeURIComponent(rel.id));
    const target = tasks.properties[String(sum['rollup_property_name'])]!;
    expect(target.type).toBe('number');
    expect(sum['rollup_property_id']).toBe(decodeURIComponent(target.id));
    const show = projects.properties[ids.rollupShowProperty]!['rollup'] as JsonObject;
    expect(show['function']).toBe('show_original');
    expect(tasks.properties[String(show['rollup_property_name'])]).toBeDefined();
    // Tasks relates back to Projects (the first other data source).
    const back = Object.values(tasks.properties).find((p) => p.type === 'relation')!;
    expect((back['relation'] as JsonObject)['data_source_id']).toBe(projects.id);
  });

  it('relates a lone all-types data source to itself and honours relatesTo', () => {
    const lone = generateWorkspace({ databases: [{ title: 'Solo', dataSources: [{ title: 'Solo', pages: 12 }] }] });
    const ds = lone.dataSources[0]!;
    const rel = Object.values(ds.properties).find((p) => p.type === 'relation')!;
    expect((rel['relation'] as JsonObject)['data_source_id']).toBe(ds.id);
    for (const p of lone.pages) {
      for (const r of p.properties[rel.name]!['relation'] as Array<{ id: string }>) expect(r.id).not.toBe(p.id);
    }
    const two = generateWorkspace({
      databases: [
        { title: 'A', dataSources: [{ title: 'A', pages: 3, kind: 'simple' }, { title: 'B', pages: 3, relatesTo: 'C' }] },
        { title: 'C', dataSources: [{ title: 'C', pages: 3, kind: 'simple' }] },
      ],
    });
    const b = two.dataSources[1]!;
    const relB = Object.values(b.properties).find((p) => p.type === 'relation')!;
    expect((relB['relation'] as JsonObject)['data_source_id']).toBe(two.dataSources[2]!.id);
    expect(() => generateWorkspace({ databases: [{ title: 'A', dataSources: [{ title: 'A', pages: 1, relatesTo: 'Nope' }] }] })).toThrow(/Nope/);
  });

  it('has a small schema for simple data sources', () => {
    const archive = ws.dataSources.find((d) => d.id === ids.archiveDataSourceId)!;
    expect(Object.values(archive.properties).map((p) => p.type).sort()).toEqual(['checkbox', 'date', 'number', 'rich_text', 'select', 'title']);
  });
});

describe('page values', () => {
  it('gives every page a value of the documented shape for every schema property', () => {
    const coverage = new Set<string>();
    for (const ds of ws.dataSources) {
      const schemaIds = Object.values(ds.properties).map((p) => p.id);
      for (const p of dsPages(ws, ds.id)) {
        expect(Object.keys(p.properties)).toEqual(Object.keys(ds.properties));
        expect(Object.values(p.properties).map((v) => v.id)).toEqual(schemaIds);
        for (const [name, v] of Object.entries(p.properties)) {
          expect(v.type).toBe(ds.properties[name]!.type);
          coverage.add(checkValue(v, ds.properties[name]!));
        }
      }
    }
    const expected = [
      'title', 'title:empty', 'rich_text', 'rich_text:empty', 'number', 'number:null', 'select', 'select:null', 'status',
      'multi_select', 'multi_select:empty', 'date:date-only', 'date:datetime', 'date:time_zone', 'date:null', 'people',
      'people:empty', 'files:file', 'files:external', 'files:empty', 'checkbox:true', 'checkbox:false', 'url', 'url:null',
      'email', 'email:null', 'phone_number', 'phone_number:null', 'formula:string', 'formula:number', 'formula:boolean',
      'formula:date', 'relation', 'relation:empty', 'rollup:sum', 'rollup:show_original', 'created_time', 'last_edited_time',
      'created_by', 'last_edited_by', 'unique_id', 'verification:verified', 'verification:unverified', 'verification:expired',
      'button', 'place', 'place:null',
    ];
    for (const tag of expected) expect(coverage, tag).toContain(tag);
  });

  it('varies rich text: annotations, links, user/page/date mentions, equations', () => {
    const items = ws.pages.flatMap((p) =>
      Object.values(p.properties).flatMap((v) => (v.type === 'rich_text' || v.type === 'title' ? (v[v.type] as JsonObject[]) : [])),
    );
    const kinds = new Set(items.map((i) => (i['type'] === 'mention' ? `mention:${String((i['mention'] as JsonObject)['type'])}` : String(i['type']))));
    for (const k of ['text', 'mention:user', 'mention:page', 'mention:date', 'equation']) expect(kinds).toContain(k);
    expect(items.some((i) => (i['annotations'] as JsonObject)['bold'] === true)).toBe(true);
    expect(items.some((i) => (i['annotations'] as JsonObject)['color'] !== 'default')).toBe(true);
    expect(items.some((i) => i['href'] !== null && i['type'] === 'text')).toBe(true);
    const titles = new Map(ws.pages.map((p) => [p.id, title(p)]));
    for (const i of items) {
      if (i['type'] === 'mention' && (i['mention'] as JsonObject)['type'] === 'page') {
        const id = String(((i['mention'] as JsonObject)['page'] as JsonObject)['id']);
        expect(titles.has(id), id).toBe(true);
        expect(i['plain_text']).toBe(titles.get(id) || 'Untitled');
      }
    }
  });

  it('computes formulas from the page values and matches created/edited properties to the page', () => {
    const P = ALL_TYPES_PROPERTIES;
    const users = new Map(ws.users.map((u) => [u.id, u]));
    for (const p of dsPages(ws, ids.projectsDataSourceId)) {
      const f = (name: string) => p.properties[name]!['formula'] as JsonObject;
      const priority = (p.properties[P.priority]!['select'] as JsonObject | null)?.['name'] ?? '';
      expect(f(P.label)).toEqual({ type: 'string', string: `${title(p)} · ${String(priority)}` });
      const budget = p.properties[P.budget]!['number'] as number | null;
      expect(f(P.overBudget)).toEqual({ type: 'boolean', boolean: budget !== null && budget > 50000 });
      expect(p.properties[P.created]!['created_time']).toBe(p.created_time);
      expect(p.properties[P.edited]!['last_edited_time']).toBe(p.last_edited_time);
      expect((p.properties[P.createdBy]!['created_by'] as JsonObject)['id']).toBe(p.created_by['id']);
      expect((p.properties[P.editedBy]!['last_edited_by'] as JsonObject)['id']).toBe(p.last_edited_by['id']);
      expect(users.has(String(p.created_by['id']))).toBe(true);
      expect(p.created_by).toEqual({ object: 'user', id: p.created_by['id'] });
    }
  });

  it('numbers unique ids 1..N per data source', () => {
    for (const dsId of [ids.projectsDataSourceId, ids.tasksDataSourceId]) {
      const numbers = dsPages(ws, dsId).map((p) => (p.properties[ALL_TYPES_PROPERTIES.uid]!['unique_id'] as JsonObject)['number']);
      expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    }
  });

  it('relates only to existing pages of the target data source', () => {
    for (const w of [ws, demoWorkspace()]) {
      let checked = 0;
      for (const ds of w.dataSources) {
        for (const prop of Object.values(ds.properties).filter((p) => p.type === 'relation')) {
          const target = new Set(dsPages(w, String((prop['relation'] as JsonObject)['data_source_id'])).map((p) => p.id));
          expect(target.size).toBeGreaterThan(0);
          for (const p of dsPages(w, ds.id)) {
            const rel = p.properties[prop.name]!['relation'] as Array<{ id: string }>;
            expect(new Set(rel.map((r) => r.id)).size).toBe(rel.length);
            for (const r of rel) {
              expect(target).toContain(r.id);
              checked++;
            }
          }
        }
      }
      expect(checked).toBeGreaterThan(100);
    }
  });
});

describe('edge cases of allTypesWorkspace', () => {
  it('has the Projects, Tasks (two data sources) and unshared Secret databases', () => {
    const tasksDb = ws.databases.find((d) => d.id === ids.tasksDatabaseId)!;
    expect(tasksDb.data_source_ids).toEqual([ids.tasksDataSourceId, ids.archiveDataSourceId]);
    expect(dsPages(ws, ids.projectsDataSourceId)).toHaveLength(40);
    expect(dsPages(ws, ids.tasksDataSourceId).length).toBeGreaterThanOrEqual(60);
    const secretDb = ws.databases.find((d) => d.id === ids.secretDatabaseId)!;
    expect(secretDb.shared).toBe(false);
    expect(ws.dataSources.find((d) => d.id === ids.secretDataSourceId)!.shared).toBe(false);
    const secretPages = dsPages(ws, ids.secretDataSourceId);
    expect(secretPages.length).toBeGreaterThan(0);
    for (const p of secretPages) expect(p.shared).toBe(false);
    for (const p of ws.pages.filter((x) => x.data_source_id !== ids.secretDataSourceId)) expect(p.shared).toBe(true);
  });

  it('holds 60 and exactly 25 related ids, with rollups over them', () => {
    const p60 = page(ws, ids.relation60PageId);
    expect(title(p60)).toBe(ALL_TYPES_TITLES.relationMany);
    expect(p60.properties[ids.relationProperty]!['relation']).toHaveLength(60);
    expect(p60.properties[ids.rollupSumProperty]!['rollup']).toEqual({ type: 'array', array: [], function: 'sum' });
    expect(page(ws, ids.relation25PageId).properties[ids.relationProperty]!['relation']).toHaveLength(25);
    const others = dsPages(ws, ids.projectsDataSourceId).filter((p) => p.id !== ids.relation60PageId && p.id !== ids.relation25PageId);
    for (const p of others) expect((p.properties[ids.relationProperty]!['relation'] as Json[]).length).toBeLessThan(25);
  });

  it('holds 30 and exactly 25 people, distinct and real', () => {
    const userIds = new Set(ws.users.map((u) => u.id));
    for (const [id, n] of [[ids.people30PageId, 30], [ids.people25PageId, 25]] as const) {
      const people = page(ws, id).properties[ids.peopleProperty]!['people'] as JsonObject[];
      expect(people).toHaveLength(n);
      expect(new Set(people.map((u) => u['id'])).size).toBe(n);
      for (const u of people) {
        checkUser(u, true);
        expect(userIds).toContain(u['id']);
      }
    }
    const others = ws.pages.filter((p) => p.id !== ids.people30PageId && p.id !== ids.people25PageId);
    for (const p of others) {
      const v = p.properties[ids.peopleProperty];
      if (v) expect((v['people'] as Json[]).length).toBeLessThan(25);
    }
  });

  it('holds 30 mention items in one rich_text value', () => {
    const items = page(ws, ids.mentions30PageId).properties[ids.mentionsProperty]!['rich_text'] as JsonObject[];
    expect(items.filter((i) => i['type'] === 'mention')).toHaveLength(30);
    items.forEach(checkRichItem);
    const kinds = new Set(items.filter((i) => i['type'] === 'mention').map((i) => (i['mention'] as JsonObject)['type']));
    expect(kinds).toEqual(new Set(['user', 'page', 'date']));
  });

  it('has exactly one trashed page', () => {
    const trashed = ws.pages.filter((p) => p.in_trash);
    expect(trashed.map((p) => p.id)).toEqual([ids.trashedPageId]);
    expect(title(trashed[0]!)).toBe(ALL_TYPES_TITLES.trashed);
  });

  it('finds the special ids for any seed', () => {
    const other = allTypesWorkspace({ seed: 77 });
    const o = allTypesIds(other);
    expect(o.relation60PageId).not.toBe(ids.relation60PageId);
    expect(page(other, o.relation60PageId).properties[o.relationProperty]!['relation']).toHaveLength(60);
    expect(() => allTypesIds(scaleWorkspace({ dataSources: 1, pagesEach: 1 }))).toThrow(/Projects/);
  });
});

describe('timestamps', () => {
  it('rounds page times to the minute, ascending, never more than pagesPerMinute per minute', () => {
    const w = generateWorkspace({
      start: '2024-03-05T10:17:42.123Z',
      databases: [
        { title: 'A', dataSources: [{ title: 'A', pages: 50, pagesPerMinute: 2 }, { title: 'B', pages: 40, kind: 'simple', pagesPerMinute: 5 }] },
        { title: 'C', dataSources: [{ title: 'C', pages: 30, kind: 'simple' }] },
      ],
    });
    const limits = new Map([[w.dataSources[0]!.id, 2], [w.dataSources[1]!.id, 5], [w.dataSources[2]!.id, 3]]);
    for (const ds of w.dataSources) {
      const pages = dsPages(w, ds.id);
      const limit = limits.get(ds.id)!;
      expect(pages[0]!.created_time).toBe('2024-03-05T10:17:00.000Z');
      const perMinute = new Map<string, number>();
      let prev = '';
      for (const p of pages) {
        expect(p.created_time).toMatch(MINUTE_ISO);
        expect(p.last_edited_time).toMatch(MINUTE_ISO);
        expect(p.created_time >= prev).toBe(true);
        prev = p.created_time;
        expect(Date.parse(p.last_edited_time)).toBeGreaterThanOrEqual(Date.parse(p.created_time));
        perMinute.set(p.created_time, (perMinute.get(p.created_time) ?? 0) + 1);
      }
      expect(Math.max(...perMinute.values())).toBe(limit);
      expect(ds.created_time).toMatch(MINUTE_ISO);
      expect(ds.last_edited_time).toMatch(MINUTE_ISO);
      expect(ds.created_time < pages[0]!.created_time).toBe(true);
    }
    for (const db of w.databases) {
      expect(db.created_time).toMatch(CONTAINER_ISO);
      expect(db.last_edited_time).toMatch(CONTAINER_ISO);
      expect(db.last_edited_time >= db.created_time).toBe(true);
    }
    expect(w.pages.some((p) => p.last_edited_time !== p.created_time)).toBe(true);
    expect(w.pages.some((p) => p.last_edited_time === p.created_time)).toBe(true);
    expect(() => generateWorkspace({ databases: [{ title: 'A', dataSources: [{ title: 'A', pages: 1, pagesPerMinute: 0 }] }] })).toThrow(/pagesPerMinute/);
  });
});

describe('blocks and comments', () => {
  it('gives every all-types page a few blocks in the Notion block shape, and some pages comments', () => {
    const allTypes = new Set([ids.projectsDataSourceId, ids.tasksDataSourceId]);
    const blockTypes = new Set<string>();
    let nested = 0;
    for (const p of ws.pages) {
      const blocks = ws.blocks[p.id];
      if (!allTypes.has(p.data_source_id)) {
        expect(blocks).toBeUndefined();
        expect(ws.comments[p.id]).toBeUndefined();
        continue;
      }
      expect(blocks!.length).toBeGreaterThanOrEqual(3);
      const check = (b: JsonObject, parent: JsonObject): void => {
        const type = String(b['type']);
        blockTypes.add(type);
        expect(Object.keys(b).sort()).toEqual(
          ['archived', 'created_by', 'created_time', 'has_children', 'id', 'in_trash', 'last_edited_by', 'last_edited_time', 'object', 'parent', 'type', type].sort(),
        );
        expect(b['object']).toBe('block');
        expect(b['parent']).toEqual(parent);
        expect(String(b['created_time'])).toMatch(MINUTE_ISO);
        expect(String(b['last_edited_time'])).toMatch(MINUTE_ISO);
        expect(String(b['created_time']) >= p.created_time).toBe(true);
        checkUser(b['created_by'], false);
        arr((b[type] as JsonObject)['rich_text']).forEach(checkRichItem);
        const kids = ws.blocks[String(b['id'])];
        expect(b['has_children']).toBe(kids !== undefined);
        if (kids) {
          nested++;
          for (const k of kids) check(k, { type: 'block_id', block_id: b['id'] as string });
        }
      };
      for (const b of blocks!) check(b, { type: 'page_id', page_id: p.id });
    }
    for (const t of ['paragraph', 'heading_1', 'to_do', 'bulleted_list_item']) expect(blockTypes).toContain(t);
    expect(nested).toBeGreaterThan(0);
    const commented = Object.keys(ws.comments);
    expect(commented.length).toBeGreaterThan(5);
    for (const [pageId, comments] of Object.entries(ws.comments)) {
      for (const c of comments) {
        expect(Object.keys(c).sort()).toEqual(['created_by', 'created_time', 'discussion_id', 'id', 'last_edited_time', 'object', 'parent', 'rich_text']);
        expect(c['object']).toBe('comment');
        expect(c['parent']).toEqual({ type: 'page_id', page_id: pageId });
        expect(String(c['created_time'])).toMatch(MINUTE_ISO);
        arr(c['rich_text']).forEach(checkRichItem);
      }
    }
  });
});

describe('scale and demo', () => {
  it('generates 3 x 10,000 pages, without blocks or comments', () => {
    // No timing here: a loaded machine would fail a timed assertion (speed belongs in bench/).
    const big = scaleWorkspace({ dataSources: 3, pagesEach: 10_000 });
    expect(big.pages).toHaveLength(30_000);
    expect(big.dataSources).toHaveLength(3);
    expect(Object.keys(big.blocks)).toHaveLength(0);
    expect(Object.keys(big.comments)).toHaveLength(0);
    expect(new Set(big.pages.map((p) => p.id)).size).toBe(30_000);
    for (const ds of big.dataSources) {
      const counts = new Map<string, number>();
      for (const p of dsPages(big, ds.id)) counts.set(p.created_time, (counts.get(p.created_time) ?? 0) + 1);
      expect(Math.max(...counts.values())).toBe(3);
      expect(counts.size).toBe(Math.ceil(10_000 / 3));
    }
    const allTypesScale = scaleWorkspace({ dataSources: 1, pagesEach: 200, kind: 'all-types' });
    expect(Object.values(allTypesScale.dataSources[0]!.properties).some((p) => p.type === 'rollup')).toBe(true);
    expect(Object.keys(allTypesScale.blocks)).toHaveLength(0);
  });

  it('builds the demo workspace: related databases, a relation past 100, a few thousand rows', () => {
    const demo = demoWorkspace();
    expect(demo.pages.length).toBeGreaterThan(2000);
    expect(demo.pages.length).toBeLessThan(5000);
    const types = new Set(demo.dataSources.flatMap((d) => Object.values(d.properties).map((p) => p.type)));
    for (const t of ALL_PROPERTY_TYPES) expect(types).toContain(t);
    const projects = demo.dataSources.find((d) => d.title[0]?.['plain_text'] === 'Projects')!;
    const rel = Object.values(projects.properties).find((p) => p.type === 'relation')!;
    const big = demo.pages.find((p) => p.data_source_id === projects.id && title(p) === DEMO_TITLES.relationMany)!;
    expect(big.properties[rel.name]!['relation']).toHaveLength(130);
    expect(demo.databases.some((d) => !d.shared)).toBe(true);
    expect(demo.databases.some((d) => d.data_source_ids.length === 2)).toBe(true);
    expect(demo.pages.filter((p) => p.in_trash)).toHaveLength(1);
  });
});

describe('seed files and specs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'notion-stream-seed-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips a workspace through a seed file', async () => {
    const path = join(dir, 'nested', 'ws.json');
    await saveWorkspace(path, ws);
    const loaded = await loadWorkspace(path);
    expect(loaded).toEqual(ws);
    expect(JSON.stringify(loaded)).toBe(JSON.stringify(ws));
    expect(allTypesIds(loaded)).toEqual(ids);
  });

  it('says what is wrong with a bad seed file, naming the path', async () => {
    const bad = async (name: string, content: string, message: RegExp): Promise<void> => {
      const path = join(dir, name);
      await writeFile(path, content);
      const err = await loadWorkspace(path).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(err, name).toBeInstanceOf(Error);
      expect(err!.message).toContain(path);
      expect(err!.message).toMatch(message);
    };
    await bad('notjson.json', '{"token": ', /not valid JSON/);
    await bad('array.json', '[]', /JSON object at the top level/);
    const good = JSON.parse(JSON.stringify(scaleWorkspace({ dataSources: 1, pagesEach: 3 }))) as Record<string, unknown>;
    await bad('nopages.json', JSON.stringify({ ...good, pages: {} }), /"pages" must be an array/);
    await bad('notoken.json', JSON.stringify({ ...good, token: 5 }), /"token"/);
    await bad('noblocks.json', JSON.stringify({ ...good, blocks: [] }), /"blocks" must be an object/);
    const pages = good['pages'] as Array<Record<string, unknown>>;
    await bad('orphan.json', JSON.stringify({ ...good, pages: [{ ...pages[0], data_source_id: 'nope' }] }), /pages\[0\]\.data_source_id.*nope/);
    await bad('pageprops.json', JSON.stringify({ ...good, pages: [{ ...pages[0], properties: null }] }), /pages\[0\]\.properties/);
    const missing = join(dir, 'missing.json');
    await expect(loadWorkspace(missing)).rejects.toThrow(missing);
  });

  it('parses workspace specs and rejects unknown ones with the valid list', () => {
    const a = workspaceFromSpec('all-types');
    expect(JSON.stringify(a)).toBe(JSON.stringify(ws));
    expect(JSON.stringify(workspaceFromSpec('all-types@2'))).toBe(JSON.stringify(allTypesWorkspace({ seed: 2 })));
    const s = workspaceFromSpec('scale:3x100');
    expect(s.dataSources).toHaveLength(3);
    expect(s.pages).toHaveLength(300);
    expect(Object.values(s.dataSources[0]!.properties)).toHaveLength(6);
    const sa = workspaceFromSpec('scale:1x20:all-types');
    expect(sa.pages).toHaveLength(20);
    expect(Object.values(sa.dataSources[0]!.properties).some((p) => p.type === 'place')).toBe(true);
    expect(workspaceFromSpec('demo').pages.length).toBeGreaterThan(2000);
    for (const bad of ['nope', 'scale:3', 'scale:0x10', 'scale:3x10:weird', 'demo@x', 'scale:1x10:title-only:unedited', 'scale:1x10:all-types/10:unedited:title-only']) {
      expect(() => workspaceFromSpec(bad), bad).toThrow(/all-types.*demo.*scale:/);
    }
  });

  it('scale specs for bulk imports: :unedited puts every row in its created minute pair, :title-only leaves the title alone', () => {
    const pairs = (w: ReturnType<typeof workspaceFromSpec>) => new Set(w.pages.map((p) => `${p.created_time}|${p.last_edited_time}`));
    // The plain bulk spec spreads last_edited_time; :unedited does not.
    expect(pairs(workspaceFromSpec('scale:1x300/300')).size).toBeGreaterThan(1);
    const a = workspaceFromSpec('scale:1x300/300:unedited');
    expect(a.pages).toHaveLength(300);
    expect(pairs(a)).toEqual(new Set([`${a.pages[0]!.created_time}|${a.pages[0]!.created_time}`]));
    const types = Object.values(a.dataSources[0]!.properties).map((p) => p.type).sort();
    expect(types).toEqual(['checkbox', 'date', 'number', 'rich_text', 'select', 'title']);
    const b = workspaceFromSpec('scale:2x50/50:unedited:title-only');
    expect(b.pages).toHaveLength(100);
    expect(pairs(b).size).toBe(1);
    for (const ds of b.dataSources) expect(Object.values(ds.properties).map((p) => p.type)).toEqual(['title']);
    for (const p of b.pages) expect(Object.keys(p.properties)).toEqual(['Name']);
    // Without :unedited, title-only keeps the spread of edits.
    expect(Object.values(workspaceFromSpec('scale:1x10:title-only').dataSources[0]!.properties)).toHaveLength(1);
  });
});
