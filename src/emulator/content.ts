/**
 * Sample page content for a generated workspace: rich documents (every common block type, nesting,
 * a table, a child page with content of its own) and comment discussions on chosen pages.
 */
import { addBlocks, BlockIds, sampleDocument } from './blocks.js';
import type { JsonObject, Workspace } from './workspace.js';

export interface SampleContentOptions {
  /** How many pages get a rich document; default 10. */
  pages?: number;
  /** Title of the data source whose first pages get them; default every data source in order. */
  dataSourceTitle?: string;
}

function titleOf(rich: JsonObject[]): string {
  return rich.map((t) => String(t.plain_text ?? '')).join('');
}

/**
 * Gives the first `pages` pages (of one data source, or of the workspace) a rich document and a
 * discussion of two comments, replacing the content they had. Returns the ids of those pages.
 */
export function addSampleContent(ws: Workspace, options: SampleContentOptions = {}): string[] {
  const ds = options.dataSourceTitle === undefined ? undefined : ws.dataSources.find((d) => titleOf(d.title) === options.dataSourceTitle);
  const pages = ws.pages.filter((p) => p.shared && (ds === undefined || p.data_source_id === ds.id)).slice(0, options.pages ?? 10);
  const ids = new BlockIds('b10cde00');
  const persons = ws.users.filter((u) => u.type === 'person');
  pages.forEach((page, i) => {
    const childPageId = ids.next();
    addBlocks(ws, page.id, sampleDocument(childPageId, `Notes ${i + 1}`), { ids, at: page.last_edited_time, userId: String(page.created_by.id ?? '') || undefined });
    const discussion = ids.next();
    const author = (n: number) => ({ object: 'user', id: persons[(i + n) % Math.max(1, persons.length)]?.id ?? '' });
    const comment = (n: number, content: string): JsonObject => ({
      object: 'comment',
      id: ids.next(),
      parent: { type: 'page_id', page_id: page.id },
      discussion_id: discussion,
      created_time: page.last_edited_time,
      last_edited_time: page.last_edited_time,
      created_by: author(n),
      rich_text: [{ type: 'text', text: { content, link: null }, annotations: { bold: false, italic: false, strikethrough: false, underline: false, code: false, color: 'default' }, plain_text: content, href: null }],
    });
    ws.comments[page.id] = [comment(0, 'Can we ship this week?'), comment(1, 'Yes, once the table is reviewed.')];
  });
  return pages.map((p) => p.id);
}
