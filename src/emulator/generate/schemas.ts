/** The two data source schemas ('all-types' and 'simple'), the relation with its rollups, and property order. */
import type { Json, JsonObject, EmuSchemaProperty } from '../workspace.js';
import type { Option, Plan, SchemaInfo } from './plan.js';
import type { Rng } from './rng.js';
import { encodePropertyId, PROPERTY_ID_CHARS, PropertyIds } from './values.js';
import { CATEGORIES, PRIORITIES, STATUS_GROUPS, STATUSES, TAGS } from './words.js';

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

/** A unique_id prefix from the title's first letters, unique in the workspace (`used` tracks them). */
export function uniquePrefix(title: string, used: Set<string>): string {
  const letters = title.normalize('NFD').replace(/[^A-Za-z]/g, '').toUpperCase();
  let base = letters.slice(0, 4) || 'ID';
  let p = base;
  for (let n = 2; used.has(p); n++) p = `${base}${n}`;
  used.add(p);
  base = p;
  return base;
}

/** The 'simple' schema: title, number, select, date, checkbox, rich text; the title alone with `titleOnly`. */
export function simpleSchema(rng: Rng, prefix: string, titleOnly = false): SchemaInfo {
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
  if (titleOnly) return s;
  addProp(s, P.number, 'number', { format: 'number' });
  addProp(s, P.select, 'select', { options: s.selectOptions.map(schemaOption) });
  addProp(s, P.date, 'date', {});
  addProp(s, P.checkbox, 'checkbox', {});
  addProp(s, P.text, 'rich_text', {});
  return s;
}

/** The 'all-types' schema without its relation and rollups (see `addRelation`). */
export function allTypesSchema(rng: Rng, prefix: string): SchemaInfo {
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
export function addRelation(s: SchemaInfo, self: Plan, target: Plan): void {
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
export function sortedById(s: SchemaInfo): Record<string, EmuSchemaProperty> {
  const key = (p: EmuSchemaProperty): string => (p.id === 'title' ? '\uffff' : s.rawIds.get(p.name) ?? p.id);
  const out: Record<string, EmuSchemaProperty> = {};
  for (const p of Object.values(s.properties).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))) out[p.name] = p;
  return out;
}
