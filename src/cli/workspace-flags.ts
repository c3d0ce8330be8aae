/**
 * The flags of the workspace tables (`--content`, `--comments`, `--pages`, `--no-users`,
 * `--no-catalog`) and the options they give the workspace stage.
 */
import type { Argv } from 'yargs';
import type { WorkspaceFlags } from '../sync/options.js';

export type { WorkspaceFlags };

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

/** `Requests per table: users 1, catalog 3.` or '' when no workspace table was read. */
export function describeRequests(requests: ReadonlyMap<string, number>): string {
  if (requests.size === 0) return '';
  return `Requests of the workspace tables: ${[...requests].map(([t, n]) => `${t} ${n.toLocaleString('en-US')}`).join(', ')}.`;
}
