/**
 * The `--pages` table: every page shared with the integration that is not a data source row (wiki and
 * standalone pages), found with search (`filter: {property:"object", value:"page"}`, 100 per request).
 * Search lists data source rows too, so this costs one request per 100 shared pages of any kind.
 */
import type { NotionApi } from '../notion/api.js';
import type { JsonObject } from '../notion/types.js';
import { PAGES_SCHEMA, pageRow, parentOf } from '../core/workspace-tables.js';
import type { SingerMessage } from '../singer/messages.js';
import { paginate } from './read-users.js';

/** Parents that make a page a data source row (`database_id` in versions before 2025-09-03). */
const ROW_PARENTS = new Set(['data_source_id', 'database_id']);

/**
 * Every shared page outside data sources, live and trashed alike as search returns them (live only).
 * Rejects with the `NotionApi` codes (`bad_token`, `retries_exhausted`, ...) or `aborted`.
 */
export async function* readStandalonePages(api: NotionApi, signal?: AbortSignal): AsyncGenerator<JsonObject> {
  const search = (cursor: string | undefined) =>
    api.search({ filter: { property: 'object', value: 'page' }, page_size: 100, ...(cursor ? { start_cursor: cursor } : {}) }, 'the search for shared pages');
  for await (const page of paginate(search, signal)) {
    if (page.object === 'page' && !ROW_PARENTS.has(String(parentOf(page.parent).type))) yield page;
  }
}

/** `notion_pages` as Singer messages; `onPage` is told each page id (its content is read later). */
export async function* pagesTable(api: NotionApi, options: { signal?: AbortSignal; onPage?: (id: string) => void } = {}): AsyncGenerator<SingerMessage> {
  yield PAGES_SCHEMA;
  for await (const page of readStandalonePages(api, options.signal)) {
    options.onPage?.(String(page.id));
    yield { type: 'RECORD', stream: PAGES_SCHEMA.stream, record: pageRow(page) };
  }
}
