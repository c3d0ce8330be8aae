/**
 * Data source query semantics: filters (timestamp and common property conditions, nested in and/or)
 * and sorts (timestamps and simple property types), compiled once per request into a predicate and a
 * sort key. Without sorts the order is created_time then id; ties in any sort are broken by id.
 */

import { validationError } from './errors.js';
import type { SortKey } from './pagination.js';
import { plainText, samePropertyId } from './render.js';
import type { EmuPage, EmuPropertyValue, EmuSchemaProperty, Json, JsonObject } from './workspace.js';

export interface CompiledQuery {
  matches(page: EmuPage): boolean;
  keyOf(page: EmuPage): SortKey;
  descending: boolean[];
}

type Schema = Record<string, EmuSchemaProperty>;

function isObject(x: unknown): x is JsonObject {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

const parsed = new Map<string, number>();

/** Date.parse with a small memo: page timestamps repeat (minute precision) and queries re-read them all. */
function instant(iso: string): number {
  let t = parsed.get(iso);
  if (t === undefined) {
    t = Date.parse(iso);
    if (parsed.size >= 100_000) parsed.clear();
    parsed.set(iso, t);
  }
  return t;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** A date condition (`{on_or_after: iso}` etc.) applied to an ISO value (null when empty). */
function dateCondition(path: string, condition: unknown): (value: string | null) => boolean {
  if (!isObject(condition)) throw validationError(`body failed validation: ${path} should be an object.`);
  const entries = Object.entries(condition);
  if (entries.length !== 1) throw validationError(`body failed validation: ${path} should have exactly one condition.`);
  const [op, raw] = entries[0] as [string, Json];
  if (op === 'is_empty') return (v) => v === null;
  if (op === 'is_not_empty') return (v) => v !== null;
  if (typeof raw !== 'string' || Number.isNaN(instant(raw))) {
    throw validationError(`body failed validation: ${path}.${op} should be a valid ISO 8601 date string, instead was \`${JSON.stringify(raw)}\`.`);
  }
  // A date-only bound compares whole (UTC) days; a date-time bound compares instants.
  const byDay = DATE_ONLY.test(raw);
  const bound = byDay ? raw : instant(raw);
  const measure = (v: string): string | number => (byDay ? new Date(instant(v)).toISOString().slice(0, 10) : instant(v));
  const cmp = (v: string): number => {
    const m = measure(v);
    return m < bound ? -1 : m > bound ? 1 : 0;
  };
  switch (op) {
    case 'equals':
      return (v) => v !== null && cmp(v) === 0;
    case 'before':
      return (v) => v !== null && cmp(v) < 0;
    case 'after':
      return (v) => v !== null && cmp(v) > 0;
    case 'on_or_before':
      return (v) => v !== null && cmp(v) <= 0;
    case 'on_or_after':
      return (v) => v !== null && cmp(v) >= 0;
    default:
      throw validationError(`body failed validation: ${path}.${op} is not a supported date condition.`);
  }
}

function findSchema(schema: Schema, nameOrId: string): [string, EmuSchemaProperty] | undefined {
  const byName = schema[nameOrId];
  if (byName !== undefined) return [nameOrId, byName];
  for (const [name, prop] of Object.entries(schema)) if (samePropertyId(prop.id, nameOrId)) return [name, prop];
  return undefined;
}

function valueOf(page: EmuPage, name: string): EmuPropertyValue | undefined {
  return page.properties[name];
}

function textOf(v: EmuPropertyValue | undefined): string | null {
  if (v === undefined) return null;
  const x = v[v.type];
  if (Array.isArray(x)) return plainText(x);
  return typeof x === 'string' ? x : null;
}

function dateOf(v: EmuPropertyValue | undefined): string | null {
  if (v === undefined) return null;
  const x = v[v.type];
  if (typeof x === 'string') return x;
  if (isObject(x) && typeof x.start === 'string') return x.start;
  return null;
}

function namesOf(v: EmuPropertyValue | undefined, key: 'name' | 'id'): string[] {
  if (v === undefined) return [];
  const x = v[v.type];
  const list = Array.isArray(x) ? x : isObject(x) ? [x] : [];
  return list.flatMap((item) => (isObject(item) && typeof item[key] === 'string' ? [item[key] as string] : []));
}

function numberOf(v: EmuPropertyValue | undefined): number | null {
  if (v === undefined) return null;
  const x = v[v.type];
  if (typeof x === 'number') return x;
  if (isObject(x) && typeof x.number === 'number') return x.number;
  return null;
}

function textCondition(path: string, op: string, arg: Json): (s: string | null) => boolean {
  if (op === 'is_empty') return (s) => s === null || s === '';
  if (op === 'is_not_empty') return (s) => s !== null && s !== '';
  if (typeof arg !== 'string') throw validationError(`body failed validation: ${path}.${op} should be a string.`);
  switch (op) {
    case 'equals':
      return (s) => s === arg;
    case 'does_not_equal':
      return (s) => s !== arg;
    case 'contains':
      return (s) => s !== null && s.toLowerCase().includes(arg.toLowerCase());
    case 'does_not_contain':
      return (s) => s === null || !s.toLowerCase().includes(arg.toLowerCase());
    case 'starts_with':
      return (s) => s !== null && s.startsWith(arg);
    case 'ends_with':
      return (s) => s !== null && s.endsWith(arg);
    default:
      throw validationError(`body failed validation: ${path}.${op} is not a supported condition.`);
  }
}

function numberCondition(path: string, op: string, arg: Json): (n: number | null) => boolean {
  if (op === 'is_empty') return (n) => n === null;
  if (op === 'is_not_empty') return (n) => n !== null;
  if (typeof arg !== 'number') throw validationError(`body failed validation: ${path}.${op} should be a number.`);
  switch (op) {
    case 'equals':
      return (n) => n === arg;
    case 'does_not_equal':
      return (n) => n !== arg;
    case 'greater_than':
      return (n) => n !== null && n > arg;
    case 'less_than':
      return (n) => n !== null && n < arg;
    case 'greater_than_or_equal_to':
      return (n) => n !== null && n >= arg;
    case 'less_than_or_equal_to':
      return (n) => n !== null && n <= arg;
    default:
      throw validationError(`body failed validation: ${path}.${op} is not a supported condition.`);
  }
}

function singleCondition(path: string, condition: unknown): [string, Json] {
  if (!isObject(condition)) throw validationError(`body failed validation: ${path} should be an object.`);
  const entries = Object.entries(condition);
  const first = entries[0];
  if (entries.length !== 1 || first === undefined) {
    throw validationError(`body failed validation: ${path} should have exactly one condition.`);
  }
  return first;
}

function propertyFilter(filter: JsonObject, schema: Schema, path: string): (page: EmuPage) => boolean {
  const ref = filter.property;
  if (typeof ref !== 'string') throw validationError(`body failed validation: ${path}.property should be a string.`);
  const found = findSchema(schema, ref);
  if (found === undefined) throw validationError(`Could not find property with name or id: ${ref}`);
  const [name, prop] = found;
  const type = prop.type;
  const condition = filter[type];
  if (condition === undefined) {
    throw validationError(`body failed validation: ${path}.${type} should be defined, instead was \`undefined\`.`);
  }
  const cpath = `${path}.${type}`;
  switch (type) {
    case 'title':
    case 'rich_text':
    case 'url':
    case 'email':
    case 'phone_number': {
      const [op, arg] = singleCondition(cpath, condition);
      const test = textCondition(cpath, op, arg);
      return (page) => test(textOf(valueOf(page, name)));
    }
    case 'number':
    case 'unique_id': {
      const [op, arg] = singleCondition(cpath, condition);
      const test = numberCondition(cpath, op, arg);
      return (page) => test(numberOf(valueOf(page, name)));
    }
    case 'checkbox': {
      const [op, arg] = singleCondition(cpath, condition);
      if ((op !== 'equals' && op !== 'does_not_equal') || typeof arg !== 'boolean') {
        throw validationError(`body failed validation: ${cpath}.${op} is not a supported condition.`);
      }
      return (page) => (valueOf(page, name)?.checkbox === arg) === (op === 'equals');
    }
    case 'select':
    case 'status':
    case 'multi_select': {
      const [op, arg] = singleCondition(cpath, condition);
      if (op === 'is_empty') return (page) => namesOf(valueOf(page, name), 'name').length === 0;
      if (op === 'is_not_empty') return (page) => namesOf(valueOf(page, name), 'name').length > 0;
      if (typeof arg !== 'string') throw validationError(`body failed validation: ${cpath}.${op} should be a string.`);
      const positive = type === 'multi_select' ? 'contains' : 'equals';
      const negative = type === 'multi_select' ? 'does_not_contain' : 'does_not_equal';
      if (op !== positive && op !== negative) {
        throw validationError(`body failed validation: ${cpath}.${op} is not a supported condition.`);
      }
      return (page) => namesOf(valueOf(page, name), 'name').includes(arg) === (op === positive);
    }
    case 'people':
    case 'relation': {
      const [op, arg] = singleCondition(cpath, condition);
      if (op === 'is_empty') return (page) => namesOf(valueOf(page, name), 'id').length === 0;
      if (op === 'is_not_empty') return (page) => namesOf(valueOf(page, name), 'id').length > 0;
      if (typeof arg !== 'string' || (op !== 'contains' && op !== 'does_not_contain')) {
        throw validationError(`body failed validation: ${cpath}.${op} is not a supported condition.`);
      }
      return (page) => namesOf(valueOf(page, name), 'id').includes(arg) === (op === 'contains');
    }
    case 'date':
    case 'created_time':
    case 'last_edited_time': {
      const test = dateCondition(cpath, condition);
      return (page) => test(dateOf(valueOf(page, name)));
    }
    default:
      throw validationError(`Filtering on ${type} properties is not supported.`);
  }
}

function compileFilter(filter: unknown, schema: Schema, path: string): (page: EmuPage) => boolean {
  if (!isObject(filter)) throw validationError(`body failed validation: ${path} should be an object, instead was \`${JSON.stringify(filter)}\`.`);
  if ('and' in filter || 'or' in filter) {
    const op = 'and' in filter ? 'and' : 'or';
    const list = filter[op];
    if (!Array.isArray(list)) throw validationError(`body failed validation: ${path}.${op} should be an array.`);
    const parts = list.map((f, i) => compileFilter(f, schema, `${path}.${op}[${i}]`));
    return op === 'and' ? (p) => parts.every((t) => t(p)) : (p) => parts.some((t) => t(p));
  }
  if ('timestamp' in filter) {
    const ts = filter.timestamp;
    if (ts !== 'created_time' && ts !== 'last_edited_time') {
      throw validationError(
        `body failed validation: ${path}.timestamp should be \`"created_time"\` or \`"last_edited_time"\`, instead was \`${JSON.stringify(ts)}\`.`,
      );
    }
    const test = dateCondition(`${path}.${ts}`, filter[ts]);
    return (page) => test(page[ts]);
  }
  if ('property' in filter) return propertyFilter(filter, schema, path);
  throw validationError(
    `body failed validation. Fix one:\n${path}.or should be defined, instead was \`undefined\`.\n${path}.and should be defined, instead was \`undefined\`.\n${path}.property should be defined, instead was \`undefined\`.\n${path}.timestamp should be defined, instead was \`undefined\`.`,
  );
}

function sortValue(page: EmuPage, name: string, prop: EmuSchemaProperty): string | number | null {
  const v = valueOf(page, name);
  switch (prop.type) {
    case 'number':
    case 'unique_id':
      return numberOf(v);
    case 'checkbox':
      return v?.checkbox === true ? 1 : 0;
    case 'title':
    case 'rich_text':
    case 'url':
    case 'email':
    case 'phone_number': {
      const s = textOf(v);
      return s === null || s === '' ? null : s.toLowerCase();
    }
    case 'select':
    case 'status': {
      const id = namesOf(v, 'id')[0];
      if (id === undefined) return null;
      const config = prop[prop.type];
      const options = isObject(config) && Array.isArray(config.options) ? config.options : [];
      const index = options.findIndex((o) => isObject(o) && o.id === id);
      return index === -1 ? Number.MAX_SAFE_INTEGER : index;
    }
    case 'multi_select':
    case 'people': {
      const names = namesOf(v, 'name');
      return names.length === 0 ? null : names.join(',').toLowerCase();
    }
    case 'date':
    case 'created_time':
    case 'last_edited_time': {
      const d = dateOf(v);
      return d === null ? null : instant(d);
    }
    case 'formula': {
      const f = v?.formula;
      if (!isObject(f) || typeof f.type !== 'string') return null;
      const x = f[f.type];
      if (typeof x === 'number' || typeof x === 'string') return x;
      if (typeof x === 'boolean') return x ? 1 : 0;
      if (isObject(x) && typeof x.start === 'string') return instant(x.start);
      return null;
    }
    default:
      return null;
  }
}

const SORTABLE = new Set([
  'number', 'unique_id', 'checkbox', 'title', 'rich_text', 'url', 'email', 'phone_number', 'select', 'status',
  'multi_select', 'people', 'date', 'created_time', 'last_edited_time', 'formula', 'created_by', 'last_edited_by',
]);

type KeyPart = (page: EmuPage) => string | number | null;

function compileSorts(sorts: unknown, schema: Schema): { parts: KeyPart[]; descending: boolean[] } {
  if (sorts === undefined || sorts === null) {
    return { parts: [(p) => instant(p.created_time)], descending: [false] };
  }
  if (!Array.isArray(sorts)) throw validationError('body failed validation: body.sorts should be an array.');
  const parts: KeyPart[] = [];
  const descending: boolean[] = [];
  sorts.forEach((sort, i) => {
    const path = `body.sorts[${i}]`;
    if (!isObject(sort)) throw validationError(`body failed validation: ${path} should be an object.`);
    const direction = sort.direction;
    if (direction !== 'ascending' && direction !== 'descending') {
      throw validationError(
        `body failed validation: ${path}.direction should be \`"ascending"\` or \`"descending"\`, instead was \`${JSON.stringify(direction)}\`.`,
      );
    }
    if (typeof sort.timestamp === 'string') {
      const ts = sort.timestamp;
      if (ts !== 'created_time' && ts !== 'last_edited_time') {
        throw validationError(`body failed validation: ${path}.timestamp should be \`"created_time"\` or \`"last_edited_time"\`.`);
      }
      parts.push((p) => instant(p[ts]));
    } else if (typeof sort.property === 'string') {
      const found = findSchema(schema, sort.property);
      if (found === undefined) throw validationError(`Could not find sort property with name or id: ${sort.property}`);
      const [name, prop] = found;
      if (!SORTABLE.has(prop.type)) throw validationError(`Sorting on ${prop.type} properties is not supported.`);
      parts.push((p) => sortValue(p, name, prop));
    } else {
      throw validationError(`body failed validation: ${path}.property or ${path}.timestamp should be defined.`);
    }
    descending.push(direction === 'descending');
  });
  if (parts.length === 0) return compileSorts(undefined, schema);
  return { parts, descending };
}

/** Compiles a query body's `filter` and `sorts` against a data source schema. Throws 400s. */
export function compileQuery(body: JsonObject, schema: Schema): CompiledQuery {
  const matches = body.filter === undefined || body.filter === null ? () => true : compileFilter(body.filter, schema, 'body.filter');
  const { parts, descending } = compileSorts(body.sorts, schema);
  return {
    matches,
    keyOf: (page) => {
      const key: Array<string | number | null> = new Array(parts.length + 1);
      for (let i = 0; i < parts.length; i++) key[i] = (parts[i] as KeyPart)(page);
      key[parts.length] = page.id;
      return key;
    },
    descending: [...descending, false],
  };
}
