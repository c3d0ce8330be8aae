/**
 * Deterministic workspace generator for the Notion API emulator.
 *
 * Everything is derived from a seeded PRNG (mulberry32): the same options always give a byte-identical
 * workspace (`JSON.stringify` equal). Values are stored complete (no truncation) in the exact shapes the
 * live API returns (see the recordings under the project's shared notes). Rollup values are placeholders
 * (`{type:"array", array:[], function}`): the server computes them from the related pages.
 *
 * Ready-made workspaces:
 * - `allTypesWorkspace()`: every property type plus the edge cases (60 relations, 30/25 people,
 *   30 mentions, a trashed page, an unshared database). `allTypesIds(ws)` finds the special objects.
 * - `scaleWorkspace()`: many plain pages, fast (no blocks, no comments).
 * - `demoWorkspace()`: a few thousand rows over several related databases. `demoIds(ws)` finds its
 *   special objects.
 */
import type {
  EmuDatabase,
  EmuDataSource,
  EmuPage,
  EmuPropertyValue,
  EmuSchemaProperty,
  EmuUser,
  Json,
  JsonObject,
  Workspace,
} from './workspace.js';
import { minuteIso } from './workspace.js';
import { addSampleContent, addStandalonePages } from './content.js';

// ---------------------------------------------------------------------------------------------------
// Public options

export interface DataSourceSpec {
  title: string;
  pages: number;
  /** 'all-types' (default): every property type, blocks and comments. 'simple': six plain properties. */
  kind?: 'all-types' | 'simple';
  /** Default true. False: the data source and its pages are not shared with the integration. */
  shared?: boolean;
  /** created_time spacing: at most this many pages per minute. Default 3. */
  pagesPerMinute?: number;
  /** Title of the data source an 'all-types' relation points at. Default: the first other data source (itself when alone). */
  relatesTo?: string;
  /** 'all-types' only: generate page blocks and comments. Default true. */
  content?: boolean;
}

export interface DatabaseSpec {
  title: string;
  dataSources: DataSourceSpec[];
  /** Default true. False: the container, its data sources and their pages are not shared. */
  shared?: boolean;
}

export interface GenerateOptions {
  /** Default 1. */
  seed?: number;
  /** Default 'secret_emulator_token'. */
  token?: string;
  /** Number of person users, default 40. One or two bots are added. */
  users?: number;
  databases: DatabaseSpec[];
  /** ISO instant of the first page created_time (rounded down to the minute). Default '2024-01-01T00:00:00.000Z'. */
  start?: string;
}

export const DEFAULT_TOKEN = 'secret_emulator_token';
const DEFAULT_START = '2024-01-01T00:00:00.000Z';
const MINUTE = 60_000;
const DAY = 86_400_000;

// ---------------------------------------------------------------------------------------------------
// PRNG

