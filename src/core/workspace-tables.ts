/**
 * The workspace tables: users, the catalog (databases, data sources, their properties), standalone
 * pages, page content (blocks, markdown) and comments. Pure: Notion objects in, Singer SCHEMA messages
 * and rows out. The names of the tables and columns are an interface (documented in the README).
 *
 *   notion_users                    id, type (person/bot), name, email, avatar_url, bot owner fields
 *   notion_databases                the database containers of the data sources read
 *   notion_data_sources             the data sources read, with the table each was loaded into
 *   notion_data_source_properties   one row per schema property, with its column name
 *   notion_pages                    pages outside data sources (wiki and standalone pages)
 *   notion_blocks                   one row per block at any depth, in document order
 *   notion_page_content             one row per page: markdown and plain text
 *   notion_comments                 the open comments of each page
 */
import { BLOCKS_TABLE, COMMENTS_TABLE, DATA_SOURCES_TABLE, DATABASES_TABLE, PAGE_CONTENT_TABLE, PAGES_TABLE, PROPERTIES_TABLE, USERS_TABLE } from './names.js';
import { columnSchema, type ColumnType, type ParentLink, type SchemaMessage } from '../singer/messages.js';
import { plainText, type Json, type JsonObject, type NotionDataSource } from '../notion/types.js';

export { USERS_TABLE, DATABASES_TABLE, DATA_SOURCES_TABLE, PROPERTIES_TABLE, PAGES_TABLE, BLOCKS_TABLE, PAGE_CONTENT_TABLE, COMMENTS_TABLE };

/** Every workspace table name; a data source whose table would take one of them is renamed. */
export const WORKSPACE_TABLES: readonly string[] = [USERS_TABLE, DATABASES_TABLE, DATA_SOURCES_TABLE, PROPERTIES_TABLE, PAGES_TABLE, BLOCKS_TABLE, PAGE_CONTENT_TABLE, COMMENTS_TABLE];

type Kind = ColumnType['kind'];
type Row = Record<string, Json>;

const STRING: Kind = 'STRING';
const TIMESTAMP: Kind = 'TIMESTAMP';
const BOOLEAN: Kind = 'BOOLEAN';
const INTEGER: Kind = 'INTEGER';
const JSON_: Kind = 'JSON';

/** `whole`: every run carries the whole table, so a merging run replaces it (`load_mode: replace`). */
function schema(stream: string, description: string, key: string[], columns: [string, Exclude<Kind, 'LIST'>][], whole = false): SchemaMessage {
  const properties: SchemaMessage['schema']['properties'] = {};
  for (const [name, kind] of columns) properties[name] = columnSchema({ kind });
  const message: SchemaMessage = { type: 'SCHEMA', stream, schema: { type: 'object', properties, description }, key_properties: key };
  return whole ? { ...message, load_mode: 'replace' } : message;
}

/** SCHEMA of `notion_users`. */
export const USERS_SCHEMA = schema(USERS_TABLE, 'Notion users (persons and bots)', ['id'], [
  ['id', STRING],
  ['type', STRING],
  ['name', STRING],
  ['email', STRING],
  ['avatar_url', STRING],
  ['bot_owner_type', STRING],
  ['bot_owner_user_id', STRING],
  ['bot_workspace_name', STRING],
], true);

/** SCHEMA of `notion_databases`. */
export const DATABASES_SCHEMA = schema(DATABASES_TABLE, 'Notion databases (containers of data sources)', ['id'], [
  ['id', STRING],
  ['title', STRING],
  ['description', STRING],
  ['parent_type', STRING],
  ['parent_id', STRING],
  ['url', STRING],
  ['is_inline', BOOLEAN],
  ['created_time', TIMESTAMP],
  ['last_edited_time', TIMESTAMP],
  ['in_trash', BOOLEAN],
], true);

/** SCHEMA of `notion_data_sources`. */
export const DATA_SOURCES_SCHEMA = schema(DATA_SOURCES_TABLE, 'Notion data sources (the tables inside databases)', ['id'], [
  ['id', STRING],
  ['database_id', STRING],
  ['title', STRING],
  ['description', STRING],
  ['table_name', STRING],
  ['url', STRING],
  ['created_time', TIMESTAMP],
  ['last_edited_time', TIMESTAMP],
  ['in_trash', BOOLEAN],
], true);

