/**
 * The workspace tables after the data source tables, in one Singer stream: `notion_users` and the
 * catalog by default, page content (`content`), comments (`comments`) and standalone pages (`pages`)
 * on request. Every request goes through the run's one NotionApi, so one rate limiter paces them all;
 * the sink commits them with the data source tables or not at all.
 */
import type { NotionApi } from '../notion/api.js';
import type { NotionDataSource, NotionPage } from '../notion/types.js';
import type { SingerMessage } from '../singer/messages.js';
import { CatalogCollector, catalogTables } from './catalog.js';
import type { PageStreamItem } from './read-pages.js';
import { usersTable } from './read-users.js';
import { contentTables } from './read-content.js';
import { commentsTable } from './read-comments.js';
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
  /** `notion_comments` of every page read; default false. */
  comments?: boolean;
  /** Pages read at the same time for content and comments; default 3. */
  concurrency?: number;
  /** Stops reading the workspace tables; they reject with code `aborted`. */
  signal?: AbortSignal;
  /** Told when a table is left out (a missing capability), one line. */
  onSkip?: (message: string) => void;
  /** Told the requests each workspace table cost, once it is read. */
  onRequests?: (table: string, requests: number) => void;
}

/** What the run's page stream carried: the data sources and the pages (ids and edit times). */
export class PageTap {
  /** The data source objects that passed, in order. */
  readonly dataSources: NotionDataSource[] = [];
  /** The pages kept (see `keep`) that passed, in order. */
  readonly pages: { id: string; last_edited_time: string }[] = [];

  /** `keep`: the pages whose content and comments are read (default all). */
  constructor(private readonly keep: (page: NotionPage) => boolean = () => true) {}

  /** Passes the page stream through, noting its data sources and pages. */
  async *tap(items: AsyncIterable<PageStreamItem>): AsyncGenerator<PageStreamItem> {
    for await (const item of items) {
      if (item.object === 'data_source') this.dataSources.push(item);
      else if (item.object === 'page' && this.keep(item)) this.pages.push({ id: item.id, last_edited_time: item.last_edited_time });
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
  if (options.content) yield* counted(api, 'content', contentTables(api, ids(), { concurrency, signal }), options);
  if (options.comments) yield* counted(api, 'comments', commentsTable(api, ids(), { concurrency, signal, onSkip }), options);
}
