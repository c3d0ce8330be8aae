/** Small hand-built workspaces for the emulator server tests (independent of the generator). */

import { Client, LogLevel } from '@notionhq/client';
import { afterEach } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/server.js';
import type { EmuPage, EmuPropertyValue, EmuSchemaProperty, EmuUser, Json, JsonObject, Workspace } from '../../src/emulator/workspace.js';

export const TOKEN = 'secret_test_token';

/** A deterministic UUID: 8 hex digits of prefix, then n. */
export function uid(prefix: string, n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `${prefix}-0000-4000-8000-${hex}`;
}

export const DB_ID = uid('d0000000', 1);
export const DS_ID = uid('da000000', 1);
export const ITEMS_DB_ID = uid('d0000000', 2);
export const ITEMS_DS_ID = uid('da000000', 2);
export const HIDDEN_DB_ID = uid('d0000000', 3);
export const HIDDEN_DS_ID = uid('da000000', 3);

const ANNOTATIONS: JsonObject = { bold: false, italic: false, strikethrough: false, underline: false, code: false, color: 'default' };

export function text(content: string): JsonObject {
  return { type: 'text', text: { content, link: null }, annotations: ANNOTATIONS, plain_text: content, href: null };
}

export function mention(user: EmuUser): JsonObject {
  return {
    type: 'mention',
    mention: { type: 'user', user: { ...user } },
    annotations: ANNOTATIONS,
    plain_text: `@${user.name ?? ''}`,
    href: null,
  };
}

export function person(n: number): EmuUser {
  return {
    object: 'user',
    id: uid('a0000000', n),
    name: `Person ${n}`,
    avatar_url: null,
    type: 'person',
    person: { email: `person${n}@example.com` },
  };
}

export function bot(n: number): EmuUser {
  return { object: 'user', id: uid('b0000000', n), name: `Bot ${n}`, avatar_url: null, type: 'bot', bot: {} };
}

/** Minute-rounded ISO time `minutes` after 2024-01-01T00:00Z. */
export function at(minutes: number): string {
  return new Date(Date.UTC(2024, 0, 1) + minutes * 60_000).toISOString();
}

function prop(id: string, name: string, type: string, config: Json = {}): EmuSchemaProperty {
  return { id, name, type, [type]: config };
}

/** Schema of the main data source: one property of every documented type. */
export function mainSchema(): Record<string, EmuSchemaProperty> {
  const options = (names: string[]): JsonObject => ({
    options: names.map((n, i) => ({ id: `opt-${n}`, name: n, color: i === 0 ? 'red' : 'blue', description: null })),
  });
  const rollup = (fn: string, target: string, targetId: string): JsonObject => ({
    rollup_property_name: target,
    relation_property_name: 'Items',
    rollup_property_id: targetId,
    relation_property_id: '<rel',
    function: fn,
  });
  const list = [
    prop('title', 'Name', 'title'),
    prop('n%3Ate', 'Notes', 'rich_text'),
    prop('swq%5C', 'Count', 'number', { format: 'number' }),
    prop('tags', 'Tags', 'multi_select', options(['a', 'b', 'c'])),
    prop('stge', 'Stage', 'select', options(['low', 'mid', 'high'])),
    prop('stat', 'Status', 'status', { ...options(['Not started', 'Done']), groups: [] }),
    prop('when', 'When', 'date'),
    prop('ownr', 'Owners', 'people'),
    prop('file', 'Attachments', 'files'),
    prop('done', 'Done', 'checkbox'),
    prop('link', 'Link', 'url'),
    prop('mail', 'Mail', 'email'),
    prop('phon', 'Phone', 'phone_number'),
    prop('calc', 'Calc', 'formula', { expression: 'prop("Count") * 2' }),
    prop('%3Crel', 'Items', 'relation', { database_id: ITEMS_DB_ID, data_source_id: ITEMS_DS_ID, type: 'single_property', single_property: {} }),
    prop('rcnt', 'ItemCount', 'rollup', rollup('count', 'Value', 'val%7C')),
    prop('rsum', 'ItemSum', 'rollup', rollup('sum', 'Value', 'val|')),
    prop('ravg', 'ItemAvg', 'rollup', rollup('average', 'Value', 'val|')),
    prop('rmin', 'ItemMin', 'rollup', rollup('min', 'Value', 'val|')),
    prop('rmax', 'ItemMax', 'rollup', rollup('max', 'Value', 'val|')),
    prop('rorg', 'ItemOriginal', 'rollup', rollup('show_original', 'Value', 'val|')),
    prop('rear', 'ItemEarliest', 'rollup', rollup('earliest_date', 'Due', 'due')),
    prop('rlat', 'ItemLatest', 'rollup', rollup('latest_date', 'Due', 'due')),
    prop('rcvl', 'ItemCountValues', 'rollup', rollup('count_values', 'Value', 'val|')),
    prop('crtd', 'Created', 'created_time'),
    prop('edtd', 'Edited', 'last_edited_time'),
    prop('crby', 'Creator', 'created_by'),
    prop('edby', 'Editor', 'last_edited_by'),
    prop('%7BID%7C', 'ID', 'unique_id', { prefix: 'T' }),
    prop('verification', 'Verify', 'verification'),
    prop('btn', 'Btn', 'button'),
    prop('plce', 'Where', 'place'),
  ];
  return Object.fromEntries(list.map((p) => [p.name, p]));
}

