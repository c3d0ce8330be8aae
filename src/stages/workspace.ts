/**
 * The workspace tables after the data source tables, in one Singer stream: `notion_users` and the
 * catalog by default, page content (`content`), comments (`comments`) and standalone pages (`pages`)
 * on request. Every request goes through the run's one NotionApi, so one rate limiter paces them all;
 * the sink commits them with the data source tables or not at all. The content and comments tables
 * link their rows to the tables of the pages read (`contentParent`), so a merging sink replaces the
 * rows of every page the run read or deleted. With both content and comments, the comments of every
 * block read are read too, unless `blockComments` is false (the blocks' ids wait in a spool between
 * the two tables, so memory stays flat).
 */
import type { NotionApi } from '../notion/api.js';
import type { NotionDataSource, NotionPage } from '../notion/types.js';
import type { SingerMessage } from '../singer/messages.js';
import { contentParent, PAGES_TABLE } from '../core/workspace-tables.js';
import { Spool } from '../util/spool.js';
import { CatalogCollector, catalogTables } from './catalog.js';
import type { PageStreamItem } from './read-pages.js';
import { usersTable } from './read-users.js';
import { contentTables } from './read-content.js';
import { commentsTable, type CommentTarget } from './read-comments.js';
import { pagesTable } from './read-standalone-pages.js';

/** Which workspace tables a run loads, and how. */
export interface WorkspaceOptions {
  /** `notion_users`; default true. */
  users?: boolean;
  /** `notion_databases`, `notion_data_sources`, `notion_data_source_properties`; default true. */
  catalog?: boolean;
  /** `notion_pages`: pages outside data sources (their content and comments too, when asked); default false. */
  pages?: boolean;
  /** `notion_blocks` and `notion_page_content` of every page read; default false. */
  content?: boolean;
  /** `notion_comments` of every page read (and of every block read, with `content`); default false. */
  comments?: boolean;
  /**
   * With `content` and `comments`: also the comments on every block read (one request per block, child
   * pages and child databases excepted); default true.
   */
  blockComments?: boolean;
  /** Pages read at the same time for content and comments; default 3. */
  concurrency?: number;
  /** Stops reading the workspace tables; they reject with code `aborted`. */
  signal?: AbortSignal;
  /** Told when a table is left out (a missing capability), one line. */
  onSkip?: (message: string) => void;
  /** Told the requests each workspace table cost, once it is read (`block comments` apart from `comments`). */
  onRequests?: (table: string, requests: number) => void;
}

/** What the run's page stream carried: the data sources and the pages (ids and edit times). */
export class PageTap {
  /** The data source objects that passed, in order. */
  readonly dataSources: NotionDataSource[] = [];
  /** The pages kept (see `keep`) that passed, in order. */
  readonly pages: { id: string; last_edited_time: string }[] = [];
  /** Data sources some of whose pages `keep` left out (their table is not every page's content). */
  readonly partial = new Set<string>();

  /** `keep`: the pages whose content and comments are read (default all). */
  constructor(private readonly keep: (page: NotionPage) => boolean = () => true) {}

  /** Passes the page stream through, noting its data sources and pages. */
  async *tap(items: AsyncIterable<PageStreamItem>): AsyncGenerator<PageStreamItem> {
    for await (const item of items) {
      if (item.object === 'data_source') this.dataSources.push(item);
      else if (item.object === 'page') {
        if (this.keep(item)) this.pages.push({ id: item.id, last_edited_time: item.last_edited_time });
        else this.partial.add(String(item.parent?.data_source_id));
      }
      yield item;
    }
  }
}

/** Counts the requests made while `messages` is read, and reports them under `table`. */
async function* counted(api: NotionApi, table: string, messages: AsyncIterable<SingerMessage>, options: WorkspaceOptions): AsyncGenerator<SingerMessage> {
  const before = api.stats.requests;
  yield* messages;
  options.onRequests?.(table, api.stats.requests - before);
}

/**
 * The data source tables, then the workspace tables: users, the catalog, standalone pages, content,
 * comments (each as asked in `options`). `collector` must be the flattener's `onTable` of `tables`, so
 * the catalog knows the table of each data source; `pages` the tap the page stream of `tables` went
 * through, whose pages (and the standalone pages) get content and comments read. Throws what the
 * readers throw (`not_shared`, `retries_exhausted`, `aborted`, ...); a missing capability (403) leaves
 * its table out and is told to `onSkip`.
 */
export async function* withWorkspaceTables(
  tables: AsyncIterable<SingerMessage>,
  api: NotionApi,
  collector: CatalogCollector,
  options: WorkspaceOptions = {},
  pages?: PageTap,
): AsyncGenerator<SingerMessage> {
  yield* tables;
  if (options.users ?? true) yield* counted(api, 'users', usersTable(api, { signal: options.signal, onSkip: options.onSkip }), options);
  if (options.catalog ?? true) yield* counted(api, 'catalog', catalogTables(api, collector, options.signal), options);
  const { concurrency, signal, onSkip } = options;
  const standalone: string[] = [];
  if (options.pages) yield* counted(api, 'pages', pagesTable(api, { signal, onPage: (id) => standalone.push(id) }), options);
  const ids = async function* () {
    for (const p of pages?.pages ?? []) yield p.id;
    yield* standalone;
  };
  // The tables whose pages all had their content and comments read: the link of their rows.
  const tapped = new Set((pages?.dataSources ?? []).filter((ds) => !pages!.partial.has(ds.id)).map((ds) => ds.id));
  const pageTables = collector.entries().flatMap((e) => (e.table !== null && tapped.has(e.dataSource.id) ? [e.table] : []));
  const parent = contentParent([...pageTables, ...(options.pages ? [PAGES_TABLE] : [])]);
  const blocks = options.content && options.comments && (options.blockComments ?? true) ? new Spool<CommentTarget>() : undefined;
  try {
    const onBlocks = blocks && ((page: string, ids: string[]) => blocks.push({ page, blocks: ids }));
    if (options.content) yield* counted(api, 'content', contentTables(api, ids(), { concurrency, signal, parent, onBlocks }), options);
    blocks?.close();
    if (options.comments) {
      const before = api.stats.requests;
      let blockRequests = 0;
      yield* commentsTable(api, blocks ? drain(blocks) : ids(), { concurrency, signal, onSkip, parent, onBlockRequests: (n) => (blockRequests = n) });
      options.onRequests?.('comments', api.stats.requests - before - blockRequests);
      if (blocks) options.onRequests?.('block comments', blockRequests);
    }
  } finally {
    await blocks?.dispose();
  }
}

async function* drain<T>(spool: Spool<T>): AsyncGenerator<T> {
  for (let next = await spool.next(); next; next = await spool.next()) yield next.value;
}
