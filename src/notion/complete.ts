/**
 * Completing values that Notion truncates in page responses (relation past 25 ids, people past 25,
 * title/rich_text past 25 mentions, rollups over a truncated relation). Detection and assembly are pure;
 * only `completePage` talks to Notion, and only for properties where truncation is possible.
 */
import type { LimitFunction } from 'p-limit';
import type { NotionApi } from './api.js';
import type { Json, JsonObject, NotionPage, PropertyValue, SchemaProperty } from './types.js';

export const TRUNCATION_LIMIT = 25;

/**
 * Names of the page's properties whose values may be truncated and must be fetched in full. Linear in
 * the number of properties: the truncated relations are collected once, then each rollup looks its
 * relation up in that set.
 */
export function truncatedProperties(page: NotionPage, schema: Record<string, SchemaProperty> | undefined): string[] {
  const names: string[] = [];
  const props = page.properties;
  let truncatedRelations: Set<string> | undefined;
  const relationTruncated = (relationId: string): boolean => {
    if (!truncatedRelations) {
      truncatedRelations = new Set();
      for (const p of Object.values(props)) if (p.type === 'relation' && p.has_more === true) truncatedRelations.add(safeDecode(p.id));
    }
    return truncatedRelations.has(safeDecode(relationId));
  };
  for (const [name, prop] of Object.entries(props)) {
    if (mayBeTruncated(prop, schema?.[name], relationTruncated)) names.push(name);
  }
  return names;
}

function mayBeTruncated(prop: PropertyValue, schema: SchemaProperty | undefined, relationTruncated: (relationId: string) => boolean): boolean {
  const value = prop[prop.type];
  switch (prop.type) {
    case 'relation':
      return prop.has_more === true;
    case 'people':
      return Array.isArray(value) && value.length >= TRUNCATION_LIMIT;
    case 'title':
    case 'rich_text':
      return Array.isArray(value) && value.filter((item) => isObject(item) && item.type === 'mention').length >= TRUNCATION_LIMIT;
    case 'rollup': {
      const config = schema?.rollup;
      const relationId = isObject(config) ? config.relation_property_id : undefined;
      if (typeof relationId !== 'string') return false;
      return relationTruncated(relationId);
    }
    default:
      return false;
  }
}

/** Schema ids in rollup configs are raw (`<nJT`); page property ids are URL-encoded (`%3CnJT`). */
export function sameId(a: string, b: string): boolean {
  return a === b || safeDecode(a) === safeDecode(b);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Builds the complete property value from all pages of the property endpoint.
 * `items` are the `results` of every page in order; `last` is the last page's `property_item`.
 */
export function assembleProperty(prop: PropertyValue, items: JsonObject[], last: JsonObject | undefined): PropertyValue {
  switch (prop.type) {
    case 'relation':
    case 'people':
    case 'title':
    case 'rich_text':
      return { ...prop, [prop.type]: items.map((item) => item[prop.type] as Json), ...(prop.type === 'relation' ? { has_more: false } : {}) };
    case 'rollup': {
      const final = isObject(last?.rollup) ? (last.rollup as JsonObject) : undefined;
      if (!final || final.type === 'incomplete') throw new Error(`rollup ${prop.id}: the property endpoint never returned the final value`);
      if (final.type === 'array') {
        // Array rollups list their elements as property items; the page shape holds typed values without ids.
        const array = items.map((item) => ({ type: item.type as string, [item.type as string]: item[item.type as string] as Json }));
        return { ...prop, rollup: { ...final, array } };
      }
      return { ...prop, rollup: final };
    }
    default:
      return prop;
  }
}

/**
 * Returns the page with every possibly-truncated value replaced by its complete value. `limit` (p-limit)
 * bounds the completions in flight across the whole run; every request still passes the rate limiter.
 * Rejects with the `NotionApi` codes (`not_shared`, `retries_exhausted`, ...) or `aborted`.
 */
export async function completePage(api: NotionApi, page: NotionPage, schema: Record<string, SchemaProperty> | undefined, limit?: LimitFunction): Promise<NotionPage> {
  const names = truncatedProperties(page, schema);
  if (names.length === 0) return page;
  const run = limit ?? ((fn: () => Promise<PropertyValue>) => fn());
  const completed = await Promise.all(names.map((name) => run(() => completeProperty(api, page.id, page.properties[name]!))));
  const properties = { ...page.properties };
  names.forEach((name, i) => (properties[name] = completed[i]!));
  return { ...page, properties };
}

async function completeProperty(api: NotionApi, pageId: string, prop: PropertyValue): Promise<PropertyValue> {
  const items: JsonObject[] = [];
  let last: JsonObject | undefined;
  let cursor: string | undefined;
  do {
    const res = await api.retrievePropertyPage(pageId, prop.id, cursor);
    items.push(...(res.results ?? []));
    last = res.property_item;
    cursor = res.has_more && res.next_cursor ? res.next_cursor : undefined;
  } while (cursor);
  api.stats.completions++;
  return assembleProperty(prop, items, last);
}
