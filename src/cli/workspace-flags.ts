/**
 * The flags of the workspace tables (`--content`, `--comments`, `--pages`, `--no-users`,
 * `--no-catalog`) and the options they give the workspace stage.
 */
import type { Argv } from 'yargs';
import type { WorkspaceOptions } from '../stages/workspace.js';
import type { RunContext } from './run.js';

/** What the command line says about the workspace tables. */
export interface WorkspaceFlags {
  /** `notion_users`; default true. */
  users?: boolean;
  /** The catalog tables; default true. */
  catalog?: boolean;
  /** `--content`: notion_blocks and notion_page_content. */
  content?: boolean;
  /** `--comments`: notion_comments. */
  comments?: boolean;
  /** `--pages`: notion_pages (pages outside data sources). */
  pages?: boolean;
  /** `--no-block-comments`: with --content and --comments, leave out the comments on blocks. */
  blockComments?: boolean;
}

/** Adds the workspace table flags to a command. */
export function workspaceFlags<T>(y: Argv<T>) {
  return y
    .option('users', { type: 'boolean', default: true, description: 'Load notion_users (every person and bot; --no-users to skip).' })
    .option('catalog', { type: 'boolean', default: true, description: 'Load notion_databases, notion_data_sources and notion_data_source_properties (--no-catalog to skip).' })
    .option('content', { type: 'boolean', default: false, description: 'Load the content of every page read: notion_blocks (every block, any depth) and notion_page_content (markdown, plain text).' })
    .option('comments', { type: 'boolean', default: false, description: 'Load the open comments of every page read into notion_comments.' })
    .option('block-comments', { type: 'boolean', default: true, description: 'With --content and --comments, also read the comments on every block of those pages (one request per block; --no-block-comments to skip).' })
    .option('pages', { type: 'boolean', default: false, description: 'Load notion_pages: every shared page outside data sources (wiki and standalone pages); --content and --comments then cover them too.' });
}

/** Reads the workspace flags out of parsed arguments. */
export function toWorkspaceFlags(a: Record<string, unknown>): WorkspaceFlags {
  return { users: a.users as boolean | undefined, catalog: a.catalog as boolean | undefined, content: a.content as boolean | undefined, comments: a.comments as boolean | undefined, pages: a.pages as boolean | undefined, blockComments: a.blockComments as boolean | undefined };
}

/** The workspace stage's options of a run; the requests of each table are noted in `requests`. */
export function workspaceOptions(ctx: RunContext, flags: WorkspaceFlags & { concurrency?: number }, requests: Map<string, number>): WorkspaceOptions {
  return {
    users: flags.users ?? true,
    catalog: flags.catalog ?? true,
    content: flags.content ?? false,
    comments: flags.comments ?? false,
    pages: flags.pages ?? false,
    blockComments: flags.blockComments ?? true,
    concurrency: flags.concurrency,
    signal: ctx.signal,
    onSkip: (m) => ctx.logger.warn(m),
    onRequests: (table, n) => requests.set(table, (requests.get(table) ?? 0) + n),
  };
}

/** `Requests per table: users 1, catalog 3.` or '' when no workspace table was read. */
export function describeRequests(requests: ReadonlyMap<string, number>): string {
  if (requests.size === 0) return '';
  return `Requests of the workspace tables: ${[...requests].map(([t, n]) => `${t} ${n.toLocaleString('en-US')}`).join(', ')}.`;
}
