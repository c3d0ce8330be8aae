/**
 * The `--comments` table: the open comments of every page read (`GET /v1/comments?block_id=<page>`,
 * 100 per request), with their discussion, author and rich text. Needs the integration's "Read
 * comments" capability: a 403 restricted_resource on the first page is reported once and the table is
 * left out.
 */
import type { NotionApi } from '../notion/api.js';
import type { JsonObject } from '../notion/types.js';
import { COMMENTS_SCHEMA, commentRow } from '../core/workspace-tables.js';
import type { SingerMessage } from '../singer/messages.js';
import { mapOrdered } from '../util/concurrency.js';
import { isRestricted, paginate } from './read-users.js';

/** Options of `commentsTable`. */
export interface CommentsOptions {
  /** Pages read at the same time; default 3. */
  concurrency?: number;
  /** Stops reading; the generator rejects with code `aborted`. */
  signal?: AbortSignal;
  /** Told when the table is left out, one line. */
  onSkip?: (message: string) => void;
}

/** Every comment on one page (page-level discussions), in Notion's order. */
export async function readPageComments(api: NotionApi, pageId: string, signal?: AbortSignal): Promise<JsonObject[]> {
  const out: JsonObject[] = [];
  for await (const c of paginate((cursor) => api.listComments(pageId, cursor), signal)) out.push(c);
  return out;
}

/** `notion_comments` as Singer messages for the given page ids. */
export async function* commentsTable(api: NotionApi, pageIds: AsyncIterable<string>, options: CommentsOptions = {}): AsyncGenerator<SingerMessage> {
  const pages = mapOrdered(
    pageIds,
    async (pageId) => {
      try {
        return { pageId, comments: await readPageComments(api, pageId, options.signal) };
      } catch (err) {
        if (isRestricted(err)) return { pageId, restricted: err };
        throw err;
      }
    },
    { concurrency: options.concurrency ?? 3, signal: options.signal },
  );
  let first = true;
  for await (const page of pages) {
    if ('restricted' in page) {
      if (!first) throw page.restricted;
      options.onSkip?.('Notion refused to list comments (403 restricted_resource): notion_comments is left as it was. Give the integration the "Read comments" capability to load them.');
      return;
    }
    if (first) yield COMMENTS_SCHEMA;
    first = false;
    for (const c of page.comments) yield { type: 'RECORD', stream: COMMENTS_SCHEMA.stream, record: commentRow(c, page.pageId) };
  }
  if (first) yield COMMENTS_SCHEMA;
}