/** SCHEMA of `notion_data_source_properties`. */
export const PROPERTIES_SCHEMA = schema(PROPERTIES_TABLE, 'Schema properties of the Notion data sources', ['data_source_id', 'property_id'], [
  ['data_source_id', STRING],
  ['property_id', STRING],
  ['name', STRING],
  ['type', STRING],
  ['column_name', STRING],
  ['position', INTEGER],
  ['options', JSON_],
  ['config', JSON_],
], true);

/** SCHEMA of `notion_pages`. */
export const PAGES_SCHEMA = schema(PAGES_TABLE, 'Notion pages outside data sources (wiki and standalone pages)', ['id'], [
  ['id', STRING],
  ['title', STRING],
  ['parent_type', STRING],
  ['parent_id', STRING],
  ['url', STRING],
  ['created_time', TIMESTAMP],
  ['last_edited_time', TIMESTAMP],
  ['created_by', STRING],
  ['last_edited_by', STRING],
  ['icon', JSON_],
  ['in_trash', BOOLEAN],
], true);

/** SCHEMA of `notion_blocks`. */
export const BLOCKS_SCHEMA = schema(BLOCKS_TABLE, 'Notion page content: one row per block, at any depth', ['id'], [
  ['id', STRING],
  ['page_id', STRING],
  ['parent_id', STRING],
  ['depth', INTEGER],
  ['position', INTEGER],
  ['type', STRING],
  ['plain_text', STRING],
  ['has_children', BOOLEAN],
  ['created_time', TIMESTAMP],
  ['last_edited_time', TIMESTAMP],
  ['in_trash', BOOLEAN],
  ['block', JSON_],
]);

/** SCHEMA of `notion_page_content`. */
export const PAGE_CONTENT_SCHEMA = schema(PAGE_CONTENT_TABLE, 'Notion page content as markdown and plain text', ['page_id'], [
  ['page_id', STRING],
  ['markdown', STRING],
  ['plain_text', STRING],
]);

/** SCHEMA of `notion_comments`. */
export const COMMENTS_SCHEMA = schema(COMMENTS_TABLE, 'Open comments on Notion pages', ['id'], [
  ['id', STRING],
  ['page_id', STRING],
  ['block_id', STRING],
  ['discussion_id', STRING],
  ['created_by', STRING],
  ['created_time', TIMESTAMP],
  ['last_edited_time', TIMESTAMP],
  ['plain_text', STRING],
  ['rich_text', JSON_],
]);

/**
 * The `parent` link of `notion_blocks`, `notion_page_content` and `notion_comments`: their rows belong
 * to a page (`page_id`), a row `id` of one of `streams` (the tables of the pages whose content and
 * comments the run read). So a merging sink replaces every row of each page those tables carry (a
 * deletion record too) with the run's rows of that page. Undefined when there is no such table.
 */
export function contentParent(streams: readonly string[]): ParentLink | undefined {
  return streams.length === 0 ? undefined : { stream: [...new Set(streams)], key: 'id', column: 'page_id', kind: 'scope' };
}

function obj(v: Json | undefined): JsonObject | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
}

function str(v: Json | undefined): string | null {
  return typeof v === 'string' ? v : null;
}

function arr(v: Json | undefined): Json[] {
  return Array.isArray(v) ? v : [];
}

function bool(v: Json | undefined): boolean | null {
  return typeof v === 'boolean' ? v : null;
}

/** `in_trash` first (2026-03-11 drops `archived`), else `archived`. */
function trashed(o: JsonObject): boolean | null {
  return bool(o.in_trash) ?? bool(o.archived);
}

/** A parent object's type and the id it points to (`{type:"page_id", page_id}` → page_id, the id). */
export function parentOf(parent: Json | undefined): { type: string | null; id: string | null } {
  const p = obj(parent);
  if (p === undefined) return { type: null, id: null };
  const type = str(p.type);
  if (type === null) return { type: null, id: null };
  return { type, id: str(p[type]) };
}

/** The row of a user object (`email` is absent without the integration's email capability). */
export function userRow(user: JsonObject): Row {
  const person = obj(user.person);
  const bot = obj(user.bot);
  const owner = obj(bot?.owner);
  return {
    id: str(user.id),
    type: str(user.type),
    name: str(user.name),
    email: str(person?.email),
    avatar_url: str(user.avatar_url),
    bot_owner_type: str(owner?.type),
    bot_owner_user_id: str(obj(owner?.user)?.id),
    bot_workspace_name: str(bot?.workspace_name),
  };
}

