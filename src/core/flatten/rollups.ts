/** The elements of a "show original" rollup as plain values (`RollupItem`). */
import { plainText, type Json, type JsonObject } from '../../notion/types.js';
import { isObject } from './columns.js';

/** One element of a "show original" rollup: its type, its plain value, and its raw JSON where no plain value exists. */
export interface RollupItem extends JsonObject {
  type: string | null;
  value: string | null;
  json: string | null;
}

/**
 * The plain values of one element of a rollup array (`{type:"select", select:{name:"High",...}}` →
 * `High`), as the columns of that type hold them: text as plain text, options by name, users and pages
 * by id, numbers, booleans and times as text, a date by its start (its raw JSON too when it has an end
 * or a time zone). A list-valued element (multi_select, people, relation) gives one item per entry.
 * Types without a plain value (files, place, ...) keep the raw JSON in `json`.
 */
export function rollupItems(element: Json): RollupItem[] {
  const type = isObject(element) && typeof element.type === 'string' ? element.type : null;
  const v = type === null || !isObject(element) ? undefined : element[type];
  const item = (value: string | null, json: string | null = null): RollupItem => ({ type, value, json });
  const raw = (): RollupItem[] => [item(null, JSON.stringify(element))];
  const list = (pick: (x: Json) => string | null): RollupItem[] => (Array.isArray(v) ? v.map((x) => item(pick(x))) : raw());
  const field = (x: Json | undefined, key: string): string | null => (isObject(x) && typeof x[key] === 'string' ? (x[key] as string) : null);
  if (v === null) return [item(null)];
  switch (type) {
    case 'title':
    case 'rich_text':
      return Array.isArray(v) ? [item(v.length === 0 ? null : plainText(v))] : raw();
    case 'select':
    case 'status':
      return [item(field(v, 'name'))];
    case 'multi_select':
      return list((x) => field(x, 'name'));
    case 'people':
    case 'relation':
      return list((x) => field(x, 'id'));
    case 'created_by':
    case 'last_edited_by':
      return [item(field(v, 'id'))];
    case 'number':
    case 'checkbox':
    case 'url':
    case 'email':
    case 'phone_number':
    case 'created_time':
    case 'last_edited_time':
      return typeof v === 'object' ? raw() : [item(String(v))];
    case 'unique_id': {
      const n = isObject(v) && typeof v.number === 'number' ? v.number : null;
      const prefix = field(v, 'prefix');
      return [item(n === null ? null : prefix ? `${prefix}-${n}` : String(n))];
    }
    case 'date':
      return [item(field(v, 'start'), isObject(v) && (v.end != null || v.time_zone != null) ? JSON.stringify(v) : null)];
    case 'formula': {
      const inner = isObject(v) && typeof v.type === 'string' ? v[v.type] : undefined;
      if (inner === undefined || inner === null) return [item(null)];
      if (typeof inner !== 'object') return [item(String(inner))];
      return rollupItems({ type: String((v as JsonObject).type), [String((v as JsonObject).type)]: inner });
    }
    default:
      return raw();
  }
}
