/**
 * The shapes notion-stream reads. Deliberately loose: Notion adds property types over time (the SDK's
 * own types already miss `button`, `verification` and `place`), and unknown ones must pass through.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A JSON object: string keys, JSON values. */
export type JsonObject = { [key: string]: Json };

/** A page property value: `{id, type, <type>: value}` (relation also has `has_more`). */
export interface PropertyValue {
  /** The property id, URL-encoded as Notion gives it. */
  id: string;
  /** The property type; the value sits under the key of that name. */
  type: string;
  /** Relations only: true when the page response cut the list at 25 items (see `completePage`). */
  has_more?: boolean;
  [key: string]: Json | undefined;
}

/** A page object as Notion returns it (a data source row or a standalone page); unknown fields pass through. */
export interface NotionPage {
  /** Always `page`. */
  object: 'page';
  /** The page id (dashed UUID). */
  id: string;
  /** ISO instant, minute precision. */
  created_time: string;
  /** ISO instant, minute precision. */
  last_edited_time: string;
  /** True when the page is in the trash (older API versions: `archived`). */
  in_trash?: boolean;
  /** The pre-2025 name of `in_trash`. */
  archived?: boolean;
  /** Where it lives: `{type: "data_source_id", data_source_id, database_id}` for a row; a page or the workspace. */
  parent: JsonObject;
  /** Property values keyed by property name. */
  properties: Record<string, PropertyValue>;
  [key: string]: Json | undefined | Record<string, PropertyValue>;
}

/** A schema property: `{id, name, type, <type>: config}`. */
export interface SchemaProperty {
  /** The property id, URL-encoded as Notion gives it (`title` for the title property). */
  id: string;
  /** The property's name (its key in `properties`). */
  name: string;
  /** The property type (`title`, `number`, `formula`, ...); its config sits under that key. */
  type: string;
  [key: string]: Json | undefined;
}

/** A data source object (API 2025-09-03): a table inside a database, with its schema. */
export interface NotionDataSource {
  /** Always `data_source`. */
  object: 'data_source';
  /** The data source id (dashed UUID). */
  id: string;
  /** Rich text items; `plainText(title)` is the name. */
  title: JsonObject[];
  /** The schema: one property per column, keyed by property name. */
  properties: Record<string, SchemaProperty>;
  /** `{type: "database_id", database_id}`: the database container holding it. */
  parent?: JsonObject;
  [key: string]: Json | undefined | Record<string, SchemaProperty>;
}

export interface NotionList<T> {
  object: 'list';
  results: T[];
  next_cursor: string | null;
  has_more: boolean;
  request_status?: { type: 'complete' | 'incomplete'; incomplete_reason?: string };
  [key: string]: Json | undefined | T[] | { type: string; incomplete_reason?: string };
}

/** Plain text of a rich text array (a title, a data source name). */
export function plainText(items: readonly Json[] | undefined): string {
  if (!items) return '';
  return items
    .map((item) => (item && typeof item === 'object' && !Array.isArray(item) ? String(item.plain_text ?? '') : ''))
    .join('');
}
