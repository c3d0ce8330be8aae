/** The emulated endpoints: each turns a parsed request into a response body or throws an EmuApiError. */

import type { CursorStore } from './cursors.js';
import { invalidCursor, malformedPathId, notFound, validationError } from './errors.js';
import { compactId, normalizeId, safeDecode, sameId } from './ids.js';
import type { WorkspaceLookup } from './lookup.js';
import { listEnvelope, parsePageSize, parseStartCursor, selectWindow, type SortKey } from './pagination.js';
import { listPropertyItems } from './property-items.js';
import { compileQuery } from './query.js';
import { plainText, samePropertyId, type Renderer } from './render.js';
import type { EndpointName } from './router.js';
import type { EmuDataSource, EmuPage, Json, JsonObject } from './workspace.js';

export interface CursorState {
  /** What the cursor belongs to (endpoint, object and query); a cursor used elsewhere is invalid. */
  scope: string;
  /** Sort key (or id) of the first item of the next page. */
  anchor: SortKey;
  /** Results already returned before this cursor (for the query result cap). */
  served: number;
}

export interface HandlerContext {
  lookup: WorkspaceLookup;
  renderer: Renderer;
  cursors: CursorStore<CursorState>;
  shortCursors: CursorStore<CursorState>;
  /** Raw (percent-encoded) path parameters. */
  params: string[];
  query: URLSearchParams;
  body: JsonObject;
  /** The emulator's base URL (no /v1), for `next_url`. */
  baseUrl: string;
  queryResultLimit: number;
}

export type Handler = (ctx: HandlerContext) => JsonObject;

function param(ctx: HandlerContext, i: number): string {
  return ctx.params[i] ?? '';
}

/** A path id, dashed and lowercase, or Notion's 400 for a malformed one. */
function pathId(ctx: HandlerContext, i: number, name: string): string {
  const raw = safeDecode(param(ctx, i));
  const id = normalizeId(raw);
  if (id === undefined) throw malformedPathId(name, raw);
  return id;
}

function visibleDataSource(ctx: HandlerContext, id: string): EmuDataSource {
  const ds = ctx.lookup.dataSource(id);
  if (ds === undefined || !ds.shared) throw notFound('data_source', id);
  return ds;
}

function visiblePage(ctx: HandlerContext, id: string): EmuPage {
  const page = ctx.lookup.page(id);
  if (page === undefined || !page.shared) throw notFound('page', id);
  return page;
}

/** `filter_properties` from repeated query keys (`filter_properties=a` or `filter_properties[]=a`). */
function propertyFilter(ctx: HandlerContext): ((propertyId: string) => boolean) | undefined {
  const wanted = [...ctx.query.getAll('filter_properties'), ...ctx.query.getAll('filter_properties[]')];
  if (wanted.length === 0) return undefined;
  return (propertyId) => wanted.some((w) => samePropertyId(propertyId, w));
}

function resume(ctx: HandlerContext, store: CursorStore<CursorState>, cursor: string | undefined, scope: string): CursorState | undefined {
  if (cursor === undefined) return undefined;
  const state = store.get(cursor);
  if (state === undefined || state.scope !== scope) throw invalidCursor(cursor);
  return state;
}

