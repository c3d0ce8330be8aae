/**
 * The third sort key of a full read: inside one (created minute, last edited minute) pair, rows are
 * ordered on a property Notion can both sort on and filter a range of, so that a query restarted at
 * the 10,000-result cap starts at the last row's value instead of at the pair's first row. Chosen
 * from the data source schema before the first query (no re-read): a `unique_id` property (distinct,
 * never empty), else a number, else a date. Pure: no I/O.
 */
import type { JsonObject, NotionPage } from '../notion/types.js';

/** Property types that can be the third key, in order of preference. */
export const THIRD_KEY_TYPES = ['unique_id', 'number', 'date'] as const;

/** A property type `chooseThirdKey` may pick. */
export type ThirdKeyType = (typeof THIRD_KEY_TYPES)[number];

/** The third sort key: a property of the data source (its name) and its type. */
export interface ThirdKey {
  /** The property name, as the rows' `properties` are keyed and as Notion's sorts and filters take it. */
  property: string;
  type: ThirdKeyType;
  /** The property id; when set, a query sending `filter_properties` asks for it too (the restarts need its values). */
  id?: string;
}

/**
 * A row's value of the key, as rows are grouped and restarted on it: a `unique_id` or `number` value
 * is the number; a `date` value is the UTC day of its start (`2024-05-01`, a filter on whole days);
 * `null` is an empty value (Notion sorts those last, whatever the direction).
 */
export type ThirdValue = number | string | null;

/**
 * The third key of a data source from its schema (`properties`, keyed by name), or undefined when it
 * has none: its `unique_id` property, else its first `number` property, else its first `date`
 * property (in schema order). A number is preferred to a date: imported numbers (amounts, counts)
 * repeat less than days, and fewer rows share a value at the cap.
 */
export function chooseThirdKey(properties: Record<string, { type?: string; id?: string }> | undefined): ThirdKey | undefined {
  const entries = Object.entries(properties ?? {});
  for (const type of THIRD_KEY_TYPES) {
    const found = entries.find(([, p]) => p.type === type);
    if (found) return { property: found[0], type, ...(typeof found[1].id === 'string' ? { id: found[1].id } : {}) };
  }
  return undefined;
}

/**
 * The value of `key` in a row (see `ThirdValue`); null when the row has no value there; undefined when
 * the row does not carry the property at all (a query narrowed by `filter_properties`): a restart then
 * starts at the row's minute pair without the third key, as if there were none.
 */
export function thirdValueOf(row: NotionPage, key: ThirdKey): ThirdValue | undefined {
  const v = (row.properties as Record<string, Record<string, unknown> | undefined> | undefined)?.[key.property];
  if (v === undefined) return undefined;
  const x = v[key.type];
  switch (key.type) {
    case 'unique_id': {
      const n = (x as { number?: unknown } | null | undefined)?.number;
      return typeof n === 'number' ? n : null;
    }
    case 'number':
      return typeof x === 'number' ? x : null;
    case 'date': {
      const start = (x as { start?: unknown } | null | undefined)?.start;
      if (typeof start !== 'string') return null;
      const ms = Date.parse(start);
      return Number.isNaN(ms) ? null : new Date(ms).toISOString().slice(0, 10);
    }
  }
}

/**
 * The conditions selecting the rows whose value of `key` is at or after `from` in the ascending
 * order (empties last), as alternatives to be AND-ed each with the pair's bounds (so the filter keeps
 * Notion's two levels of nesting): `unique_id` `greater_than` (ids are distinct, the row at `from`
 * is read); `number` `greater_than_or_equal_to` or `is_empty`; `date` `on_or_after` the day or
 * `is_empty`; `null` (the empties) `is_empty` alone. The rows equal to `from` come again and are
 * skipped by id.
 */
export function thirdKeyConditions(key: ThirdKey, from: ThirdValue): JsonObject[] {
  const condition = (c: JsonObject): JsonObject => ({ property: key.property, [key.type]: c });
  if (from === null) return [condition({ is_empty: true })];
  switch (key.type) {
    case 'unique_id':
      return [condition({ greater_than: from })];
    case 'number':
      return [condition({ greater_than_or_equal_to: from }), condition({ is_empty: true })];
    case 'date':
      return [condition({ on_or_after: from }), condition({ is_empty: true })];
  }
}