export function itemsSchema(): Record<string, EmuSchemaProperty> {
  return {
    Name: prop('title', 'Name', 'title'),
    Value: prop('val%7C', 'Value', 'number', { format: 'number' }),
    Due: prop('due', 'Due', 'date'),
  };
}

function value(schema: Record<string, EmuSchemaProperty>, name: string, v: Json, extra: JsonObject = {}): EmuPropertyValue {
  const p = schema[name];
  if (p === undefined) throw new Error(`no property ${name}`);
  return { id: p.id, type: p.type, [p.type]: v, ...extra };
}

export interface MainPageOptions {
  n: number;
  title?: string;
  titleItems?: JsonObject[];
  notes?: JsonObject[];
  count?: number | null;
  created?: number;
  edited?: number;
  items?: string[];
  owners?: EmuUser[];
  done?: boolean;
  stage?: string | null;
  shared?: boolean;
  in_trash?: boolean;
}

export function mainPage(ws: Workspace, o: MainPageOptions): EmuPage {
  const s = mainSchema();
  const creator = ws.users[0] ?? person(1);
  const created = at(o.created ?? o.n);
  const edited = at(o.edited ?? o.created ?? o.n);
  const count = o.count === undefined ? o.n : o.count;
  const props: Record<string, EmuPropertyValue> = {
    Name: value(s, 'Name', o.titleItems ?? [text(o.title ?? `Row ${o.n}`)]),
    Notes: value(s, 'Notes', o.notes ?? [text(`note ${o.n}`)]),
    Count: value(s, 'Count', count),
    Tags: value(s, 'Tags', [{ id: 'opt-a', name: 'a', color: 'red' }]),
    Stage: value(s, 'Stage', o.stage === null ? null : { id: `opt-${o.stage ?? 'mid'}`, name: o.stage ?? 'mid', color: 'blue' }),
    Status: value(s, 'Status', { id: 'opt-Done', name: 'Done', color: 'blue' }),
    When: value(s, 'When', { start: '2024-05-01', end: null, time_zone: null }),
    Owners: value(s, 'Owners', (o.owners ?? []) as Json),
    Attachments: value(s, 'Attachments', [{ name: 'a.png', type: 'external', external: { url: 'https://example.com/a.png' } }]),
    Done: value(s, 'Done', o.done ?? false),
    Link: value(s, 'Link', 'https://example.com'),
    Mail: value(s, 'Mail', null),
    Phone: value(s, 'Phone', '+1 555'),
    Calc: value(s, 'Calc', { type: 'number', number: typeof count === 'number' ? count * 2 : null }),
    Items: value(s, 'Items', (o.items ?? []).map((id) => ({ id })), { has_more: false }),
    ItemCount: value(s, 'ItemCount', null),
    ItemSum: value(s, 'ItemSum', null),
    ItemAvg: value(s, 'ItemAvg', null),
    ItemMin: value(s, 'ItemMin', null),
    ItemMax: value(s, 'ItemMax', null),
    ItemOriginal: value(s, 'ItemOriginal', null),
    ItemEarliest: value(s, 'ItemEarliest', null),
    ItemLatest: value(s, 'ItemLatest', null),
    ItemCountValues: value(s, 'ItemCountValues', null),
    Created: value(s, 'Created', created),
    Edited: value(s, 'Edited', edited),
    Creator: value(s, 'Creator', creator as unknown as Json),
    Editor: value(s, 'Editor', creator as unknown as Json),
    ID: value(s, 'ID', { prefix: 'T', number: o.n }),
    Verify: value(s, 'Verify', { state: 'verified', date: { start: '2024-02-01T00:00:00.000Z', end: null, time_zone: null }, verified_by: creator as unknown as Json }),
    Btn: value(s, 'Btn', {}),
    Where: value(s, 'Where', o.n % 2 === 0 ? { lat: 48.85, lon: 2.35, name: 'Paris', address: null } : null),
  };
  return {
    id: uid('e0000000', o.n),
    data_source_id: DS_ID,
    created_time: created,
    last_edited_time: edited,
    created_by: { object: 'user', id: creator.id },
    last_edited_by: { object: 'user', id: creator.id },
    in_trash: o.in_trash ?? false,
    icon: null,
    cover: null,
    properties: props,
    shared: o.shared ?? true,
  };
}

