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
/** A JSON object: string keys, JSON values. */
export type JsonObject = { [key: string]: Json };

/** A Notion user as `GET /v1/users` returns it (person or bot). */
export interface EmuUser extends JsonObject {
  /** Always `user`. */
  object: 'user';
  /** Dashed UUID. */
  id: string;
  /** Display name. */
  name: string | null;
  /** Image URL, or null. */
  avatar_url: string | null;
  /** `person` users also carry `person: {email}`; bots carry `bot: {}`. */
  type: 'person' | 'bot';
}

/** A database container (2025-09-03): holds one or more data sources, no schema. */
export interface EmuDatabase {
  /** Dashed UUID. */
  id: string;
  /** Rich text items. */
  title: JsonObject[];
  /** Rich text items. */
  description: JsonObject[];
  /** Millisecond `+00:00` timestamps, as Notion keeps them on containers. */
  created_time: string;
  /** Same format as `created_time`. */
  last_edited_time: string;
  /** Shown inline in its parent page. */
  is_inline: boolean;
  /** In the trash. */
  in_trash: boolean;
  /** Notion's icon object, or null. */
  icon: Json;
  /** Notion's cover object, or null. */
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
  /** The property's name (the key it has in `properties`). */
  name: string;
  /** The property type (`title`, `rich_text`, `number`, `relation`, ...). */
  type: string;
}

/** A data source (API 2025-09-03): a table inside a database container, with its schema. */
export interface EmuDataSource {
  /** Dashed UUID. */
  id: string;
  /** The database container holding it. */
  database_id: string;
  /** Rich text items. */
  title: JsonObject[];
  /** Rich text items. */
  description: JsonObject[];
  /** Schema keyed by property name. */
  properties: Record<string, EmuSchemaProperty>;
  /** Minute-rounded ISO instant. */
  created_time: string;
  /** Minute-rounded ISO instant. */
  last_edited_time: string;
  /** In the trash. */
  in_trash: boolean;
  /** Notion's icon object, or null. */
  icon: Json;
  /** Notion's cover object, or null. */
  cover: Json;
  /** False: the integration cannot see it. */
  shared: boolean;
}

/** A property value on a page, complete: `{id, type, <type>: value}` (rollup: value ignored, computed). */
export interface EmuPropertyValue extends JsonObject {
  /** The property id, URL-encoded as Notion gives it (`title` for the title). */
  id: string;
  /** The property type; the value sits under the key of that name. */
  type: string;
}

/** A page as the emulator keeps it: a data source row, or a standalone page (`data_source_id` ''). */
export interface EmuPage {
  /** Dashed UUID. */
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
  /** Minute-rounded ISO instant; what incremental reads filter on. */
  last_edited_time: string;
  /** A partial user `{object: "user", id}`. */
  created_by: JsonObject;
  /** A partial user `{object: "user", id}`. */
  last_edited_by: JsonObject;
  /** True: trashed (absent from queries, found by a search with `filter.in_trash`). */
  in_trash: boolean;
  /** Notion's icon object, or null. */
  icon: Json;
  /** Notion's cover object, or null. */
  cover: Json;
  /** Keyed by property name; every schema property has a value here. */
  properties: Record<string, EmuPropertyValue>;
  /** False: the integration cannot see it (404 on retrieve, absent from queries and search). */
  shared: boolean;
}

/**
 * The emulator's whole truth: users, containers, data sources, pages (values complete), blocks and
 * comments, as plain JSON (a seed file holds one). Build one with `generateWorkspace` or a ready-made
 * one (`allTypesWorkspace`, `demoWorkspace`, `scaleWorkspace`); tests may change it while the server runs.
 */
export interface Workspace {
  /** The bearer token the emulator accepts. */
  token: string;
  /** Persons and bots, as `GET /v1/users` lists them. */
  users: EmuUser[];
  /** The database containers. */
  databases: EmuDatabase[];
  /** The data sources, with their schemas. */
  dataSources: EmuDataSource[];
  /** Rows of every data source and standalone pages. */
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
