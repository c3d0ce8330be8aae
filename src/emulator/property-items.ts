/**
 * `GET /v1/pages/{id}/properties/{property_id}`: complete property values.
 * title, rich_text, people, relation and rollup answer a paginated list of property items, one value
 * each, with `property_item:{id, next_url, type, <type>:{}}`; for a rollup, `property_item.rollup` is
 * `{type:"incomplete"}` until the last page, which carries the value computed over every related page.
 * Every other type answers a single `{object:"property_item", id, type, <type>: value}`.
 */

import { listEnvelope } from './pagination.js';
import type { Renderer } from './render.js';
import { computeRollup, incompleteRollup } from './rollup.js';
import type { EmuPage, EmuPropertyValue, Json, JsonObject } from './workspace.js';

const LIST_TYPES = new Set(['title', 'rich_text', 'people', 'relation', 'rollup']);

export interface PropertyItemsRequest {
  renderer: Renderer;
  page: EmuPage;
  name: string;
  value: EmuPropertyValue;
  /** Items already served by earlier pages. */
  offset: number;
  pageSize: number;
  /** Whether the request named a page_size (then next_url repeats it). */
  explicitPageSize: boolean;
  issueCursor: (offset: number) => string;
  /** `<base>/v1/pages/<id>/properties/<property id>` for next_url. */
  selfUrl: string;
}

function item(type: string, id: string, value: Json): JsonObject {
  return { object: 'property_item', type, id, [type]: value };
}

export function listPropertyItems(req: PropertyItemsRequest): JsonObject {
  const { renderer, page, name, value } = req;
  if (!LIST_TYPES.has(value.type)) {
    const full = renderer.propertyValue(page, name, value, false, 0);
    return { object: 'property_item', id: value.id, type: value.type, [value.type]: full[value.type] ?? null };
  }
  let all: JsonObject[];
  let fn = '';
  let inputs: ReturnType<Renderer['rollupInputs']> = [];
  if (value.type === 'rollup') {
    fn = renderer.rollupFunction(page, name) ?? 'show_original';
    inputs = renderer.rollupInputs(page, name, false);
    all = inputs.map((i) => item(i.value.type, i.propertyId, i.value[i.value.type] ?? null));
  } else {
    const full = renderer.propertyValue(page, name, value, false, 0)[value.type];
    all = (Array.isArray(full) ? full : []).map((v) => item(value.type, value.id, v));
  }
  const results = all.slice(req.offset, req.offset + req.pageSize);
  const end = req.offset + results.length;
  const more = end < all.length;
  const cursor = more ? req.issueCursor(end) : null;
  const nextUrl =
    cursor === null
      ? null
      : `${req.selfUrl}?start_cursor=${encodeURIComponent(cursor)}${req.explicitPageSize ? `&page_size=${req.pageSize}` : ''}`;
  let typed: JsonObject = {};
  if (value.type === 'rollup') {
    if (more) typed = incompleteRollup(fn);
    // The recording of a show_original rollup's last page carries an empty array, not the values.
    else if (fn === 'show_original') typed = { type: 'array', array: [], function: fn };
    else typed = computeRollup(fn, inputs.map((i) => i.value));
  }
  return listEnvelope('property_item', results, cursor, {
    property_item: { id: value.id, next_url: nextUrl, type: value.type, [value.type]: typed },
  });
}
