/** Paging helpers shared by the list endpoints: page_size parsing, ordered windows, list envelopes. */

import { validationError } from './errors.js';
import type { Json, JsonObject } from './workspace.js';

export const MAX_PAGE_SIZE = 100;

/**
 * Reads `page_size` from a JSON body (`where: "body"`) or a query string (`where: "query"`).
 * Absent means 100; anything outside 1..100 is Notion's 400 validation_error.
 */
export function parsePageSize(raw: unknown, where: 'body' | 'query'): number {
  if (raw === undefined || raw === null) return MAX_PAGE_SIZE;
  const value = typeof raw === 'string' && where === 'query' ? Number(raw) : raw;
  const shown = typeof raw === 'string' ? raw : JSON.stringify(raw);
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw validationError(`${where} failed validation: ${where}.page_size should be a number, instead was \`${shown}\`.`);
  }
  if (value > MAX_PAGE_SIZE) {
    throw validationError(`${where} failed validation: ${where}.page_size should be ≤ \`${MAX_PAGE_SIZE}\`, instead was \`${shown}\`.`);
  }
  if (value < 1) {
    throw validationError(`${where} failed validation: ${where}.page_size should be ≥ \`1\`, instead was \`${shown}\`.`);
  }
  return value;
}

/** Reads `start_cursor`: a non-empty string or absent. */
export function parseStartCursor(raw: unknown, where: 'body' | 'query'): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string') {
    throw validationError(
      `${where} failed validation: ${where}.start_cursor should be a string or \`undefined\`, instead was \`${JSON.stringify(raw)}\`.`,
    );
  }
  return raw === '' ? undefined : raw;
}

/** A sort key: compared element by element; the last element is normally the id, breaking ties. */
export type SortKey = ReadonlyArray<string | number | null>;

/**
 * Compares two keys. `descending[i]` flips element i. Nulls (empty values) sort last whatever the
 * direction, as Notion puts empty values at the end.
 */
export function compareKeys(a: SortKey, b: SortKey, descending: readonly boolean[] = []): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === y) continue;
    if (x === null) return 1;
    if (y === null) return -1;
    let c: number;
    if (typeof x === 'number' && typeof y === 'number') c = x - y;
    else if (typeof x === 'string' && typeof y === 'string') c = x < y ? -1 : x > y ? 1 : 0;
    else {
      const sx = String(x);
      const sy = String(y);
      c = sx < sy ? -1 : sx > sy ? 1 : 0;
    }
    if (c !== 0) return descending[i] === true ? -c : c;
  }
  return 0;
}

export interface Window<T> {
  /** The first `size` items at or after the anchor, in order. */
  items: T[];
  /** The item right after the window (the next page starts there), if any. */
  next: T | undefined;
}

/**
 * Selects, in one pass and without sorting everything, the `size` smallest items whose key is at or
 * after `anchor` (all items when there is no anchor), plus the one that follows them.
 */
export function selectWindow<T>(
  source: Iterable<T>,
  keyOf: (item: T) => SortKey,
  descending: readonly boolean[],
  anchor: SortKey | undefined,
  size: number,
): Window<T> {
  const keep = size + 1;
  const buffer: { item: T; key: SortKey }[] = [];
  for (const item of source) {
    const key = keyOf(item);
    if (anchor !== undefined && compareKeys(key, anchor, descending) < 0) continue;
    if (buffer.length === keep) {
      const last = buffer[keep - 1];
      if (last !== undefined && compareKeys(key, last.key, descending) >= 0) continue;
    }
    let lo = 0;
    let hi = buffer.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const probe = buffer[mid];
      if (probe !== undefined && compareKeys(probe.key, key, descending) <= 0) lo = mid + 1;
      else hi = mid;
    }
    buffer.splice(lo, 0, { item, key });
    if (buffer.length > keep) buffer.pop();
  }
  return { items: buffer.slice(0, size).map((e) => e.item), next: buffer[size]?.item };
}

/** `{object:"list", results, next_cursor, has_more, type, <type>:{}}` (request_id is added on send). */
export function listEnvelope(
  type: string,
  results: Json[],
  nextCursor: string | null,
  extra: JsonObject = {},
): JsonObject {
  return {
    object: 'list',
    results,
    next_cursor: nextCursor,
    has_more: nextCursor !== null,
    type,
    [type]: {},
    ...extra,
  };
}