const search: Handler = (ctx) => {
  const { body } = ctx;
  const pageSize = parsePageSize(body.page_size, 'body');
  const cursor = parseStartCursor(body.start_cursor, 'body');
  let only: 'page' | 'data_source' | undefined;
  // `in_trash: true` returns only trashed pages and data sources (never mixed with live ones).
  let trashed = false;
  if (body.filter !== undefined && body.filter !== null) {
    const f = body.filter;
    if (typeof f !== 'object' || Array.isArray(f)) throw validationError('body failed validation: body.filter should be an object.');
    if (f.in_trash !== undefined && typeof f.in_trash !== 'boolean') {
      throw validationError(`body failed validation: body.filter.in_trash should be a boolean, instead was \`${JSON.stringify(f.in_trash)}\`.`);
    }
    trashed = f.in_trash === true;
    // Two shapes: `{property:"object", value, in_trash?}` or a standalone `{in_trash}`.
    const standalone = f.in_trash !== undefined && f.property === undefined && f.value === undefined;
    if (!standalone) {
      if (f.property !== 'object') {
        throw validationError(`body failed validation: body.filter.property should be \`"object"\`, instead was \`${JSON.stringify(f.property ?? null)}\`.`);
      }
      if (f.value !== 'page' && f.value !== 'data_source') {
        throw validationError(
          `body failed validation: body.filter.value should be \`"page"\` or \`"data_source"\`, instead was \`${JSON.stringify(f.value ?? null)}\`.`,
        );
      }
      only = f.value;
    }
  }
  if (body.query !== undefined && body.query !== null && typeof body.query !== 'string') {
    throw validationError('body failed validation: body.query should be a string or `undefined`.');
  }
  const text = typeof body.query === 'string' ? body.query.trim().toLowerCase() : '';
  let descending = true;
  if (body.sort !== undefined && body.sort !== null) {
    const s = body.sort;
    if (typeof s !== 'object' || Array.isArray(s) || s.timestamp !== 'last_edited_time' || (s.direction !== 'ascending' && s.direction !== 'descending')) {
      throw validationError('body failed validation: body.sort should be `{timestamp: "last_edited_time", direction: "ascending" | "descending"}`.');
    }
    descending = s.direction === 'descending';
  }
  type Hit = { kind: 'page'; page: EmuPage } | { kind: 'data_source'; ds: EmuDataSource };
  const hits: Hit[] = [];
  if (only !== 'page') {
    for (const ds of ctx.lookup.workspace.dataSources) {
      if (ds.shared && ds.in_trash === trashed && plainText(ds.title).toLowerCase().includes(text)) hits.push({ kind: 'data_source', ds });
    }
  }
  if (only !== 'data_source') {
    for (const page of ctx.lookup.workspace.pages) {
      if (!page.shared || page.in_trash !== trashed) continue;
      if (text !== '' && !ctx.renderer.titleOf(page).toLowerCase().includes(text)) continue;
      hits.push({ kind: 'page', page });
    }
  }
  const keyOf = (h: Hit): SortKey => {
    const o = h.kind === 'page' ? h.page : h.ds;
    return [Date.parse(o.last_edited_time), o.id];
  };
  const scope = `search:${JSON.stringify([only ?? null, text, descending, trashed])}`;
  const state = resume(ctx, ctx.cursors, cursor, scope);
  const window = selectWindow(hits, keyOf, [descending, false], state?.anchor, pageSize);
  const results: Json[] = window.items.map((h) => (h.kind === 'page' ? ctx.renderer.page(h.page) : ctx.renderer.dataSource(h.ds)));
  const next = window.next === undefined ? null : ctx.cursors.issue({ scope, anchor: keyOf(window.next), served: 0 });
  return listEnvelope('page_or_data_source', results, next);
};

const retrieveDatabase: Handler = (ctx) => {
  const id = pathId(ctx, 0, 'database_id');
  const db = ctx.lookup.database(id);
  if (db === undefined || !db.shared) throw notFound('database', id);
  return ctx.renderer.database(db);
};

const retrieveDataSource: Handler = (ctx) => ctx.renderer.dataSource(visibleDataSource(ctx, pathId(ctx, 0, 'data_source_id')));

const queryDataSource: Handler = (ctx) => {
  const ds = visibleDataSource(ctx, pathId(ctx, 0, 'data_source_id'));
  const { body } = ctx;
  const pageSize = parsePageSize(body.page_size, 'body');
  const cursor = parseStartCursor(body.start_cursor, 'body');
  const compiled = compileQuery(body, ds.properties);
  const scope = `query:${ds.id}:${JSON.stringify(body.filter ?? null)}:${JSON.stringify(body.sorts ?? null)}`;
  const state = resume(ctx, ctx.cursors, cursor, scope);
  const served = state?.served ?? 0;
  const size = Math.max(0, Math.min(pageSize, ctx.queryResultLimit - served));
  const dsHex = compactId(ds.id);
  const sameSource = new Map<string, boolean>();
  const rows = ctx.lookup.workspace.pages.filter((p) => {
    if (p.in_trash || !p.shared) return false;
    let same = sameSource.get(p.data_source_id);
    if (same === undefined) {
      same = p.data_source_id === ds.id || compactId(p.data_source_id) === dsHex;
      sameSource.set(p.data_source_id, same);
    }
    return same && compiled.matches(p);
  });
  const window = selectWindow(rows, compiled.keyOf, compiled.descending, state?.anchor, size);
  const keep = propertyFilter(ctx);
  const results: Json[] = window.items.map((p) => ctx.renderer.page(p, keep));
  if (window.next === undefined) return listEnvelope('page_or_data_source', results, null);
  const total = served + window.items.length;
  if (total >= ctx.queryResultLimit) {
    return listEnvelope('page_or_data_source', results, null, {
      request_status: { type: 'incomplete', incomplete_reason: 'query_result_limit_reached' },
    });
  }
  const next = ctx.cursors.issue({ scope, anchor: compiled.keyOf(window.next), served: total });
  return listEnvelope('page_or_data_source', results, next);
};

const retrievePage: Handler = (ctx) => ctx.renderer.page(visiblePage(ctx, pathId(ctx, 0, 'page_id')), propertyFilter(ctx));