export function itemPage(n: number, v: number | null, due: string | null): EmuPage {
  const s = itemsSchema();
  return {
    id: uid('f0000000', n),
    data_source_id: ITEMS_DS_ID,
    created_time: at(n),
    last_edited_time: at(n),
    created_by: { object: 'user', id: uid('a0000000', 1) },
    last_edited_by: { object: 'user', id: uid('a0000000', 1) },
    in_trash: false,
    icon: null,
    cover: null,
    properties: {
      Name: value(s, 'Name', [text(`Item ${n}`)]),
      Value: value(s, 'Value', v),
      Due: value(s, 'Due', due === null ? null : { start: due, end: null, time_zone: null }),
    },
    shared: true,
  };
}

function titleOf(t: string): JsonObject[] {
  return [text(t)];
}

/** An empty workspace: two shared databases (main + items) and one unshared. */
export function baseWorkspace(): Workspace {
  const users = [person(1), person(2), bot(1)];
  const database = (id: string, dsId: string, title: string, shared: boolean) => ({
    id,
    title: titleOf(title),
    description: [],
    created_time: '2024-01-01T00:00:00.123+00:00',
    last_edited_time: '2024-01-02T00:00:00.456+00:00',
    is_inline: false,
    in_trash: false,
    icon: null,
    cover: null,
    parent: { type: 'page_id', page_id: uid('c0000000', 1) },
    data_source_ids: [dsId],
    shared,
  });
  const dataSource = (id: string, dbId: string, title: string, properties: Record<string, EmuSchemaProperty>, shared: boolean) => ({
    id,
    database_id: dbId,
    title: titleOf(title),
    description: [],
    properties,
    created_time: at(0),
    last_edited_time: at(1),
    in_trash: false,
    icon: null,
    cover: null,
    shared,
  });
  return {
    token: TOKEN,
    users,
    databases: [
      database(DB_ID, DS_ID, 'Projects', true),
      database(ITEMS_DB_ID, ITEMS_DS_ID, 'Items', true),
      database(HIDDEN_DB_ID, HIDDEN_DS_ID, 'Secret', false),
    ],
    dataSources: [
      dataSource(DS_ID, DB_ID, 'Projects', mainSchema(), true),
      dataSource(ITEMS_DS_ID, ITEMS_DB_ID, 'Items', itemsSchema(), true),
      dataSource(HIDDEN_DS_ID, HIDDEN_DB_ID, 'Secret', itemsSchema(), false),
    ],
    pages: [],
    blocks: {},
    comments: {},
  };
}

/** Main data source with `rows` plain pages (created at minutes 1..rows). */
export function rowsWorkspace(rows: number): Workspace {
  const ws = baseWorkspace();
  for (let n = 1; n <= rows; n++) ws.pages.push(mainPage(ws, { n }));
  return ws;
}

export function paragraph(id: string, parent: string, content: string): JsonObject {
  return {
    object: 'block',
    id,
    parent: { type: 'page_id', page_id: parent },
    created_time: at(0),
    last_edited_time: at(0),
    created_by: { object: 'user', id: uid('a0000000', 1) },
    last_edited_by: { object: 'user', id: uid('a0000000', 1) },
    has_children: false,
    archived: false,
    in_trash: false,
    type: 'paragraph',
    paragraph: { rich_text: [text(content)], icon: null, color: 'default' },
  };
}

export function comment(id: string, pageId: string, content: string): JsonObject {
  return {
    object: 'comment',
    id,
    parent: { type: 'page_id', page_id: pageId },
    discussion_id: uid('cc000000', 1),
    created_time: at(0),
    last_edited_time: at(0),
    created_by: { object: 'user', id: uid('a0000000', 1) },
    rich_text: [text(content)],
  };
}

const running: Emulator[] = [];

/** Starts an emulator (no rate limit unless asked) and closes it after the test. */
export async function start(workspace: Workspace, options: Partial<EmulatorOptions> = {}): Promise<{ emu: Emulator; notion: Client }> {
  const emu = await startEmulator({ rateLimit: false, ...options, workspace });
  running.push(emu);
  const notion = new Client({ auth: emu.token, baseUrl: emu.url, retry: false, logLevel: LogLevel.ERROR, logger: () => {} });
  return { emu, notion };
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

/** Raw HTTP call to the emulator (for what the SDK will not send). */
export async function raw(
  emu: Emulator,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Headers; text: string; json: any }> {
  const res = await fetch(`${emu.url}${path}`, {
    method: init.method ?? 'GET',
    headers: init.headers ?? { authorization: `Bearer ${emu.token}`, 'notion-version': '2025-09-03' },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const body = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text: body, json };
}

/** Runs a promise expected to reject and returns the error. */
export async function failure(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}