/** mulberry32 with a few helpers. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  u32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** [0, 1) */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const v = items[Math.floor(this.next() * items.length)];
    if (v === undefined) throw new Error('Rng.pick on an empty list');
    return v;
  }

  /** `k` distinct items (order random); all of them when k >= length. */
  sample<T>(items: readonly T[], k: number): T[] {
    const idx = items.map((_, i) => i);
    const n = Math.min(k, idx.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.next() * (idx.length - i));
      const a = idx[i]!;
      idx[i] = idx[j]!;
      idx[j] = a;
    }
    return idx.slice(0, n).map((i) => items[i]!);
  }

  /** A v4-shaped, lowercase, dashed UUID. */
  uuid(): string {
    const h =
      hex8(this.u32()) + hex8(this.u32()) + hex8(this.u32()) + hex8(this.u32());
    const variant = '89ab'[parseInt(h[16]!, 16) & 3]!;
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  hex(len: number): string {
    let s = '';
    while (s.length < len) s += hex8(this.u32());
    return s.slice(0, len);
  }
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** A sub-seed for one purpose, so that adding pages to one data source does not reshuffle another. */
function subSeed(seed: number, label: string): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  h = Math.imul(h ^ (seed >>> 16), 0x01000193) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

// ---------------------------------------------------------------------------------------------------
// Small value helpers

const COLORS = ['default', 'gray', 'brown', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'red'] as const;

function annotations(over?: Partial<Record<'bold' | 'italic' | 'strikethrough' | 'underline' | 'code', boolean>> & { color?: string }): JsonObject {
  return {
    bold: over?.bold ?? false,
    italic: over?.italic ?? false,
    strikethrough: over?.strikethrough ?? false,
    underline: over?.underline ?? false,
    code: over?.code ?? false,
    color: over?.color ?? 'default',
  };
}

function textItem(content: string, ann?: JsonObject, link?: string): JsonObject {
  return {
    type: 'text',
    text: { content, link: link ? { url: link } : null },
    annotations: ann ?? annotations(),
    plain_text: content,
    href: link ?? null,
  };
}

/** A full user object, copied (so no two values share an object). */
function fullUser(u: EmuUser): JsonObject {
  const out: JsonObject = { object: 'user', id: u.id, name: u.name, avatar_url: u.avatar_url, type: u.type };
  if (u.type === 'person') {
    const person = u['person'] as { email?: string } | undefined;
    out['person'] = { email: person?.email ?? null };
  } else {
    out['bot'] = {};
  }
  return out;
}

function partialUser(id: string): JsonObject {
  return { object: 'user', id };
}

function userMention(u: EmuUser, ann?: JsonObject): JsonObject {
  return {
    type: 'mention',
    mention: { type: 'user', user: fullUser(u) },
    annotations: ann ?? annotations(),
    plain_text: `@${u.name ?? 'Unknown'}`,
    href: null,
  };
}

function pageMention(id: string, title: string): JsonObject {
  return {
    type: 'mention',
    mention: { type: 'page', page: { id } },
    annotations: annotations(),
    plain_text: title === '' ? 'Untitled' : title,
    href: `https://www.notion.so/${id.replace(/-/g, '')}`,
  };
}

function dateMention(date: { start: string; end: string | null; time_zone: string | null }): JsonObject {
  return {
    type: 'mention',
    mention: { type: 'date', date },
    annotations: annotations(),
    plain_text: date.end ? `${date.start} → ${date.end}` : date.start,
    href: null,
  };
}

function equationItem(expression: string): JsonObject {
  return {
    type: 'equation',
    equation: { expression },
    annotations: annotations(),
    plain_text: expression,
    href: null,
  };
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `2024-05-01T09:30:00.000+02:00`: the local wall time at `offsetMin` from UTC. */
function isoWithOffset(ms: number, offsetMin: number): string {
  const local = new Date(ms + offsetMin * MINUTE).toISOString().slice(0, 23);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Database containers keep milliseconds and write `+00:00`. */
function containerIso(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

/** Notion returns property ids URL-encoded; encodeURIComponent matches the recordings (`<nJT` → `%3CnJT`, `MNV~`). */
function encodePropertyId(raw: string): string {
  return encodeURIComponent(raw);
}

// Printable ASCII without '/' and '%' (they make path routing ambiguous) and without space.
const PROPERTY_ID_CHARS = (() => {
  let s = '';
  for (let c = 33; c <= 126; c++) {
    const ch = String.fromCharCode(c);
    if (ch !== '/' && ch !== '%') s += ch;
  }
  return s;
})();

class PropertyIds {
  private readonly used = new Set<string>(['title']);
  constructor(private readonly rng: Rng) {}
  /** Returns `[encoded, raw]`. */
  next(): [string, string] {
    for (;;) {
      let raw = '';
      for (let i = 0; i < 4; i++) raw += PROPERTY_ID_CHARS[this.rng.int(0, PROPERTY_ID_CHARS.length - 1)]!;
      if (!this.used.has(raw)) {
        this.used.add(raw);
        return [encodePropertyId(raw), raw];
      }
    }
  }
  reserve(raw: string): void {
    this.used.add(raw);
  }
}

// ---------------------------------------------------------------------------------------------------
// Word lists

const FIRST_NAMES = [
  'Ada', 'Ben', 'Chloé', 'Dmitri', 'Elena', 'Farah', 'Gustavo', 'Hana', 'Ivan', 'Jun', 'Kemal', 'Leila', 'Mateo',
  'Nia', 'Oskar', 'Priya', 'Quentin', 'Rosa', 'Sven', 'Tomás', 'Uma', 'Viktor', 'Wen', 'Ximena', 'Yusuf', 'Zoë',
  'Amara', 'Bruno', 'Camille', 'Diego', 'Emeka', 'Freya', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Keiko', 'Lars',
  'Maya', 'Noah',
] as const;
const LAST_NAMES = [
  'Lovelace', 'Okafor', 'Dubois', 'Petrov', 'García', 'Haddad', 'Silva', 'Sato', 'Novak', 'Chen', 'Yılmaz',
  'Rahimi', 'Rossi', 'Mensah', 'Lindqvist', 'Patel', 'Moreau', 'Kowalski', 'Berg', 'Fernández', 'Iyer', 'Horvat',
  'Li', 'Ortega', 'Aziz', 'Müller', 'Nakamura', "O'Brien", 'Schmidt', 'Tanaka', 'Nguyen', 'Kim', 'Andersen',
  'Costa', 'Eze', 'Fischer', 'Gomez', 'Ivanova', 'Jensen', 'Kaur',
] as const;
const BOT_NAMES = ['Notion Stream', 'Zapier'] as const;

const VERBS = [
  'Migrate', 'Refactor', 'Design', 'Launch', 'Audit', 'Document', 'Prototype', 'Review', 'Ship', 'Plan', 'Fix',
  'Benchmark', 'Automate', 'Localize', 'Deprecate', 'Draft', 'Test', 'Scale', 'Onboard', 'Archive',
] as const;
const ADJECTIVES = [
  'legacy', 'quarterly', 'mobile', 'customer', 'internal', 'billing', 'search', 'analytics', 'security',
  'checkout', 'partner', 'marketing', 'realtime', 'offline', 'enterprise', 'beta', 'regional', 'public',
] as const;
const NOUNS = [
  'dashboard', 'roadmap', 'onboarding flow', 'API', 'pipeline', 'landing page', 'report', 'pricing page', 'SDK',
  'data model', 'release notes', 'design system', 'export', 'integration', 'survey', 'newsletter', 'runbook',
  'sync job', 'help center', 'webhook',
] as const;
const FLAVOURS = [
  '', '', '', '', '', '', '', '', ' — phase 2', ' (v2)', ' & follow-ups', ': “quick win”', ' ✅', ' 🚀',
  ' für Q3', ' — café edition', ' 日本語', ' #42',
] as const;
const SENTENCES = [
  'Waiting on legal review before we can publish.',
  'Scope agreed with the stakeholders last week.',
  'Needs a second pair of eyes on the numbers.',
  'Blocked by the vendor contract renewal.',
  'Metrics look healthy; keep monitoring for a sprint.',
  'Split into smaller tickets if it grows.',
  'Customer feedback was overwhelmingly positive.',
  'See the linked spec for the edge cases.',
  'Rollout is behind a feature flag.',
  'Résumé of the kickoff: ship small, ship often.',
  'Line one\nline two of a multi-line note.',
  'Quotes "double" and \'single\', commas, and a tab\there.',
] as const;
const TAGS: ReadonlyArray<readonly [string, string]> = [
  ['Frontend', 'blue'], ['Backend', 'purple'], ['Infra', 'gray'], ['Design', 'pink'], ['Research', 'yellow'],
  ['Urgent', 'red'], ['Customer', 'green'], ['Docs', 'brown'], ['Q&A', 'orange'],
];
const PRIORITIES: ReadonlyArray<readonly [string, string]> = [
  ['Low', 'gray'], ['Medium', 'yellow'], ['High', 'orange'], ['Urgent', 'red'],
];
const STATUSES: ReadonlyArray<readonly [string, string, string]> = [
  // name, color, group
  ['Not started', 'default', 'To-do'],
  ['In progress', 'blue', 'In progress'],
  ['Blocked', 'red', 'In progress'],
  ['In review', 'purple', 'In progress'],
  ['Done', 'green', 'Complete'],
];
const STATUS_GROUPS: ReadonlyArray<readonly [string, string]> = [
  ['To-do', 'gray'], ['In progress', 'blue'], ['Complete', 'green'],
];
const CATEGORIES: ReadonlyArray<readonly [string, string]> = [
  ['Alpha', 'blue'], ['Beta', 'green'], ['Gamma', 'orange'], ['Delta', 'purple'], ['Epsilon', 'default'],
];
const PLACES: ReadonlyArray<{ lat: number; lon: number; name: string; address: string }> = [
  { lat: 37.7749295, lon: -122.4194155, name: 'San Francisco', address: 'San Francisco, CA, USA' },
  { lat: 40.7127753, lon: -74.0059728, name: 'Notion HQ East', address: '45 W 18th St, New York, NY 10011, USA' },
  { lat: 51.5072178, lon: -0.1275862, name: 'London', address: 'London, UK' },
  { lat: 35.6761919, lon: 139.6503106, name: '東京オフィス', address: 'Shibuya City, Tokyo, Japan' },
  { lat: 52.5200066, lon: 13.404954, name: 'Berlin Büro', address: 'Berlin, Germany' },
  { lat: -33.8688197, lon: 151.2092955, name: 'Sydney', address: 'Sydney NSW, Australia' },
  { lat: -23.5557714, lon: -46.6395571, name: 'São Paulo', address: 'São Paulo, SP, Brazil' },
];
const TIME_ZONES: ReadonlyArray<readonly [string, number]> = [
  ['Asia/Tokyo', 540], ['Asia/Kolkata', 330], ['America/Sao_Paulo', -180], ['UTC', 0], ['Asia/Dubai', 240],
];
const OFFSETS = [0, 60, 120, -300, -420, 330, 540] as const;
const EMOJI = ['🚀', '📌', '🧭', '🛠️', '📈', '🗂️', '✨', '🧪'] as const;
const FILE_NAMES = ['spec.pdf', 'mockup.png', 'budget.xlsx', 'notes.md', 'demo video.mp4', 'Résumé.docx'] as const;

// ---------------------------------------------------------------------------------------------------
// Users

function makeUsers(rng: Rng, persons: number, bots: number): EmuUser[] {
  const firsts = rng.sample(FIRST_NAMES, FIRST_NAMES.length);
  const lasts = rng.sample(LAST_NAMES, LAST_NAMES.length);
  const users: EmuUser[] = [];
  for (let i = 0; i < persons; i++) {
    const first = firsts[i % firsts.length]!;
    const last = lasts[(i + Math.floor(i / firsts.length)) % lasts.length]!;
    const round = Math.floor(i / (firsts.length * lasts.length));
    const local = `${first}.${last}`
      .replace(/ı/g, 'i')
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^A-Za-z.]/g, '')
      .toLowerCase();
    const id = rng.uuid();
    users.push({
      object: 'user',
      id,
      name: `${first} ${last}`,
      avatar_url: rng.chance(0.25)
        ? null
        : `https://s3-us-west-2.amazonaws.com/public.notion-static.com/${rng.uuid()}/avatar.png`,
      type: 'person',
      person: { email: `${local}${round > 0 ? round : ''}@example.com` },
    });
  }
  for (let i = 0; i < bots; i++) {
    users.push({
      object: 'user',
      id: rng.uuid(),
      name: BOT_NAMES[i % BOT_NAMES.length]!,
      avatar_url: null,
      type: 'bot',
      bot: {},
    });
  }
  return users;
}

// ---------------------------------------------------------------------------------------------------
// Schemas

/** Property names of the 'all-types' schema (the relation and rollups are named per target). */
export const ALL_TYPES_PROPERTIES = {
  title: 'Name',
  summary: 'Summary',
  estimate: 'Estimate (h)',
  budget: 'Budget',
  completion: 'Completion',
  priority: 'Priority',
  status: 'Status',
  tags: 'Tags',
  due: 'Due date',
  owners: 'Owners',
  attachments: 'Attachments',
  approved: 'Approved?',
  website: 'Website',
  email: 'Contact e-mail',
  phone: 'Phone',
  label: 'Label',
  rate: 'Budget per hour',
  overBudget: 'Over budget',
  review: 'Review date',
  rollupSum: 'Total estimate',
  rollupShow: 'Related priorities',
  created: 'Created',
  edited: 'Last edited',
  createdBy: 'Created by',
  editedBy: 'Last edited by',
  uid: 'ID',
  verification: 'Verification',
  button: 'Start sprint',
  place: 'Location',
} as const;

/** Property names of the 'simple' schema. */
export const SIMPLE_PROPERTIES = {
  title: 'Name',
  number: 'Points',
  select: 'Category',
  date: 'Date',
  checkbox: 'Active',
  text: 'Notes',
} as const;

/** Every property type the 'all-types' schema holds. */
export const ALL_PROPERTY_TYPES = [
  'title', 'rich_text', 'number', 'select', 'status', 'multi_select', 'date', 'people', 'files', 'checkbox', 'url',
  'email', 'phone_number', 'formula', 'relation', 'rollup', 'created_time', 'last_edited_time', 'created_by',
  'last_edited_by', 'unique_id', 'verification', 'button', 'place',
] as const;

interface Option {
  id: string;
  name: string;
  color: string;
}

interface SchemaInfo {
  properties: Record<string, EmuSchemaProperty>;
  /** Raw (not URL-encoded) ids by property name, for rollup configs. */
  rawIds: Map<string, string>;
  ids: PropertyIds;
  selectOptions: Option[];
  statusOptions: Option[];
  tagOptions: Option[];
  numberProp: string;
  selectProp: string;
  prefix: string;
  /** 'all-types' only, filled in the relation pass. */
  relationProp?: string;
}

function optionId(rng: Rng, shortOne: boolean): string {
  if (!shortOne) return rng.uuid();
  let s = '';
  for (let i = 0; i < 4; i++) s += PROPERTY_ID_CHARS[rng.int(0, PROPERTY_ID_CHARS.length - 1)]!;
  return s;
}

function makeOptions(rng: Rng, list: ReadonlyArray<readonly [string, string, ...string[]]>): Option[] {
  const shortAt = rng.int(0, list.length - 1);
  return list.map(([name, color], i) => ({ id: optionId(rng, i === shortAt), name, color }));
}

function schemaOption(o: Option): JsonObject {
  return { id: o.id, name: o.name, color: o.color, description: null };
}

function addProp(s: SchemaInfo, name: string, type: string, config: Json, fixedId?: string): void {
  let id: string;
  let raw: string;
  if (fixedId !== undefined) {
    s.ids.reserve(fixedId);
    id = encodePropertyId(fixedId);
    raw = fixedId;
  } else {
    [id, raw] = s.ids.next();
  }
  s.properties[name] = { id, name, description: null, type, [type]: config };
  s.rawIds.set(name, raw);
}

function uniquePrefix(title: string, used: Set<string>): string {
  const letters = title.normalize('NFD').replace(/[^A-Za-z]/g, '').toUpperCase();
  let base = letters.slice(0, 4) || 'ID';
  let p = base;
  for (let n = 2; used.has(p); n++) p = `${base}${n}`;
  used.add(p);
  base = p;
  return base;
}

function simpleSchema(rng: Rng, prefix: string): SchemaInfo {
  const s: SchemaInfo = {
    properties: {},
    rawIds: new Map(),
    ids: new PropertyIds(rng),
    selectOptions: makeOptions(rng, CATEGORIES),
    statusOptions: [],
    tagOptions: [],
    numberProp: SIMPLE_PROPERTIES.number,
    selectProp: SIMPLE_PROPERTIES.select,
    prefix,
  };
  const P = SIMPLE_PROPERTIES;
  addProp(s, P.title, 'title', {}, 'title');
  addProp(s, P.number, 'number', { format: 'number' });
  addProp(s, P.select, 'select', { options: s.selectOptions.map(schemaOption) });
  addProp(s, P.date, 'date', {});
  addProp(s, P.checkbox, 'checkbox', {});
  addProp(s, P.text, 'rich_text', {});
  return s;
}

function allTypesSchema(rng: Rng, prefix: string): SchemaInfo {
  const P = ALL_TYPES_PROPERTIES;
  const s: SchemaInfo = {
    properties: {},
    rawIds: new Map(),
    ids: new PropertyIds(rng),
    selectOptions: makeOptions(rng, PRIORITIES),
    statusOptions: makeOptions(rng, STATUSES),
    tagOptions: makeOptions(rng, TAGS),
    numberProp: P.estimate,
    selectProp: P.priority,
    prefix,
  };
  addProp(s, P.title, 'title', {}, 'title');
  addProp(s, P.summary, 'rich_text', {});
  addProp(s, P.estimate, 'number', { format: 'number' });
  addProp(s, P.budget, 'number', { format: 'dollar' });
  addProp(s, P.completion, 'number', { format: 'percent' });
  addProp(s, P.priority, 'select', { options: s.selectOptions.map(schemaOption) });
  addProp(s, P.status, 'status', {
    options: s.statusOptions.map(schemaOption),
    groups: STATUS_GROUPS.map(([name, color]) => ({
      id: rng.uuid(),
      name,
      color,
      option_ids: STATUSES.flatMap(([, , g], i) => (g === name ? [s.statusOptions[i]!.id] : [])),
    })),
  });
  addProp(s, P.tags, 'multi_select', { options: s.tagOptions.map(schemaOption) });
  addProp(s, P.due, 'date', {});
  addProp(s, P.owners, 'people', {});
  addProp(s, P.attachments, 'files', {});
  addProp(s, P.approved, 'checkbox', {});
  addProp(s, P.website, 'url', {});
  addProp(s, P.email, 'email', {});
  addProp(s, P.phone, 'phone_number', {});
  addProp(s, P.label, 'formula', { expression: `prop("${P.title}") + " · " + prop("${P.priority}")` });
  addProp(s, P.rate, 'formula', {
    expression: `round(prop("${P.budget}") / prop("${P.estimate}") * 100) / 100`,
  });
  addProp(s, P.overBudget, 'formula', { expression: `prop("${P.budget}") > 50000` });
  addProp(s, P.review, 'formula', { expression: `dateAdd(prop("${P.due}"), 7, "days")` });
  addProp(s, P.created, 'created_time', {});
  addProp(s, P.edited, 'last_edited_time', {});
  addProp(s, P.createdBy, 'created_by', {});
  addProp(s, P.editedBy, 'last_edited_by', {});
  addProp(s, P.uid, 'unique_id', { prefix });
  addProp(s, P.verification, 'verification', {}, 'verification');
  addProp(s, P.button, 'button', {});
  addProp(s, P.place, 'place', {});
  return s;
}

/** Adds the relation and its two rollups to an 'all-types' schema, once the target's schema is known. */
function addRelation(s: SchemaInfo, self: Plan, target: Plan): void {
  const P = ALL_TYPES_PROPERTIES;
  let name = target === self ? 'Related items' : target.ds.title.map((t) => String(t['plain_text'])).join('');
  while (name === '' || s.properties[name] !== undefined) name = `${name || 'Related'} (relation)`;
  addProp(s, name, 'relation', {
    database_id: target.db.id,
    data_source_id: target.ds.id,
    type: 'single_property',
    single_property: {},
  });
  s.relationProp = name;
  const relRaw = s.rawIds.get(name)!;
  const t = target.schema;
  addProp(s, P.rollupSum, 'rollup', {
    rollup_property_name: t.numberProp,
    relation_property_name: name,
    rollup_property_id: t.rawIds.get(t.numberProp)!,
    relation_property_id: relRaw,
    function: 'sum',
  });
  addProp(s, P.rollupShow, 'rollup', {
    rollup_property_name: t.selectProp,
    relation_property_name: name,
    rollup_property_id: t.rawIds.get(t.selectProp)!,
    relation_property_id: relRaw,
    function: 'show_original',
  });
}

/** Notion lists schema properties (and page properties) ordered by raw property id, the title last. */
function sortedById(s: SchemaInfo): Record<string, EmuSchemaProperty> {
  const key = (p: EmuSchemaProperty): string => (p.id === 'title' ? '\uffff' : s.rawIds.get(p.name) ?? p.id);
  const out: Record<string, EmuSchemaProperty> = {};
  for (const p of Object.values(s.properties).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))) out[p.name] = p;
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Generation

interface Plan {
  index: number;
  spec: DataSourceSpec;
  kind: 'all-types' | 'simple';
  shared: boolean;
  content: boolean;
  db: EmuDatabase;
  ds: EmuDataSource;
  schema: SchemaInfo;
  pageIds: string[];
  titles: string[];
  /** ms of the first page's created_time. */
  baseMs: number;
  ppm: number;
  target?: Plan;
}

interface Ctx {
  seed: number;
  users: EmuUser[];
  persons: EmuUser[];
  bots: EmuUser[];
  plans: Plan[];
  /** All page ids with their titles, for page mentions. */
  allPages: Array<[string, string]>;
  blocks: Record<string, JsonObject[]>;
  comments: Record<string, JsonObject[]>;
}

function titleText(title: string): JsonObject[] {
  return [textItem(title)];
}

function randomTitle(rng: Rng): string {
  return `${rng.pick(VERBS)} ${rng.pick(ADJECTIVES)} ${rng.pick(NOUNS)}${rng.pick(FLAVOURS)}`;
}

function checkSpec(opts: GenerateOptions): void {
  if (!Array.isArray(opts.databases)) throw new Error('generateWorkspace: "databases" must be an array');
  for (const db of opts.databases) {
    if (typeof db.title !== 'string') throw new Error('generateWorkspace: every database needs a string "title"');
    if (!Array.isArray(db.dataSources) || db.dataSources.length === 0) {
      throw new Error(`generateWorkspace: database "${db.title}" needs at least one data source`);
    }
    for (const ds of db.dataSources) {
      if (!Number.isInteger(ds.pages) || ds.pages < 0) {
        throw new Error(`generateWorkspace: data source "${ds.title}" needs a non-negative integer "pages"`);
      }
      if (ds.pagesPerMinute !== undefined && !(ds.pagesPerMinute > 0)) {
        throw new Error(`generateWorkspace: data source "${ds.title}" needs "pagesPerMinute" > 0`);
      }
    }
  }
  if (opts.users !== undefined && (!Number.isInteger(opts.users) || opts.users < 1)) {
    throw new Error('generateWorkspace: "users" must be a positive integer');
  }
  if (opts.start !== undefined && Number.isNaN(Date.parse(opts.start))) {
    throw new Error(`generateWorkspace: "start" is not a valid ISO date: ${opts.start}`);
  }
}

/** Builds a workspace from a declarative spec. Deterministic: same options, byte-identical JSON. */
export function generateWorkspace(opts: GenerateOptions): Workspace {
  return buildWorkspace(opts, {});
}

/** Page titles to use instead of generated ones: data source title → page index → title. */
type TitleOverrides = Record<string, Record<number, string>>;

function buildWorkspace(opts: GenerateOptions, titleOverrides: TitleOverrides): Workspace {
  checkSpec(opts);
  const seed = (opts.seed ?? 1) >>> 0;
  const startMs = Math.floor(Date.parse(opts.start ?? DEFAULT_START) / MINUTE) * MINUTE;
  const personsCount = opts.users ?? 40;

  const users = makeUsers(new Rng(subSeed(seed, 'users')), personsCount, personsCount >= 20 ? 2 : 1);
  const persons = users.filter((u) => u.type === 'person');
  const bots = users.filter((u) => u.type === 'bot');

  // Pass 1: containers, data sources, schemas (without relations), page ids and titles.
  const idRng = new Rng(subSeed(seed, 'ids'));
  const databases: EmuDatabase[] = [];
  const dataSources: EmuDataSource[] = [];
  const plans: Plan[] = [];
  const prefixes = new Set<string>();
  const allPages: Array<[string, string]> = [];
  let dsIndex = 0;
  opts.databases.forEach((dbSpec, dbIndex) => {
    const dbRng = new Rng(subSeed(seed, `db:${dbIndex}`));
    const dbShared = dbSpec.shared ?? true;
    // Containers exist a few days before their first row.
    const dbCreatedMs = startMs - (dbIndex + 1) * 3 * DAY + dbRng.int(0, 12 * 3_600_000) + dbRng.int(0, 59_999);
    const db: EmuDatabase = {
      id: idRng.uuid(),
      title: titleText(dbSpec.title),
      description: dbRng.chance(0.5) ? [textItem(`Everything about ${dbSpec.title.toLowerCase()}.`)] : [],
      created_time: containerIso(dbCreatedMs),
      last_edited_time: containerIso(dbCreatedMs),
      is_inline: dbRng.chance(0.3),
      in_trash: false,
      icon: { type: 'emoji', emoji: dbRng.pick(EMOJI) },
      cover: null,
      parent: { type: 'workspace', workspace: true },
      data_source_ids: [],
      shared: dbShared,
    };
    databases.push(db);
    let dbLastEdited = dbCreatedMs;
    for (const spec of dbSpec.dataSources) {
      const index = dsIndex++;
      const rng = new Rng(subSeed(seed, `ds:${index}`));
      const kind = spec.kind ?? 'all-types';
      const prefix = uniquePrefix(spec.title, prefixes);
      const schema = kind === 'simple' ? simpleSchema(rng, prefix) : allTypesSchema(rng, prefix);
      const ppm = spec.pagesPerMinute ?? 3;
      const overrides = titleOverrides[spec.title] ?? {};
      const pageIds: string[] = new Array<string>(spec.pages);
      const titles: string[] = new Array<string>(spec.pages);
      for (let i = 0; i < spec.pages; i++) {
        pageIds[i] = idRng.uuid();
        titles[i] = overrides[i] ?? (kind === 'simple' ? `${spec.title} #${i + 1}` : rng.chance(0.02) ? '' : randomTitle(rng));
        if (kind !== 'simple') allPages.push([pageIds[i]!, titles[i]!]);
      }
      const lastPageMs = startMs + Math.floor(Math.max(0, spec.pages - 1) / ppm) * MINUTE;
      const dsEditedMs = lastPageMs + rng.int(0, 5) * DAY + rng.int(0, 1439) * MINUTE;
      dbLastEdited = Math.max(dbLastEdited, dsEditedMs + rng.int(0, 59_999));
      const ds: EmuDataSource = {
        id: idRng.uuid(),
        database_id: db.id,
        title: titleText(spec.title),
        description: [],
        properties: {},
        created_time: minuteIso(dbCreatedMs),
        last_edited_time: minuteIso(dsEditedMs),
        in_trash: false,
        icon: db.icon,
        cover: null,
        shared: dbShared && (spec.shared ?? true),
      };
      db.data_source_ids.push(ds.id);
      dataSources.push(ds);
      plans.push({
        index,
        spec,
        kind,
        shared: ds.shared,
        content: kind === 'all-types' && (spec.content ?? true),
        db,
        ds,
        schema,
        pageIds,
        titles,
        baseMs: startMs,
        ppm,
      });
    }
    db.last_edited_time = containerIso(dbLastEdited);
  });

  // Pass 2: relation targets and final schemas.
  for (const plan of plans) {
    if (plan.kind !== 'all-types') continue;
    let target: Plan | undefined;
    if (plan.spec.relatesTo !== undefined) {
      target = plans.find((p) => p.spec.title === plan.spec.relatesTo);
      if (!target) throw new Error(`generateWorkspace: "${plan.spec.title}" relates to unknown data source "${plan.spec.relatesTo}"`);
    } else {
      target = plans.find((p) => p !== plan) ?? plan;
    }
    plan.target = target;
  }
  for (const plan of plans) if (plan.target) addRelation(plan.schema, plan, plan.target);
  for (const plan of plans) plan.ds.properties = sortedById(plan.schema);

  // Pass 3: pages.
  const ctx: Ctx = { seed, users, persons, bots, plans, allPages, blocks: {}, comments: {} };
  let total = 0;
  for (const p of plans) total += p.pageIds.length;
  const pages: EmuPage[] = new Array<EmuPage>(total);
  let k = 0;
  for (const plan of plans) {
    const rng = new Rng(subSeed(seed, `pages:${plan.index}`));
    for (let i = 0; i < plan.pageIds.length; i++) {
      pages[k++] = plan.kind === 'simple' ? simplePage(ctx, plan, rng, i) : allTypesPage(ctx, plan, rng, i);
    }
  }

  return {
    token: opts.token ?? DEFAULT_TOKEN,
    users,
    databases,
    dataSources,
    pages,
    blocks: ctx.blocks,
    comments: ctx.comments,
  };
}

function pageTimes(plan: Plan, rng: Rng, i: number): [number, number] {
  const created = plan.baseMs + Math.floor(i / plan.ppm) * MINUTE;
  const r = rng.next();
  const edited = r < 0.4 ? created : r < 0.8 ? created + rng.int(1, 1440) * MINUTE : created + rng.int(1, 90) * DAY + rng.int(0, 1439) * MINUTE;
  return [created, edited];
}

function pickCreator(ctx: Ctx, rng: Rng): EmuUser {
  if (ctx.bots.length > 0 && rng.chance(0.1)) return rng.pick(ctx.bots);
  return rng.pick(ctx.persons);
}

function basePage(plan: Plan, rng: Rng, i: number, createdMs: number, editedMs: number, creator: EmuUser, editor: EmuUser): EmuPage {
  return {
    id: plan.pageIds[i]!,
    data_source_id: plan.ds.id,
    created_time: minuteIso(createdMs),
    last_edited_time: minuteIso(editedMs),
    created_by: partialUser(creator.id),
    last_edited_by: partialUser(editor.id),
    in_trash: false,
    icon: plan.kind === 'all-types' && rng.chance(0.3) ? { type: 'emoji', emoji: rng.pick(EMOJI) } : null,
    cover:
      plan.kind === 'all-types' && rng.chance(0.1)
        ? { type: 'external', external: { url: `https://images.unsplash.com/photo-${rng.int(1_500_000_000, 1_700_000_000)}` } }
        : null,
    properties: {},
    shared: plan.shared,
  };
}

function dateValue(rng: Rng, aroundMs: number): JsonObject | null {
  const r = rng.next();
  if (r < 0.15) return null;
  const ms = aroundMs + rng.int(-30, 120) * DAY;
  if (r < 0.5) {
    const withEnd = rng.chance(0.2);
    return { start: isoDate(ms), end: withEnd ? isoDate(ms + rng.int(1, 14) * DAY) : null, time_zone: null };
  }
  const at = Math.floor(ms / DAY) * DAY + rng.int(7, 19) * 3_600_000 + rng.pick([0, 15, 30, 45]) * MINUTE;
  const withEnd = rng.chance(0.3);
  const endAt = at + rng.int(1, 8) * 30 * MINUTE;
  if (r < 0.8) {
    const off = rng.pick(OFFSETS);
    return { start: isoWithOffset(at, off), end: withEnd ? isoWithOffset(endAt, off) : null, time_zone: null };
  }
  const [tz, off] = rng.pick(TIME_ZONES);
  return { start: isoWithOffset(at, off), end: withEnd ? isoWithOffset(endAt, off) : null, time_zone: tz };
}

function simplePage(ctx: Ctx, plan: Plan, rng: Rng, i: number): EmuPage {
  const [createdMs, editedMs] = pageTimes(plan, rng, i);
  const creator = pickCreator(ctx, rng);
  const editor = editedMs === createdMs ? creator : pickCreator(ctx, rng);
  const page = basePage(plan, rng, i, createdMs, editedMs, creator, editor);
  const S = SIMPLE_PROPERTIES;
  const props = plan.ds.properties;
  const id = (name: string): string => props[name]!.id;
  const opt = rng.chance(0.1) ? null : rng.pick(plan.schema.selectOptions);
  const values: Record<string, EmuPropertyValue> = {
    [S.title]: { id: 'title', type: 'title', title: titleText(plan.titles[i]!) },
    [S.number]: { id: id(S.number), type: 'number', number: rng.chance(0.1) ? null : rng.int(0, 1000) },
    [S.select]: { id: id(S.select), type: 'select', select: opt ? { id: opt.id, name: opt.name, color: opt.color } : null },
    [S.date]: {
      id: id(S.date),
      type: 'date',
      date: rng.chance(0.2) ? null : { start: isoDate(createdMs + rng.int(-10, 60) * DAY), end: null, time_zone: null },
    },
    [S.checkbox]: { id: id(S.checkbox), type: 'checkbox', checkbox: rng.chance(0.5) },
    [S.text]: { id: id(S.text), type: 'rich_text', rich_text: rng.chance(0.3) ? [] : [textItem(rng.pick(SENTENCES))] },
  };
  page.properties = orderLike(props, values);
  return page;
}

function orderLike(schema: Record<string, EmuSchemaProperty>, values: Record<string, EmuPropertyValue>): Record<string, EmuPropertyValue> {
  const out: Record<string, EmuPropertyValue> = {};
  for (const name of Object.keys(schema)) {
    const v = values[name];
    if (v === undefined) throw new Error(`internal: no value for property "${name}"`);
    out[name] = v;
  }
  return out;
}

function richTextValue(ctx: Ctx, rng: Rng, createdMs: number): JsonObject[] {
  if (rng.chance(0.2)) return [];
  const items: JsonObject[] = [];
  const n = rng.int(1, 4);
  for (let j = 0; j < n; j++) {
    const r = rng.next();
    if (r < 0.5) {
      const ann = rng.chance(0.7)
        ? annotations()
        : annotations({
            bold: rng.chance(0.5),
            italic: rng.chance(0.4),
            strikethrough: rng.chance(0.1),
            underline: rng.chance(0.2),
            code: rng.chance(0.15),
            color: rng.pick(COLORS),
          });
      items.push(textItem(rng.pick(SENTENCES) + (j < n - 1 ? ' ' : ''), ann));
    } else if (r < 0.6) {
      items.push(textItem('the spec', annotations(), `https://example.com/specs/${rng.hex(6)}`));
    } else if (r < 0.75) {
      items.push(userMention(rng.pick(ctx.persons), rng.chance(0.3) ? annotations({ color: 'green' }) : undefined));
    } else if (r < 0.87 && ctx.allPages.length > 0) {
      const [pid, title] = rng.pick(ctx.allPages);
      items.push(pageMention(pid, title));
    } else if (r < 0.95) {
      items.push(dateMention({ start: isoDate(createdMs + rng.int(0, 60) * DAY), end: null, time_zone: null }));
    } else {
      items.push(equationItem(rng.pick(['E = mc^2', '\\sum_{i=1}^{n} i', 'a^2 + b^2 = c^2'])));
    }
  }
  return items;
}

function signedFileUrl(rng: Rng, name: string, atMs: number): string {
  const date = new Date(atMs).toISOString().replace(/[-:]/g, '').slice(0, 15) + 'Z';
  return (
    `https://prod-files-secure.s3.us-west-2.amazonaws.com/${rng.uuid()}/${rng.uuid()}/${encodeURIComponent(name)}` +
    `?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD` +
    `&X-Amz-Credential=ASIAZI2LB466${rng.hex(8).toUpperCase()}%2F${date.slice(0, 8)}%2Fus-west-2%2Fs3%2Faws4_request` +
    `&X-Amz-Date=${date}&X-Amz-Expires=3600&X-Amz-Signature=${rng.hex(64)}&X-Amz-SignedHeaders=host&x-id=GetObject`
  );
}

function filesValue(rng: Rng, editedMs: number): JsonObject[] {
  if (rng.chance(0.5)) return [];
  const n = rng.int(1, 3);
  const out: JsonObject[] = [];
  for (let j = 0; j < n; j++) {
    const name = rng.pick(FILE_NAMES);
    if (rng.chance(0.6)) {
      const signedAt = editedMs + rng.int(0, 59_999);
      out.push({ name, type: 'file', file: { url: signedFileUrl(rng, name, signedAt), expiry_time: new Date(signedAt + 3_600_000).toISOString() } });
    } else {
      const url = `https://cdn.example.com/assets/${rng.hex(8)}/${encodeURIComponent(name)}`;
      out.push({ name: rng.chance(0.5) ? url : name, type: 'external', external: { url } });
    }
  }
  return out;
}

function peopleValue(ctx: Ctx, rng: Rng): JsonObject[] {
  if (rng.chance(0.25)) return [];
  const out = rng.sample(ctx.persons, rng.int(1, 4)).map(fullUser);
  if (rng.chance(0.03)) out.push({ object: 'group', id: rng.uuid(), name: 'Engineering' });
  return out;
}

function phoneValue(rng: Rng): string {
  const formats = [
    () => `+1 415-555-${String(rng.int(0, 9999)).padStart(4, '0')}`,
    () => `+44 20 7946 ${String(rng.int(0, 999)).padStart(3, '0')}`,
    () => `(555) ${rng.int(100, 999)}-${String(rng.int(0, 9999)).padStart(4, '0')}`,
    () => `03-${rng.int(1000, 9999)}-${rng.int(1000, 9999)}`,
  ];
  return rng.pick(formats)();
}

function verificationValue(ctx: Ctx, rng: Rng, createdMs: number): JsonObject {
  const r = rng.next();
  if (r < 0.5) return { state: 'unverified', verified_by: null, date: null };
  const at = Math.floor((createdMs + rng.int(1, 30) * DAY) / DAY) * DAY + 15 * 3_600_000;
  return {
    state: r < 0.8 ? 'verified' : 'expired',
    verified_by: fullUser(rng.pick(ctx.persons)),
    date: { start: new Date(at).toISOString(), end: rng.chance(0.7) ? new Date(at + 7 * DAY).toISOString() : null, time_zone: null },
  };
}

function placeValue(rng: Rng): JsonObject | null {
  if (rng.chance(0.4)) return null;
  const p = rng.pick(PLACES);
  const google = rng.chance(0.5) ? `ChIJ${rng.hex(23)}` : null;
  // Notion names a place by Google's or by Amazon's place id (derived here without drawing from rng).
  const aws = google === null ? `AQAA${p.name.replace(/[^A-Za-z]/g, '').toUpperCase()}` : null;
  return { lat: p.lat, lon: p.lon, name: p.name, address: p.address, google_place_id: google, aws_place_id: aws };
}

/** Value of the four formula properties, computed from the page's own values as the expressions say. */
function formulaValues(props: Record<string, EmuPropertyValue>): Record<string, JsonObject> {
  const P = ALL_TYPES_PROPERTIES;
  const title = ((props[P.title]?.['title'] as JsonObject[] | undefined) ?? []).map((t) => String(t['plain_text'])).join('');
  const priority = (props[P.priority]?.['select'] as JsonObject | null | undefined)?.['name'] ?? '';
  const budget = props[P.budget]?.['number'] as number | null | undefined;
  const estimate = props[P.estimate]?.['number'] as number | null | undefined;
  const due = props[P.due]?.['date'] as { start: string } | null | undefined;
  let review: JsonObject | null = null;
  if (due) {
    if (due.start.length === 10) {
      review = { start: isoDate(Date.parse(due.start) + 7 * DAY), end: null, time_zone: null };
    } else {
      review = { start: containerIso(Math.floor((Date.parse(due.start) + 7 * DAY) / MINUTE) * MINUTE), end: null, time_zone: null };
    }
  }
  return {
    [P.label]: { type: 'string', string: `${title} · ${String(priority)}` },
    [P.rate]: {
      type: 'number',
      number: budget != null && estimate != null && estimate !== 0 ? Math.round((budget / estimate) * 100) / 100 : null,
    },
    [P.overBudget]: { type: 'boolean', boolean: budget != null && budget > 50000 },
    [P.review]: { type: 'date', date: review },
  };
}

/** Recomputes the formula values of an 'all-types' page after its inputs were changed. */
export function recomputeFormulas(page: EmuPage): void {
  const values = formulaValues(page.properties);
  for (const [name, v] of Object.entries(values)) {
    const prop = page.properties[name];
    if (prop && prop.type === 'formula') prop['formula'] = v;
  }
}

function allTypesPage(ctx: Ctx, plan: Plan, rng: Rng, i: number): EmuPage {
  const P = ALL_TYPES_PROPERTIES;
  const [createdMs, editedMs] = pageTimes(plan, rng, i);
  const creator = pickCreator(ctx, rng);
  const editor = editedMs === createdMs ? creator : pickCreator(ctx, rng);
  const page = basePage(plan, rng, i, createdMs, editedMs, creator, editor);
  const schema = plan.ds.properties;
  const id = (name: string): string => schema[name]!.id;
  const s = plan.schema;
  const v: Record<string, EmuPropertyValue> = {};
  const set = (name: string, type: string, value: Json): void => {
    v[name] = { id: id(name), type, [type]: value };
  };

  const title = plan.titles[i]!;
  set(P.title, 'title', title === '' ? [] : rng.chance(0.1) ? [textItem(title.split(' ')[0]! + ' ', annotations({ bold: true })), textItem(title.split(' ').slice(1).join(' '))] : titleText(title));
  set(P.summary, 'rich_text', richTextValue(ctx, rng, createdMs));
  const estimate = rng.chance(0.15) ? null : rng.int(1, 80) / 2;
  set(P.estimate, 'number', estimate);
  set(P.budget, 'number', rng.chance(0.2) ? null : rng.int(5, 1200) * 100);
  set(P.completion, 'number', rng.chance(0.1) ? null : rng.int(0, 100) / 100);
  const pr = rng.chance(0.15) ? null : rng.pick(s.selectOptions);
  set(P.priority, 'select', pr ? { id: pr.id, name: pr.name, color: pr.color } : null);
  const st = rng.pick(s.statusOptions);
  set(P.status, 'status', { id: st.id, name: st.name, color: st.color });
  set(P.tags, 'multi_select', rng.sample(s.tagOptions, rng.chance(0.3) ? 0 : rng.int(1, 3)).map((o) => ({ id: o.id, name: o.name, color: o.color })));
  set(P.due, 'date', dateValue(rng, createdMs));
  set(P.owners, 'people', peopleValue(ctx, rng));
  set(P.attachments, 'files', filesValue(rng, editedMs));
  set(P.approved, 'checkbox', rng.chance(0.4));
  set(P.website, 'url', rng.chance(0.4) ? null : `https://example.com/${rng.pick(ADJECTIVES)}/${rng.hex(6)}?ref=notion&lang=en`);
  const contact = rng.pick(ctx.persons);
  set(P.email, 'email', rng.chance(0.4) ? null : String((contact['person'] as { email: string }).email));
  set(P.phone, 'phone_number', rng.chance(0.5) ? null : phoneValue(rng));
  set(P.created, 'created_time', minuteIso(createdMs));
  set(P.edited, 'last_edited_time', minuteIso(editedMs));
  set(P.createdBy, 'created_by', fullUser(creator));
  set(P.editedBy, 'last_edited_by', fullUser(editor));
  set(P.uid, 'unique_id', { prefix: s.prefix, number: i + 1 });
  set(P.verification, 'verification', verificationValue(ctx, rng, createdMs));
  set(P.button, 'button', {});
  set(P.place, 'place', placeValue(rng));

  const target = plan.target;
  if (target && s.relationProp) {
    const n = rng.chance(0.3) ? 0 : rng.int(1, 5);
    v[s.relationProp] = {
      id: id(s.relationProp),
      type: 'relation',
      relation: pickRelated(rng, target.pageIds, n, target === plan ? i : -1).map((pid) => ({ id: pid })),
      has_more: false,
    };
    set(P.rollupSum, 'rollup', { type: 'array', array: [], function: 'sum' });
    set(P.rollupShow, 'rollup', { type: 'array', array: [], function: 'show_original' });
  }
  const f = formulaValues(v);
  for (const [name, value] of Object.entries(f)) set(name, 'formula', value);

  page.properties = orderLike(schema, v);
  if (plan.content) addContent(ctx, plan, rng, page, createdMs, editedMs, creator, editor);
  return page;
}

/** `n` distinct ids from `ids` (never the one at `skip`), picked without scanning the whole list. */
function pickRelated(rng: Rng, ids: readonly string[], n: number, skip: number): string[] {
  const available = ids.length - (skip >= 0 && skip < ids.length ? 1 : 0);
  const want = Math.min(n, available);
  if (want <= 0) return [];
  if (want * 3 > available) {
    return rng.sample(ids.filter((_, j) => j !== skip), want);
  }
  const chosen = new Set<number>();
  const out: string[] = [];
  while (out.length < want) {
    const j = rng.int(0, ids.length - 1);
    if (j === skip || chosen.has(j)) continue;
    chosen.add(j);
    out.push(ids[j]!);
  }
  return out;
}

function block(
  parent: JsonObject,
  id: string,
  createdMs: number,
  editedMs: number,
  createdBy: string,
  editedBy: string,
  type: string,
  body: JsonObject,
  hasChildren = false,
): JsonObject {
  return {
    object: 'block',
    id,
    parent,
    created_time: minuteIso(createdMs),
    last_edited_time: minuteIso(editedMs),
    created_by: partialUser(createdBy),
    last_edited_by: partialUser(editedBy),
    has_children: hasChildren,
    archived: false,
    in_trash: false,
    type,
    [type]: body,
  };
}

function addContent(ctx: Ctx, plan: Plan, rng: Rng, page: EmuPage, createdMs: number, editedMs: number, creator: EmuUser, editor: EmuUser): void {
  const parent = { type: 'page_id', page_id: page.id };
  const between = (): number => createdMs + Math.floor(rng.next() * (editedMs - createdMs + 1));
  const blocks: JsonObject[] = [];
  const mk = (type: string, body: JsonObject, hasChildren = false): JsonObject => {
    const b = block(parent, rng.uuid(), createdMs, between(), creator.id, rng.chance(0.7) ? creator.id : editor.id, type, body, hasChildren);
    blocks.push(b);
    return b;
  };
  mk('heading_1', { rich_text: [textItem(rng.pick(['Overview', 'Context', 'Goals & scope', 'Next steps']))], is_toggleable: rng.chance(0.1), color: 'default' });
  mk('paragraph', { rich_text: richTextValue(ctx, rng, createdMs), color: 'default' });
  const todos = rng.int(0, 3);
  for (let j = 0; j < todos; j++) {
    mk('to_do', { rich_text: [textItem(`${rng.pick(VERBS)} the ${rng.pick(NOUNS)}`)], checked: rng.chance(0.5), color: 'default' });
  }
  const bullets = rng.int(1, 3);
  for (let j = 0; j < bullets; j++) {
    const nested = rng.chance(0.15);
    const b = mk('bulleted_list_item', { rich_text: [textItem(rng.pick(SENTENCES))], color: 'default' }, nested);
    if (nested) {
      const bid = String(b['id']);
      const kids: JsonObject[] = [];
      const n = rng.int(1, 2);
      for (let c = 0; c < n; c++) {
        kids.push(
          block({ type: 'block_id', block_id: bid }, rng.uuid(), createdMs, between(), creator.id, creator.id, 'bulleted_list_item', {
            rich_text: [textItem(rng.pick(SENTENCES))],
            color: 'default',
          }),
        );
      }
      ctx.blocks[bid] = kids;
    }
  }
  ctx.blocks[page.id] = blocks;

  if (rng.chance(0.25)) {
    const discussion = rng.uuid();
    const n = rng.int(1, 2);
    const comments: JsonObject[] = [];
    for (let j = 0; j < n; j++) {
      const at = minuteIso(between());
      const author = rng.pick(ctx.persons);
      comments.push({
        object: 'comment',
        id: rng.uuid(),
        parent: { type: 'page_id', page_id: page.id },
        discussion_id: discussion,
        created_time: at,
        last_edited_time: at,
        created_by: partialUser(author.id),
        rich_text: rng.chance(0.3)
          ? [userMention(rng.pick(ctx.persons)), textItem(' can you take a look?')]
          : [textItem(rng.pick(SENTENCES))],
      });
    }
    ctx.comments[page.id] = comments;
  }
}

// ---------------------------------------------------------------------------------------------------
// Edge cases written onto chosen pages after generation

function plainTitle(rich: Json): string {
  return Array.isArray(rich) ? rich.map((t) => String((t as JsonObject)['plain_text'] ?? '')).join('') : '';
}

function titleOf(page: EmuPage): string {
  const t = Object.values(page.properties).find((p) => p.type === 'title');
  return t ? plainTitle(t['title'] ?? []) : '';
}

function pagesOf(ws: Workspace, dataSourceId: string): EmuPage[] {
  return ws.pages.filter((p) => p.data_source_id === dataSourceId);
}

function relationPropName(ws: Workspace, page: EmuPage): string {
  const ds = ws.dataSources.find((d) => d.id === page.data_source_id);
  const rel = ds && Object.values(ds.properties).find((p) => p.type === 'relation');
  if (!rel) throw new Error(`internal: data source of page ${page.id} has no relation`);
  return rel.name;
}

function setRelationCount(ws: Workspace, rng: Rng, page: EmuPage, count: number): void {
  const name = relationPropName(ws, page);
  const prop = page.properties[name]!;
  const cfg = ws.dataSources.find((d) => d.id === page.data_source_id)!.properties[name]!['relation'] as JsonObject;
  const targetIds = pagesOf(ws, String(cfg['data_source_id'])).map((p) => p.id).filter((id) => id !== page.id);
  if (targetIds.length < count) throw new Error(`internal: target has only ${targetIds.length} pages, need ${count}`);
  prop['relation'] = rng.sample(targetIds, count).map((id) => ({ id }));
  prop['has_more'] = false;
}

function setPeopleCount(ws: Workspace, rng: Rng, page: EmuPage, count: number): void {
  const persons = ws.users.filter((u) => u.type === 'person');
  if (persons.length < count) throw new Error(`internal: need ${count} persons, have ${persons.length}`);
  page.properties[ALL_TYPES_PROPERTIES.owners]!['people'] = rng.sample(persons, count).map(fullUser);
}

function setMentionCount(ws: Workspace, rng: Rng, page: EmuPage, count: number): void {
  const persons = ws.users.filter((u) => u.type === 'person');
  const others = ws.pages.filter((p) => p.data_source_id === page.data_source_id && p.id !== page.id).slice(0, 50);
  const items: JsonObject[] = [textItem('Mentions: ')];
  for (let k = 0; k < count; k++) {
    if (k > 0) items.push(textItem(', '));
    const kind = k % 3;
    if (kind === 0 || others.length === 0) items.push(userMention(rng.pick(persons)));
    else if (kind === 1) {
      const other = rng.pick(others);
      items.push(pageMention(other.id, titleOf(other)));
    } else items.push(dateMention({ start: `2024-0${1 + (k % 9)}-1${k % 10}`, end: null, time_zone: null }));
  }
  page.properties[ALL_TYPES_PROPERTIES.summary]!['rich_text'] = items;
}

/** Titles of the edge-case pages of a ready-made workspace. */
export interface EdgeCaseTitles {
  relationMany: string;
  relation25: string;
  people30: string;
  people25: string;
  mentions30: string;
  trashed: string;
}

/** Page index of each edge case in its data source. */
const EDGE_CASE_INDEX: Record<keyof EdgeCaseTitles, number> = {
  relationMany: 1,
  relation25: 2,
  people30: 3,
  people25: 4,
  mentions30: 5,
  trashed: 6,
};

function edgeCaseTitles(dataSourceTitle: string, titles: EdgeCaseTitles): TitleOverrides {
  const byIndex: Record<number, string> = {};
  for (const [k, i] of Object.entries(EDGE_CASE_INDEX)) byIndex[i] = titles[k as keyof EdgeCaseTitles];
  return { [dataSourceTitle]: byIndex };
}

/** Writes the edge cases onto the pages that `edgeCaseTitles` named. */
function applyEdgeCases(ws: Workspace, seed: number, dataSourceId: string, titles: EdgeCaseTitles, relationMany: number): void {
  const rng = new Rng(subSeed(seed, `edge:${dataSourceId}`));
  const pages = pagesOf(ws, dataSourceId);
  const at = (k: keyof EdgeCaseTitles): EmuPage => {
    const p = pages[EDGE_CASE_INDEX[k]];
    if (!p || titleOf(p) !== titles[k]) throw new Error(`internal: data source ${dataSourceId} lacks the "${titles[k]}" page`);
    return p;
  };
  setRelationCount(ws, rng, at('relationMany'), relationMany);
  setRelationCount(ws, rng, at('relation25'), 25);
  setPeopleCount(ws, rng, at('people30'), 30);
  setPeopleCount(ws, rng, at('people25'), 25);
  setMentionCount(ws, rng, at('mentions30'), 30);
  at('trashed').in_trash = true;
}

function findDatabase(ws: Workspace, title: string): EmuDatabase {
  const db = ws.databases.find((d) => plainTitle(d.title) === title);
  if (!db) throw new Error(`workspace has no database titled "${title}"`);
  return db;
}

function findDataSource(ws: Workspace, db: EmuDatabase, title: string): EmuDataSource {
  const ds = ws.dataSources.find((d) => d.database_id === db.id && plainTitle(d.title) === title);
  if (!ds) throw new Error(`database "${plainTitle(db.title)}" has no data source titled "${title}"`);
  return ds;
}

function relationOf(ds: EmuDataSource): string {
  const rel = Object.values(ds.properties).find((p) => p.type === 'relation');
  if (!rel) throw new Error(`data source ${ds.id} has no relation property`);
  return rel.name;
}

function findPageByTitle(ws: Workspace, dataSourceId: string, title: string): EmuPage {
  const page = ws.pages.find((p) => p.data_source_id === dataSourceId && titleOf(p) === title);
  if (!page) throw new Error(`data source ${dataSourceId} has no page titled "${title}"`);
  return page;
}

// ---------------------------------------------------------------------------------------------------
// The all-types workspace

/** Titles of the edge-case pages of `allTypesWorkspace()` (all in the "Projects" data source). */
export const ALL_TYPES_TITLES: EdgeCaseTitles = {
  relationMany: 'Relation overflow (60 tasks)',
  relation25: 'Exactly 25 tasks',
  people30: 'Big team (30 owners)',
  people25: 'Exactly 25 owners',
  mentions30: 'Mentions galore (30 mentions)',
  trashed: 'Trashed project',
};

export function allTypesSpec(seed = 1): GenerateOptions {
  return {
    seed,
    databases: [
      { title: 'Projects', dataSources: [{ title: 'Projects', pages: 40, kind: 'all-types' }] },
      {
        title: 'Tasks',
        dataSources: [
          { title: 'Tasks', pages: 90, kind: 'all-types' },
          { title: 'Archive', pages: 20, kind: 'simple' },
        ],
      },
      { title: 'Secret', shared: false, dataSources: [{ title: 'Secret', pages: 8, kind: 'simple' }] },
    ],
  };
}

/**
 * The completeness workspace: "Projects" (40 'all-types' pages, relation "Tasks" to the Tasks data
 * source with a sum rollup "Total estimate" and a show_original rollup), "Tasks" (a database with two
 * data sources, "Tasks" ('all-types', 90 pages, relation "Projects") and "Archive" ('simple', 20)),
 * and "Secret" (unshared, 8 'simple' pages). Edge cases in Projects: see `ALL_TYPES_TITLES` and
 * `allTypesIds()`.
 */
export function allTypesWorkspace(opts?: { seed?: number }): Workspace {
  return workspaceWithEdgeCases(allTypesSpec(opts?.seed ?? 1), ALL_TYPES_TITLES, 60);
}

/** Builds a workspace whose "Projects" data source carries the edge-case pages named by `titles`. */
function workspaceWithEdgeCases(spec: GenerateOptions, titles: EdgeCaseTitles, relationCount: number): Workspace {
  const ws = buildWorkspace(spec, edgeCaseTitles('Projects', titles));
  const db = findDatabase(ws, 'Projects');
  applyEdgeCases(ws, spec.seed ?? 1, findDataSource(ws, db, 'Projects').id, titles, relationCount);
  return ws;
}

export interface AllTypesIds {
  projectsDatabaseId: string;
  projectsDataSourceId: string;
  tasksDatabaseId: string;
  tasksDataSourceId: string;
  archiveDataSourceId: string;
  secretDatabaseId: string;
  secretDataSourceId: string;
  /** Projects page whose relation holds 60 task ids. */
  relation60PageId: string;
  /** Projects page whose relation holds exactly 25 task ids. */
  relation25PageId: string;
  /** Projects page whose people property holds 30 users. */
  people30PageId: string;
  /** Projects page whose people property holds exactly 25 users. */
  people25PageId: string;
  /** Projects page whose rich_text property holds 30 mention items. */
  mentions30PageId: string;
  /** Projects page with in_trash: true. */
  trashedPageId: string;
  /** Property names on Projects. */
  relationProperty: string;
  rollupSumProperty: string;
  rollupShowProperty: string;
  peopleProperty: string;
  mentionsProperty: string;
}

/** Finds the special objects of a workspace built by `allTypesWorkspace()` (any seed, also after a seed-file round trip). */
export function allTypesIds(ws: Workspace): AllTypesIds {
  const projectsDb = findDatabase(ws, 'Projects');
  const tasksDb = findDatabase(ws, 'Tasks');
  const secretDb = findDatabase(ws, 'Secret');
  const projects = findDataSource(ws, projectsDb, 'Projects');
  const page = (title: string): string => findPageByTitle(ws, projects.id, title).id;
  return {
    projectsDatabaseId: projectsDb.id,
    projectsDataSourceId: projects.id,
    tasksDatabaseId: tasksDb.id,
    tasksDataSourceId: findDataSource(ws, tasksDb, 'Tasks').id,
    archiveDataSourceId: findDataSource(ws, tasksDb, 'Archive').id,
    secretDatabaseId: secretDb.id,
    secretDataSourceId: findDataSource(ws, secretDb, 'Secret').id,
    relation60PageId: page(ALL_TYPES_TITLES.relationMany),
    relation25PageId: page(ALL_TYPES_TITLES.relation25),
    people30PageId: page(ALL_TYPES_TITLES.people30),
    people25PageId: page(ALL_TYPES_TITLES.people25),
    mentions30PageId: page(ALL_TYPES_TITLES.mentions30),
    trashedPageId: page(ALL_TYPES_TITLES.trashed),
    relationProperty: relationOf(projects),
    rollupSumProperty: ALL_TYPES_PROPERTIES.rollupSum,
    rollupShowProperty: ALL_TYPES_PROPERTIES.rollupShow,
    peopleProperty: ALL_TYPES_PROPERTIES.owners,
    mentionsProperty: ALL_TYPES_PROPERTIES.summary,
  };
}

// ---------------------------------------------------------------------------------------------------
// Scale and demo

/**
 * `dataSources` databases ("Scale 1", "Scale 2", ...) of one data source each, `pagesEach` pages, 'simple' by default, no blocks or comments.
 * `pagesPerMinute` (default 3) sets how many pages share a created_time minute: a bulk import puts thousands in one.
 */
export function scaleWorkspace(opts: { dataSources: number; pagesEach: number; seed?: number; kind?: 'all-types' | 'simple'; pagesPerMinute?: number }): Workspace {
  if (!Number.isInteger(opts.dataSources) || opts.dataSources < 1) throw new Error('scaleWorkspace: "dataSources" must be a positive integer');
  if (!Number.isInteger(opts.pagesEach) || opts.pagesEach < 0) throw new Error('scaleWorkspace: "pagesEach" must be a non-negative integer');
  const databases: DatabaseSpec[] = [];
  for (let i = 1; i <= opts.dataSources; i++) {
    databases.push({
      title: `Scale ${i}`,
      dataSources: [{ title: `Scale ${i}`, pages: opts.pagesEach, kind: opts.kind ?? 'simple', content: false, ...(opts.pagesPerMinute ? { pagesPerMinute: opts.pagesPerMinute } : {}) }],
    });
  }
  return generateWorkspace({ seed: opts.seed ?? 1, databases });
}

/** Titles of the edge-case pages of `demoWorkspace()` (all in the "Projects" data source). */
export const DEMO_TITLES: EdgeCaseTitles = {
  relationMany: 'Platform rewrite (130 tasks)',
  relation25: 'Website refresh (25 tasks)',
  people30: 'Company offsite (30 owners)',
  people25: 'Hiring push (25 owners)',
  mentions30: 'Weekly digest (30 mentions)',
  trashed: 'Cancelled initiative',
};

export function demoSpec(seed = 1): GenerateOptions {
  return {
    seed,
    users: 60,
    databases: [
      { title: 'Projects', dataSources: [{ title: 'Projects', pages: 120, kind: 'all-types', relatesTo: 'Tasks' }] },
      {
        title: 'Tasks',
        dataSources: [
          { title: 'Tasks', pages: 1500, kind: 'all-types', relatesTo: 'Projects', pagesPerMinute: 2 },
          { title: 'Backlog', pages: 400, kind: 'simple' },
        ],
      },
      { title: 'Meetings', dataSources: [{ title: 'Meetings', pages: 300, kind: 'all-types', relatesTo: 'People directory' }] },
      { title: 'People directory', dataSources: [{ title: 'People directory', pages: 150, kind: 'simple', pagesPerMinute: 1 }] },
      { title: 'HR notes', shared: false, dataSources: [{ title: 'HR notes', pages: 20, kind: 'simple' }] },
    ],
  };
}

/**
 * A few thousand rows over related databases: Projects ↔ Tasks (+ a "Backlog" data source in the
 * Tasks database), Meetings → People directory, and an unshared "HR notes". Edge cases in Projects:
 * see `DEMO_TITLES` (a 130-id relation, 25 ids, 30 and 25 people, 30 mentions, a trashed page).
 */
export function demoWorkspace(opts?: { seed?: number }): Workspace {
  const ws = workspaceWithEdgeCases(demoSpec(opts?.seed ?? 1), DEMO_TITLES, 130);
  addSampleContent(ws, { dataSourceTitle: 'Projects', pages: 10 }); // rich documents and discussions
  addStandalonePages(ws); // a small wiki outside the databases
  return ws;
}