const retrievePageProperty: Handler = (ctx) => {
  const page = visiblePage(ctx, pathId(ctx, 0, 'page_id'));
  const rawPropertyId = param(ctx, 1);
  const entry = Object.entries(page.properties).find(([, v]) => samePropertyId(v.id, rawPropertyId));
  if (entry === undefined) throw notFound('property', rawPropertyId);
  const [name, value] = entry;
  const pageSize = parsePageSize(ctx.query.get('page_size') ?? undefined, 'query');
  const cursor = parseStartCursor(ctx.query.get('start_cursor') ?? undefined, 'query');
  const scope = `property:${page.id}:${value.id}`;
  const state = resume(ctx, ctx.shortCursors, cursor, scope);
  return listPropertyItems({
    renderer: ctx.renderer,
    page,
    name,
    value,
    offset: state?.served ?? 0,
    pageSize,
    explicitPageSize: ctx.query.has('page_size'),
    issueCursor: (offset) => ctx.shortCursors.issue({ scope, anchor: [offset], served: offset }),
    selfUrl: `${ctx.baseUrl}/v1/pages/${compactId(page.id) ?? page.id}/properties/${rawPropertyId}`,
  });
};

/** Paginates a list kept in stored order; the cursor remembers the id of the next item. */
function listInOrder(ctx: HandlerContext, type: string, scope: string, items: readonly JsonObject[]): JsonObject {
  const pageSize = parsePageSize(ctx.query.get('page_size') ?? undefined, 'query');
  const cursor = parseStartCursor(ctx.query.get('start_cursor') ?? undefined, 'query');
  const state = resume(ctx, ctx.cursors, cursor, scope);
  let start = 0;
  if (state !== undefined && cursor !== undefined) {
    const nextId = String(state.anchor[0]);
    start = items.findIndex((item) => typeof item.id === 'string' && sameId(item.id, nextId));
    if (start === -1) throw invalidCursor(cursor);
  }
  const results = items.slice(start, start + pageSize);
  const following = items[start + pageSize];
  const next =
    following === undefined ? null : ctx.cursors.issue({ scope, anchor: [String(following.id)], served: start + pageSize });
  return listEnvelope(type, results, next);
}

const listUsers: Handler = (ctx) => listInOrder(ctx, 'user', 'users', ctx.lookup.workspace.users);

/** Children of a visible page or a known block ([] when it has none). */
function childrenOf(ctx: HandlerContext, id: string): JsonObject[] {
  const page = ctx.lookup.page(id);
  if (page !== undefined && !page.shared) throw notFound('block', id);
  const stored = ctx.lookup.blockChildren(id);
  if (stored !== undefined) return stored;
  if (page !== undefined || ctx.lookup.isBlock(id)) return [];
  throw notFound('block', id);
}

const listBlockChildren: Handler = (ctx) => {
  const id = pathId(ctx, 0, 'block_id');
  const children = childrenOf(ctx, id);
  const pageSize = parsePageSize(ctx.query.get('page_size') ?? undefined, 'query');
  const cursor = parseStartCursor(ctx.query.get('start_cursor') ?? undefined, 'query');
  // Notion's block cursor is the id of the next block.
  let start = 0;
  if (cursor !== undefined) {
    start = children.findIndex((b) => typeof b.id === 'string' && sameId(b.id, cursor));
    if (start === -1) throw invalidCursor(cursor);
  }
  const results = children.slice(start, start + pageSize);
  const following = children[start + pageSize];
  return listEnvelope('block', results, following === undefined ? null : String(following.id));
};

const listComments: Handler = (ctx) => {
  const raw = ctx.query.get('block_id');
  if (raw === null) throw validationError('query failed validation: query.block_id should be defined, instead was `undefined`.');
  const id = normalizeId(raw);
  if (id === undefined) throw validationError(`query failed validation: query.block_id should be a valid uuid, instead was \`${JSON.stringify(raw)}\`.`);
  const page = ctx.lookup.page(id);
  if (page !== undefined && !page.shared) throw notFound('block', id);
  const comments = ctx.lookup.commentsOn(id);
  if (comments === undefined && page === undefined && ctx.lookup.blockChildren(id) === undefined && !ctx.lookup.isBlock(id)) {
    throw notFound('block', id);
  }
  return listInOrder(ctx, 'comment', `comments:${id}`, comments ?? []);
};

export const HANDLERS: Record<EndpointName, Handler> = {
  search,
  'databases.retrieve': retrieveDatabase,
  'data_sources.retrieve': retrieveDataSource,
  'data_sources.query': queryDataSource,
  'pages.retrieve': retrievePage,
  'pages.properties.retrieve': retrievePageProperty,
  'users.list': listUsers,
  'blocks.children.list': listBlockChildren,
  'comments.list': listComments,
};
