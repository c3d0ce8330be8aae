/**
 * The `--content` tables: for every page read, its blocks at every depth (`notion_blocks`, document
 * order) and its markdown and plain text (`notion_page_content`). Pages are read `concurrency` at a time
 * (each page's tree one request after another), output in page order; one page's tree is in memory
 * at a time per worker. With `parent`, both SCHEMAs link their rows to the tables of the pages read (by
 * `page_id`), so a merging sink replaces every row of each page the run read or deleted.
 */
import type { NotionApi } from '../notion/api.js';
import { BLOCKS_SCHEMA, PAGE_CONTENT_SCHEMA, blockPlainText, blockRow } from '../core/workspace-tables.js';
import { renderMarkdown } from '../core/markdown.js';
import type { ParentLink, SchemaMessage, SingerMessage } from '../singer/messages.js';
import { mapOrdered } from '../util/concurrency.js';
import { isOtherPage, readPageBlocks } from './read-blocks.js';

/** Options of `contentTables`. */
export interface ContentOptions {
  /** Pages read at the same time; default 3. */
  concurrency?: number;
  /** Stops reading; the generator rejects with code `aborted`. */
  signal?: AbortSignal;
  /** The SCHEMAs' `parent` link: the tables of the pages read (see `contentParent`). */
  parent?: ParentLink;
  /**
   * Told each page's blocks that can hold comments of their own (every block but child pages and child
   * databases), in page order, once its rows are out; awaited.
   */
  onBlocks?: (pageId: string, blockIds: string[]) => Promise<void> | void;
}

async function* fromArray<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}

/** The two content tables as Singer messages, for the given page ids (in that order). */
export async function* contentTables(api: NotionApi, pageIds: Iterable<string> | AsyncIterable<string>, options: ContentOptions = {}): AsyncGenerator<SingerMessage> {
  const withParent = (schema: SchemaMessage): SchemaMessage => (options.parent ? { ...schema, parent: options.parent } : schema);
  yield withParent(BLOCKS_SCHEMA);
  yield withParent(PAGE_CONTENT_SCHEMA);
  const ids = Symbol.asyncIterator in pageIds ? pageIds : fromArray(pageIds);
  const pages = mapOrdered(
    ids,
    async (pageId) => {
      const tree = await readPageBlocks(api, pageId, options.signal);
      const markdown = await renderMarkdown(pageId, tree.children);
      return { tree, markdown };
    },
    { concurrency: options.concurrency ?? 3, signal: options.signal },
  );
  for await (const { tree, markdown } of pages) {
    for (const node of tree.blocks) yield { type: 'RECORD', stream: BLOCKS_SCHEMA.stream, record: blockRow(node.block, node.place) };
    const plain = tree.blocks.map((n) => blockPlainText(n.block)).filter((t) => t !== '').join('\n');
    yield { type: 'RECORD', stream: PAGE_CONTENT_SCHEMA.stream, record: { page_id: tree.pageId, markdown, plain_text: plain } };
    await options.onBlocks?.(tree.pageId, tree.blocks.filter((n) => !isOtherPage(n.block)).map((n) => String(n.block.id)));
  }
}
