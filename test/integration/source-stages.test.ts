/**
 * The source stages end to end: the real CLI code and the real @notionhq/client against the emulator
 * over HTTP.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { allTypesWorkspace, scaleWorkspace } from '../../src/emulator/generate.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import type { EmuPage, Workspace } from '../../src/emulator/workspace.js';
import { runCli } from '../support/cli.js';

const PROPERTY_TYPES = [
  'title', 'rich_text', 'number', 'select', 'status', 'multi_select', 'date', 'people', 'files', 'checkbox', 'url', 'email',
  'phone_number', 'formula', 'relation', 'rollup', 'created_time', 'last_edited_time', 'created_by', 'last_edited_by', 'unique_id',
  'verification', 'button', 'place',
];

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function serve(workspace: Workspace, rateLimit: { perSecond: number; burst: number } | false = false): Promise<Emulator> {
  emu = await startEmulator({ workspace, rateLimit });
  return emu;
}

const envFor = (e: Emulator, token = e.token) => ({ NOTION_TOKEN: token, NOTION_BASE_URL: e.url });
const fast = ['--rate-limit', '1000', '--quiet'];

function pagesOf(lines: Array<Record<string, any>>) {
  return lines.filter((l) => l.object === 'page');
}

function findPage(ws: Workspace, test: (p: EmuPage) => boolean): EmuPage {
  const page = ws.pages.find((p) => p.shared && !p.in_trash && test(p));
  if (!page) throw new Error('fixture page not found');
  return page;
}

const listLength = (type: string, n: number) => (p: EmuPage) =>
  Object.values(p.properties).some((v) => v.type === type && Array.isArray(v[type]) && (v[type] as unknown[]).length === n);

describe('pages through the emulator', () => {
  it('reads every property type, with truncated values completed', async () => {
    const ws = allTypesWorkspace();
    const e = await serve(ws);
    const res = await runCli(['pages', ...fast], envFor(e));
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const pages = pagesOf(res.lines);
    const seenTypes = new Set(pages.flatMap((p) => Object.values(p.properties).map((v: any) => v.type)));
    for (const t of PROPERTY_TYPES) expect(seenTypes, `property type ${t}`).toContain(t);

    const expected = ws.pages.filter((p) => p.shared && !p.in_trash && ws.dataSources.find((d) => d.id === p.data_source_id)?.shared);
    expect(pages.map((p) => p.id).sort()).toEqual(expected.map((p) => p.id).sort());

    const sixty = findPage(ws, listLength('relation', 60));
    const out = pages.find((p) => p.id === sixty.id)!;
    const rel = Object.values(out.properties).find((v: any) => v.type === 'relation' && v.relation.length === 60) as any;
    expect(rel, 'the 60-item relation').toBeDefined();
    expect(rel.has_more).toBe(false);
    expect(new Set(rel.relation.map((r: any) => r.id)).size).toBe(60);

    const thirty = findPage(ws, listLength('people', 30));
    const people = Object.values(pages.find((p) => p.id === thirty.id)!.properties).find((v: any) => v.type === 'people' && v.people.length === 30);
    expect(people, '30 people arrive as 30').toBeDefined();

    // The property endpoint is asked only where Notion may have truncated: one request per such value
    // (each holds at most 100 items here), none for the rest.
    const relationIds = (ds: string) => new Set(Object.values(ws.dataSources.find((d) => d.id === ds)!.properties).filter((p: any) => p.type === 'relation').map((p) => decodeURIComponent(p.id)));
    let truncated = 0;
    for (const p of expected) {
      const rels = relationIds(p.data_source_id);
      const long = (v: any) => v.type === 'relation' && v.relation.length > 25;
      for (const v of Object.values(p.properties) as any[]) {
        if (long(v) || (v.type === 'people' && v.people.length >= 25)) truncated++;
        else if ((v.type === 'title' || v.type === 'rich_text') && v[v.type].filter((i: any) => i.type === 'mention').length >= 25) truncated++;
      }
      const schema = ws.dataSources.find((d) => d.id === p.data_source_id)!.properties;
      for (const sp of Object.values(schema) as any[]) {
        if (sp.type !== 'rollup' || !rels.has(decodeURIComponent(sp.rollup.relation_property_id))) continue;
        const rel = Object.values(p.properties).find((v: any) => v.type === 'relation' && decodeURIComponent(v.id) === decodeURIComponent(sp.rollup.relation_property_id));
        if (rel && long(rel)) truncated++;
      }
    }
    expect(truncated).toBeGreaterThanOrEqual(4);
    expect(e.counters().byEndpoint['pages.properties.retrieve']).toBe(truncated);

    // Every list value equals the emulator's complete value.
    for (const src of expected) {
      const got = pages.find((p) => p.id === src.id)!;
      for (const [name, v] of Object.entries(src.properties)) {
        if (['relation', 'people', 'title', 'rich_text'].includes(v.type)) expect(got.properties[name][v.type], `${name} of ${src.id}`).toEqual(v[v.type]);
      }
    }
  });

  it('computes a rollup over all 60 related pages, not the first 25', async () => {
    const ws = allTypesWorkspace();
    const e = await serve(ws);
    const res = await runCli(['pages', ...fast], envFor(e));
    const sixty = findPage(ws, listLength('relation', 60));
    const ds = ws.dataSources.find((d) => d.id === sixty.data_source_id)!;
    const sumRollup = Object.values(ds.properties).find((p: any) => p.type === 'rollup' && p.rollup.function === 'sum') as any;
    expect(sumRollup, 'a sum rollup in the schema').toBeDefined();
    const relName = sumRollup.rollup.relation_property_name as string;
    const target = sumRollup.rollup.rollup_property_name as string;
    const byId = new Map(ws.pages.map((p) => [p.id, p]));
    const related = (sixty.properties[relName]!.relation as Array<{ id: string }>).map((r) => byId.get(r.id)!);
    const expectedSum = related.reduce((s, p) => s + (Number(p.properties[target]?.number) || 0), 0);
    const got = pagesOf(res.lines).find((p) => p.id === sixty.id)!.properties[sumRollup.name].rollup;
    expect(got.number).toBeCloseTo(expectedSum, 6);
  });

  it('reads a data source of 10,050 rows completely, without duplicates, in created_time order', async () => {
    const ws = scaleWorkspace({ dataSources: 1, pagesEach: 10_050 });
    const e = await serve(ws);
    const res = await runCli(['pages', ...fast], envFor(e));
    expect(res.code).toBe(0);
    const pages = pagesOf(res.lines);
    expect(pages).toHaveLength(10_050);
    expect(new Set(pages.map((p) => p.id)).size).toBe(10_050);
    const times = pages.map((p) => p.created_time);
    expect([...times].sort()).toEqual(times);
    // 101 pages of 100 is the minimum; plus the one-row probe for the last created_time, and at
    // 1,000 requests/s the reader cuts the data source into parallel ranges, about one request per cut.
    expect(e.counters().byEndpoint['data_sources.query']).toBeGreaterThanOrEqual(101);
    expect(e.counters().byEndpoint['data_sources.query']).toBeLessThanOrEqual(101 + 1 + 20);
  });

  it('expands a database with two data sources into both', async () => {
    const ws = allTypesWorkspace();
    const db = ws.databases.find((d) => d.shared && d.data_source_ids.length === 2)!;
    const e = await serve(ws);
    const res = await runCli(['list', ...fast, '-d', db.id.replace(/-/g, '')], envFor(e));
    expect(res.code).toBe(0);
    expect(res.lines.map((l) => l.id)).toEqual(db.data_source_ids);
    const pages = await runCli(['pages', ...fast, '-d', `https://www.notion.so/Tasks-${db.id.replace(/-/g, '')}?v=0123456789abcdef0123456789abcdef`], envFor(e));
    expect(pages.lines.filter((l) => l.object === 'data_source').map((l) => l.id)).toEqual(db.data_source_ids);
  });

  it('lists every shared data source and no unshared one', async () => {
    const ws = allTypesWorkspace();
    const e = await serve(ws);
    const res = await runCli(['list', ...fast], envFor(e));
    const shared = ws.dataSources.filter((d) => d.shared && !d.in_trash).map((d) => d.id).sort();
    expect(res.lines.map((l) => l.id).sort()).toEqual(shared);
    expect(shared.length).toBeLessThan(ws.dataSources.length);
  });
});

describe('clear errors', () => {
  it('a bad token: one line, non-zero exit, the token never printed', async () => {
    const e = await serve(allTypesWorkspace());
    const token = 'secret_this-is-not-the-right-token';
    const res = await runCli(['pages', ...fast], envFor(e, token));
    expect(res.code).not.toBe(0);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/Notion rejected the token/);
    expect(res.stderr + res.stdout).not.toContain(token);
  });

  it('an unknown id names the id and says how to share', async () => {
    const e = await serve(allTypesWorkspace());
    const id = '0123456789abcdef0123456789abcdef';
    const res = await runCli(['pages', ...fast, '-d', id], envFor(e));
    expect(res.code).not.toBe(0);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toContain('01234567-89ab-cdef-0123-456789abcdef');
    expect(res.stderr).toMatch(/Connections/);
  });

  it('an unshared database gets the same clear sentence', async () => {
    const ws = allTypesWorkspace();
    const secret = ws.databases.find((d) => !d.shared)!;
    const e = await serve(ws);
    const res = await runCli(['list', ...fast, '-d', secret.id], envFor(e));
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain(secret.id);
    expect(res.stderr).toMatch(/not shared with the integration/);
    expect(res.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('a link without an id is refused before any request (a bare word is taken as a title)', async () => {
    const e = await serve(allTypesWorkspace());
    const res = await runCli(['list', ...fast, '-d', 'https://www.notion.so/acme/not-an-id'], envFor(e));
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/"https:\/\/www.notion.so\/acme\/not-an-id" is not a Notion/);
    expect(e.counters().requests).toBe(0);
  });

  it('a missing token says how to get one', async () => {
    const res = await runCli(['list'], { NOTION_BASE_URL: 'http://127.0.0.1:9' });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/NOTION_TOKEN is not set/);
  });
});
