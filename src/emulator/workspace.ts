/**
 * The emulator's in-memory workspace: the whole truth the emulated Notion API answers from.
 *
 * Values are stored COMPLETE (all relation ids, all people, all rich text items). The server applies
 * Notion's truncation rules when it renders a page in query/retrieve/search responses, and serves the
 * complete values through the page property endpoint. Rollup values are not stored: the server
 * computes them from the related pages (over the first 25 relations in page responses, over all of
 * them in the property endpoint).
 *
 * Everything here is plain JSON so a workspace can be written to and read from a seed file.
 */

/** Any JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** A Notion user as `GET /v1/users` returns it (person or bot). */
export interface EmuUser extends JsonObject {
  object: 'user';
  id: string;
  name: string | null;
  avatar_url: string | null;
  type: 'person' | 'bot';
}

/** A database container (2025-09-03): holds one or more data sources, no schema. */
export interface EmuDatabase {
  id: string;
  title: JsonObject[];
  description: JsonObject[];
  /** Millisecond `+00:00` timestamps, as Notion keeps them on containers. */
  created_time: string;
  last_edited_time: string;
  is_inline: boolean;
  in_trash: boolean;
  icon: Json;
  cover: Json;
  /** Parent of the database container (usually a page or the workspace). */
  parent: JsonObject;
  /** Ids of its data sources, in order. */
  data_source_ids: string[];
  /** False: the integration cannot see it (404 object_not_found, absent from search). */
  shared: boolean;
}

/** One schema property of a data source, as Notion returns it: `{id, name, type, <type>: config}`. */
export interface EmuSchemaProperty extends JsonObject {
  /** URL-encoded as Notion returns it, e.g. `"%3CnJT"`; `"title"` for the title property. */
  id: string;
  name: string;
  type: string;
}

export interface EmuDataSource {
  id: string;
  database_id: string;
  title: JsonObject[];
  description: JsonObject[];
  /** Schema keyed by property name. */
  properties: Record<string, EmuSchemaProperty>;
  created_time: string;
  last_edited_time: string;
  in_trash: boolean;
  icon: Json;
  cover: Json;
  /** False: the integration cannot see it. */
  shared: boolean;
}

/** A property value on a page, complete: `{id, type, <type>: value}` (rollup: value ignored, computed). */
export interface EmuPropertyValue extends JsonObject {
  id: string;
  type: string;
}

export interface EmuPage {
  id: string;
  /** '' for a standalone page (see `parent`). */
  data_source_id: string;
  /**
   * A standalone page's parent (`{type:"page_id", page_id}`, `{type:"workspace", workspace:true}`);
   * its only property is `title`. Absent for data source rows.
   */
  parent?: JsonObject;
  /** Minute-rounded (`...:00.000Z`). */
  created_time: string;
  last_edited_time: string;
  created_by: JsonObject;
  last_edited_by: JsonObject;
  in_trash: boolean;
  icon: Json;
  cover: Json;
  /** Keyed by property name; every schema property has a value here. */
  properties: Record<string, EmuPropertyValue>;
  /** False: the integration cannot see it (404 on retrieve, absent from queries and search). */
  shared: boolean;
}

export interface Workspace {
  /** The bearer token the emulator accepts. */
  token: string;
  users: EmuUser[];
  databases: EmuDatabase[];
  dataSources: EmuDataSource[];
  pages: EmuPage[];
  /** Block children keyed by parent block/page id, in order (raw Notion block objects). */
  blocks: Record<string, JsonObject[]>;
  /** Comments keyed by block/page id (raw Notion comment objects). */
  comments: Record<string, JsonObject[]>;
}

/** Rounds an instant down to the minute, as Notion does for page timestamps. */
export function minuteIso(ms: number): string {
  return new Date(Math.floor(ms / 60_000) * 60_000).toISOString();
}
