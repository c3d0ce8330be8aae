/**
 * The shapes notion-stream reads. Deliberately loose: Notion adds property types over time (the SDK's
 * own types already miss `button`, `verification` and `place`), and unknown ones must pass through.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** A page property value: `{id, type, <type>: value}` (relation also has `has_more`). */
export interface PropertyValue {
  id: string;
  type: string;
  has_more?: boolean;
  [key: string]: Json | undefined;
}

export interface NotionPage {
  object: 'page';
  id: string;
  created_time: string;
  last_edited_time: string;
  in_trash?: boolean;
  archived?: boolean;
  parent: JsonObject;
  properties: Record<string, PropertyValue>;
  [key: string]: Json | undefined | Record<string, PropertyValue>;
}

/** A schema property: `{id, name, type, <type>: config}`. */
export interface SchemaProperty {
  id: string;
  name: string;
  type: string;
  [key: string]: Json | undefined;
}

export interface NotionDataSource {
  object: 'data_source';
  id: string;
  title: JsonObject[];
  properties: Record<string, SchemaProperty>;
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
