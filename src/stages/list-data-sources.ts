/**
 * Stage 1, the data source lister: every data source shared with the integration (search, every page
 * of it), or the ones named by the user as database ids, data source ids or Notion URLs. A database
 * expands to all of its data sources.
 */
import { Readable } from 'node:stream';
import { extractNotionId } from '@notionhq/client';
import type { NotionApi } from '../notion/api.js';
import { isNotionStreamError, NotionStreamError } from '../errors.js';
import { plainText, type JsonObject, type NotionDataSource } from '../notion/types.js';

/** Options of `listDataSources` and `createDataSourceLister`. */
export interface ListOptions {
  /**
   * Database ids, data source ids, Notion URLs or data source titles (matched whole, without regard to
   * case, and only when one shared data source has it); empty or absent means every shared data source.
   */
  databases?: readonly string[];
}

/**
 * Lists data sources (full objects, with their schema) in a stable order: every data source shared
 * with the integration (sorted by title, then id), or the ones `options.databases` names, each once (a
 * database gives all of its data sources). Rejects with `NotionStreamError` `invalid_id` (a reference that
 * is no id, no URL and no unique title), the `NotionApi` codes (`bad_token`, `not_shared` for an id not
 * shared with the integration, `retries_exhausted`, ...), or `aborted` when the client's signal aborts.
 */
export async function* listDataSources(api: NotionApi, options: ListOptions = {}): AsyncGenerator<NotionDataSource> {
  const refs = options.databases ?? [];
  const seen = new Set<string>();
  const fresh = (ds: NotionDataSource) => !seen.has(ds.id) && seen.add(ds.id);
  if (refs.length === 0) {
    for (const ds of await searchDataSources(api)) if (fresh(ds)) yield ds;
    return;
  }
  for (const ref of refs) {
    for (const ds of await resolveRef(api, ref)) if (fresh(ds)) yield ds;
  }
}

/**
 * Every data source the search endpoint returns (those whose title contains `query`, when given),
 * sorted by title then id (search order is not stable).
 */
async function searchDataSources(api: NotionApi, query?: string): Promise<NotionDataSource[]> {
  const found: NotionDataSource[] = [];
  let cursor: string | undefined;
  do {
    const body: JsonObject = { filter: { property: 'object', value: 'data_source' }, page_size: 100 };
    if (query !== undefined) body.query = query;
    if (cursor) body.start_cursor = cursor;
    const res = await api.search(body);
    for (const hit of res.results) if (hit.object === 'data_source' && hit.in_trash !== true) found.push(hit as unknown as NotionDataSource);
    cursor = res.has_more && res.next_cursor ? res.next_cursor : undefined;
  } while (cursor);
  const titled = found.map((ds) => ({ ds, title: plainText(ds.title) }));
  titled.sort((a, b) => (a.title < b.title ? -1 : a.title > b.title ? 1 : a.ds.id < b.ds.id ? -1 : 1));
  return titled.map((t) => t.ds);
}

/** The one shared data source titled `title` (whole, without regard to case). */
async function byTitle(api: NotionApi, title: string): Promise<NotionDataSource> {
  const wanted = title.trim().toLowerCase();
  const matches = (await searchDataSources(api, title.trim())).filter((ds) => plainText(ds.title).trim().toLowerCase() === wanted);
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) {
    throw new NotionStreamError('invalid_id', `No data source titled "${title}" is shared with the integration, and "${title}" is no id or URL. Run \`notion-stream list\` for the shared data sources, or share the database with the integration (••• → Connections).`, false);
  }
  throw new NotionStreamError('invalid_id', `${matches.length} data sources are titled "${title}": name one by its id (${matches.map((ds) => ds.id).join(', ')}).`, false);
}

/** True for a reference that is meant as a link, not a title. */
function looksLikeUrl(ref: string): boolean {
  return /^[a-z]+:\/\//i.test(ref) || /(^|\.)notion\.(so|site|com)\//i.test(ref);
}

/**
 * A database id expands to its data sources; otherwise the id must be a data source. A reference with
 * no id in it is taken as a data source title.
 */
async function resolveRef(api: NotionApi, ref: string): Promise<NotionDataSource[]> {
  const id = extractNotionId(ref.trim());
  if (!id && ref.trim() !== '' && !looksLikeUrl(ref)) return [await byTitle(api, ref)];
  if (!id) {
    throw new NotionStreamError('invalid_id', `"${ref}" is not a Notion database or data source id or URL. Copy the link of the database (Share → Copy link) or its 32-character id.`, false);
  }
  const fromUrl = ref.trim().replace(/-/g, '') !== id.replace(/-/g, '');
  const what = `database or data source ${id}${fromUrl ? ` (from "${ref}")` : ''}`;
  let database: JsonObject | undefined;
  try {
    database = await api.retrieveDatabase(id, what);
  } catch (err) {
    // A data source id is not a database: fall through to the data source endpoint.
    if (!isNotionStreamError(err) || (err.code !== 'not_shared' && err.code !== 'notion_error')) throw err;
  }
  if (database) {
    const refs = Array.isArray(database.data_sources) ? (database.data_sources as JsonObject[]) : [];
    const out: NotionDataSource[] = [];
    for (const r of refs) out.push(await api.retrieveDataSource(String(r.id), `data source ${String(r.id)} of database ${id}`));
    return out;
  }
  return [await api.retrieveDataSource(id, what)];
}

/**
 * The lister as a Readable in object mode (`highWaterMark` in data source objects, default 16): what
 * `listDataSources` yields; the stream errors with the same codes.
 */
export function createDataSourceLister(api: NotionApi, options: ListOptions & { highWaterMark?: number } = {}): Readable {
  return Readable.from(listDataSources(api, options), { objectMode: true, highWaterMark: options.highWaterMark ?? 16 });
}
