/**
 * The `--comments` table: the open comments of every page read (`GET /v1/comments?block_id=<page>`,
 * 100 per request), with their discussion, author and rich text; with `--content` also the comments on
 * each block of the page (`block_id=<block>`: one more request per block, child pages and child
 * databases excepted, whose comments are their own page's). Needs the integration's "Read comments"
 * capability: a 403 restricted_resource on the first page is reported once and the table is left out.
 */
import type { NotionApi } from '../notion/api.js';
import type { JsonObject } from '../notion/types.js';
import { COMMENTS_SCHEMA, commentRow } from '../core/workspace-tables.js';
import type { ParentLink, SingerMessage } from '../singer/messages.js';
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
  /** The SCHEMA's `parent` link: the tables of the pages read (see `contentParent`). */
  parent?: ParentLink;
  /** Told the requests spent on block-level comments (page-level ones are the rest), once the table is read. */
  onBlockRequests?: (requests: number) => void;
}

/** A page whose comments are read, with the blocks whose own comments are read too (in document order). */
export interface CommentTarget {
  page: string;
  blocks: string[];
}

/** Every open comment on one page or block (`id`), in Notion's order; `onRequest` is told each list call. */
export async function readComments(api: NotionApi, id: string, signal?: AbortSignal, onRequest?: () => void): Promise<JsonObject[]> {
  const out: JsonObject[] = [];
  const list = (cursor: string | undefined) => {
    onRequest?.();
    return api.listComments(id, cursor);
  };
  for await (const c of paginate(list, signal)) out.push(c);
  return out;
}

/** Every comment on one page (page-level discussions), in Notion's order. */
export function readPageComments(api: NotionApi, pageId: string, signal?: AbortSignal): Promise<JsonObject[]> {
  return readComments(api, pageId, signal);
}

/**
 * `notion_comments` as Singer messages for the given pages: a page id reads its page-level comments, a
 * `CommentTarget` also those of its blocks (after the page's, block by block). Throws what the reads
 * throw but a 403 on the first page (then the table is left out, told to `onSkip`).
 */
export async function* commentsTable(api: NotionApi, pages: AsyncIterable<string | CommentTarget>, options: CommentsOptions = {}): AsyncGenerator<SingerMessage> {
  let blockRequests = 0;
  const read = mapOrdered(
    pages,
    async (target) => {
      const pageId = typeof target === 'string' ? target : target.page;
      try {
        const comments = await readComments(api, pageId, options.signal);
        if (typeof target !== 'string') {
          for (const block of target.blocks) comments.push(...(await readComments(api, block, options.signal, () => blockRequests++)));
        }
        return { pageId, comments };
      } catch (err) {
        if (isRestricted(err)) return { pageId, restricted: err };
        throw err;
      }
    },
    { concurrency: options.concurrency ?? 3, signal: options.signal },
  );
  const schema: SingerMessage = options.parent ? { ...COMMENTS_SCHEMA, parent: options.parent } : COMMENTS_SCHEMA;
  let first = true;
  for await (const page of read) {
    if ('restricted' in page) {
      if (!first) throw page.restricted;
      options.onSkip?.('Notion refused to list comments (403 restricted_resource): notion_comments is left as it was. Give the integration the "Read comments" capability to load them.');
      options.onBlockRequests?.(blockRequests);
      return;
    }
    if (first) yield schema;
    first = false;
    for (const c of page.comments) yield { type: 'RECORD', stream: COMMENTS_SCHEMA.stream, record: commentRow(c, page.pageId) };
  }
  if (first) yield schema;
  options.onBlockRequests?.(blockRequests);
}