/** The row of a database container (`GET /v1/databases/{id}`). */
export function databaseRow(db: JsonObject): Row {
  const parent = parentOf(db.parent);
  return {
    id: str(db.id),
    title: plainText(arr(db.title)),
    description: plainText(arr(db.description)),
    parent_type: parent.type,
    parent_id: parent.id,
    url: str(db.url),
    is_inline: bool(db.is_inline),
    created_time: str(db.created_time),
    last_edited_time: str(db.last_edited_time),
    in_trash: trashed(db),
  };
}

/** The row of a data source, with the table it was loaded into. */
export function dataSourceRow(ds: NotionDataSource, table: string | null): Row {
  const o = ds as unknown as JsonObject;
  return {
    id: ds.id,
    database_id: parentOf(o.parent).id,
    title: plainText(ds.title),
    description: plainText(arr(o.description)),
    table_name: table,
    url: str(o.url),
    created_time: str(o.created_time),
    last_edited_time: str(o.last_edited_time),
    in_trash: trashed(o),
  };
}

/** One row per schema property of a data source; `columns` maps property id to its column name. */
export function propertyRows(ds: NotionDataSource, columns: ReadonlyMap<string, string>): Row[] {
  return Object.values(ds.properties ?? {}).map((p, position) => {
    const config = obj(p[p.type]) ?? null;
    const options = config && Array.isArray(config.options) ? config.options : null;
    return {
      data_source_id: ds.id,
      property_id: p.id,
      name: p.name,
      type: p.type,
      column_name: columns.get(p.id) ?? null,
      position,
      options,
      config,
    };
  });
}

/** Plain text of a page's title property ('' when it has none). */
export function pageTitle(page: JsonObject): string {
  for (const value of Object.values(obj(page.properties) ?? {})) {
    const v = obj(value);
    if (v?.type === 'title') return plainText(arr(v.title));
  }
  return '';
}

/** The row of a page outside data sources. */
export function pageRow(page: JsonObject): Row {
  const parent = parentOf(page.parent);
  return {
    id: str(page.id),
    title: pageTitle(page),
    parent_type: parent.type,
    parent_id: parent.type === 'workspace' ? null : parent.id,
    url: str(page.url),
    created_time: str(page.created_time),
    last_edited_time: str(page.last_edited_time),
    created_by: str(obj(page.created_by)?.id),
    last_edited_by: str(obj(page.last_edited_by)?.id),
    icon: page.icon ?? null,
    in_trash: trashed(page),
  };
}

/** The text a block shows: its rich text, a code block's code, a child page's title, a caption. */
export function blockPlainText(block: JsonObject): string {
  const type = str(block.type);
  const body = type === null ? undefined : obj(block[type]);
  if (body === undefined) return '';
  if (Array.isArray(body.rich_text)) return plainText(body.rich_text);
  if (type === 'table_row') return arr(body.cells).map((cell) => plainText(arr(cell))).join('\t');
  if (typeof body.title === 'string') return body.title;
  if (type === 'equation' && typeof body.expression === 'string') return body.expression;
  if (Array.isArray(body.caption)) return plainText(body.caption);
  return '';
}

/** Where a block sits in its page's tree. */
export interface BlockPlace {
  /** The page whose content the block is. */
  pageId: string;
  /** The page id for top-level blocks. */
  parentId: string;
  /** 0 for the page's top-level blocks. */
  depth: number;
  /** Index among its parent's children, from 0. */
  position: number;
}

/** The row of a block (its whole JSON kept in `block`, so unsupported types lose nothing). */
export function blockRow(block: JsonObject, place: BlockPlace): Row {
  return {
    id: str(block.id),
    page_id: place.pageId,
    parent_id: place.parentId,
    depth: place.depth,
    position: place.position,
    type: str(block.type),
    plain_text: blockPlainText(block),
    has_children: bool(block.has_children) ?? false,
    created_time: str(block.created_time),
    last_edited_time: str(block.last_edited_time),
    in_trash: trashed(block),
    block,
  };
}

/** The row of a comment listed for `pageId`. */
export function commentRow(comment: JsonObject, pageId: string): Row {
  const parent = parentOf(comment.parent);
  return {
    id: str(comment.id),
    page_id: pageId,
    block_id: parent.type === 'block_id' ? parent.id : null,
    discussion_id: str(comment.discussion_id),
    created_by: str(obj(comment.created_by)?.id),
    created_time: str(comment.created_time),
    last_edited_time: str(comment.last_edited_time),
    plain_text: plainText(arr(comment.rich_text)),
    rich_text: arr(comment.rich_text),
  };
}
