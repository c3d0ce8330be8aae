/** Differences between the Notion-Version values the SDK can send (2025-09-03 and 2026-03-11). */

import type { Json, JsonObject } from './workspace.js';

const OBJECTS_WITH_ARCHIVED = new Set(['page', 'data_source', 'database']);

/** 2026-03-11 and later drop the deprecated `archived` in favour of `in_trash`. */
export function dropsArchived(version: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(version) && version >= '2026-03-11';
}

function strip(value: Json | undefined): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
  if (typeof value.object === 'string' && OBJECTS_WITH_ARCHIVED.has(value.object)) delete value.archived;
}

/** Adapts a 2025-09-03 response body to the requested version, in place. */
export function forVersion(body: JsonObject, version: string): JsonObject {
  if (!dropsArchived(version)) return body;
  strip(body);
  if (Array.isArray(body.results)) for (const item of body.results) strip(item);
  return body;
}
