/**
 * Rollup values, computed from the related pages' values (the workspace never stores them).
 * Input: for each related page, its rolled-up property value without id (`{type, <type>: value}`).
 */

import type { Json, JsonObject } from './workspace.js';

/** A property value reduced to `{type, <type>: value}`. */
export type TypedValue = JsonObject & { type: string };

export function stripId(value: JsonObject): TypedValue {
  const type = typeof value.type === 'string' ? value.type : 'unsupported';
  const out: TypedValue = { type, [type]: value[type] ?? null };
  return out;
}

function inner(v: TypedValue): Json {
  return v[v.type] ?? null;
}

function isEmpty(v: TypedValue): boolean {
  const x = inner(v);
  if (v.type === 'checkbox') return false;
  if (v.type === 'formula' || v.type === 'rollup') {
    if (x === null || typeof x !== 'object' || Array.isArray(x)) return true;
    const t = x.type;
    if (typeof t !== 'string') return true;
    return isEmpty({ type: t, [t]: x[t] ?? null });
  }
  return x === null || x === '' || (Array.isArray(x) && x.length === 0);
}

/** The elements a value contributes to value counts: array items, or the value itself. */
function elements(v: TypedValue): Json[] {
  const x = inner(v);
  if (Array.isArray(x)) return x;
  if (isEmpty(v)) return [];
  return [x];
}

function numberOf(v: TypedValue): number | undefined {
  const x = inner(v);
  if (typeof x === 'number') return x;
  if (v.type === 'unique_id' && x !== null && typeof x === 'object' && !Array.isArray(x) && typeof x.number === 'number') {
    return x.number;
  }
  if ((v.type === 'formula' || v.type === 'rollup') && x !== null && typeof x === 'object' && !Array.isArray(x)) {
    const n = x.number;
    if (typeof n === 'number') return n;
  }
  return undefined;
}

function datesOf(v: TypedValue): string[] {
  const x = inner(v);
  if (typeof x === 'string' && (v.type === 'created_time' || v.type === 'last_edited_time')) return [x];
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return [];
  if (v.type === 'date' && typeof x.start === 'string') return [x.start];
  if (v.type === 'formula' || v.type === 'rollup') {
    const d = x.date;
    if (d !== null && typeof d === 'object' && !Array.isArray(d) && typeof d.start === 'string') return [d.start];
  }
  return [];
}

function checkedOf(v: TypedValue): boolean | undefined {
  const x = inner(v);
  if (typeof x === 'boolean') return x;
  if (v.type === 'formula' && x !== null && typeof x === 'object' && !Array.isArray(x) && typeof x.boolean === 'boolean') {
    return x.boolean;
  }
  return undefined;
}

function dateValue(start: string | undefined, end: string | null = null): Json {
  return start === undefined ? null : { start, end, time_zone: null };
}

function instant(iso: string): number {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : t;
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const hi = s[mid] ?? 0;
  return s.length % 2 === 1 ? hi : ((s[mid - 1] ?? 0) + hi) / 2;
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}

/** The rollup value `{type, <type>: value, function}` for a function over the related values. */
export function computeRollup(fn: string, values: TypedValue[]): JsonObject {
  const num = (n: number | null): JsonObject => ({ type: 'number', number: n, function: fn });
  const date = (d: Json): JsonObject => ({ type: 'date', date: d, function: fn });
  const nums = values.map(numberOf).filter((n): n is number => n !== undefined);
  const dates = values.flatMap(datesOf).sort((a, b) => instant(a) - instant(b));
  const checks = values.map(checkedOf).filter((b): b is boolean => b !== undefined);
  const empties = values.filter(isEmpty).length;
  switch (fn) {
    case 'show_original':
      return { type: 'array', array: values, function: fn };
    case 'show_unique': {
      const seen = new Set<string>();
      const unique = values.filter((v) => {
        const k = JSON.stringify(inner(v));
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
      return { type: 'array', array: unique, function: fn };
    }
    case 'count':
    case 'count_all':
      return num(values.length);
    case 'count_values':
      return num(values.reduce((n, v) => n + elements(v).length, 0));
    case 'unique':
    case 'count_unique_values':
      return num(new Set(values.flatMap(elements).map((e) => JSON.stringify(e))).size);
    case 'empty':
    case 'count_empty':
      return num(empties);
    case 'not_empty':
    case 'count_not_empty':
      return num(values.length - empties);
    case 'percent_empty':
      return num(ratio(empties, values.length));
    case 'percent_not_empty':
      return num(ratio(values.length - empties, values.length));
    case 'sum':
      return num(nums.reduce((a, b) => a + b, 0));
    case 'average':
      return num(nums.length === 0 ? null : nums.reduce((a, b) => a + b, 0) / nums.length);
    case 'median':
      return num(median(nums));
    case 'min':
      return num(nums.length === 0 ? null : Math.min(...nums));
    case 'max':
      return num(nums.length === 0 ? null : Math.max(...nums));
    case 'range':
      return num(nums.length === 0 ? null : Math.max(...nums) - Math.min(...nums));
    case 'checked':
      return num(checks.filter((b) => b).length);
    case 'unchecked':
      return num(checks.filter((b) => !b).length);
    case 'percent_checked':
      return num(ratio(checks.filter((b) => b).length, checks.length));
    case 'percent_unchecked':
      return num(ratio(checks.filter((b) => !b).length, checks.length));
    case 'earliest_date':
      return date(dateValue(dates[0]));
    case 'latest_date':
      return date(dateValue(dates[dates.length - 1]));
    case 'date_range':
      return date(dates.length === 0 ? null : dateValue(dates[0], dates[dates.length - 1] ?? null));
    default:
      return { type: 'unsupported', unsupported: {}, function: fn };
  }
}

/** What the property item endpoint reports while a rollup is still being paged through. */
export function incompleteRollup(fn: string): JsonObject {
  return { type: 'incomplete', incomplete: {}, function: fn };
}
