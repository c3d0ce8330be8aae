/**
 * Sample page content for a generated workspace: rich documents (every common block type, nesting,
 * a table, a child page with content of its own) and comment discussions on chosen pages.
 */
import { addBlocks, BlockIds, sampleDocument, textBlock } from './blocks.js';
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

/** What a comment says and where it sits, for `comment`. */
export interface CommentSpec {
  id: string;
  /** A page-level comment (`page_id`) or a comment on a block inside a page (`block_id`). */
  on: { type: 'page_id' | 'block_id'; id: string };
  discussion: string;
  /** Created and last edited time. */
  at: string;
  /** The author's user id. */
  author: string;
  content: string;
}

/** A comment object as `GET /v1/comments` returns it; store it under `ws.comments[spec.on.id]`. */
export function comment(spec: CommentSpec): JsonObject {
  return {
    object: 'comment',
    id: spec.id,
    parent: { type: spec.on.type, [spec.on.type]: spec.on.id },
    discussion_id: spec.discussion,
    created_time: spec.at,
    last_edited_time: spec.at,
    created_by: { object: 'user', id: spec.author },
    rich_text: [{ type: 'text', text: { content: spec.content, link: null }, annotations: { bold: false, italic: false, strikethrough: false, underline: false, code: false, color: 'default' }, plain_text: spec.content, href: null }],
  };
}

/**
 * Gives the first `pages` pages (of one data source, or of the workspace) a rich document, a
 * discussion of two comments on the page and one comment on the document's first paragraph block,
 * replacing the content they had. Returns the ids of those pages.
 */
export function addSampleContent(ws: Workspace, options: SampleContentOptions = {}): string[] {
  const ds = options.dataSourceTitle === undefined ? undefined : ws.dataSources.find((d) => titleOf(d.title) === options.dataSourceTitle);
  const pages = ws.pages.filter((p) => p.shared && (ds === undefined || p.data_source_id === ds.id)).slice(0, options.pages ?? 10);
  const ids = new BlockIds('b10cde00');
  const persons = ws.users.filter((u) => u.type === 'person');
  pages.forEach((page, i) => {
    const childPageId = ids.next();
    const made = addBlocks(ws, page.id, sampleDocument(childPageId, `Notes ${i + 1}`), { ids, at: page.last_edited_time, userId: String(page.created_by.id ?? '') || undefined });
    const discussion = ids.next();
    const author = (n: number) => persons[(i + n) % Math.max(1, persons.length)]?.id ?? '';
    const onPage = (n: number, content: string) => comment({ id: ids.next(), on: { type: 'page_id', id: page.id }, discussion, at: page.last_edited_time, author: author(n), content });
    ws.comments[page.id] = [onPage(0, 'Can we ship this week?'), onPage(1, 'Yes, once the table is reviewed.')];
    const paragraph = made.find((b) => b.type === 'paragraph');
    if (paragraph) {
      const on = { type: 'block_id' as const, id: String(paragraph.id) };
      ws.comments[on.id] = [comment({ id: ids.next(), on, discussion: ids.next(), at: page.last_edited_time, author: author(2), content: 'Who is "everyone" here?' })];
    }
  });
  return pages.map((p) => p.id);
}

/**
 * Adds a small wiki of standalone pages (outside any data source): "Handbook" at the workspace top
 * level, "Onboarding" and "Engineering" under it, "On-call" under Engineering. Each has content; a
 * parent's content has a child_page block for each child. Returns the page ids, parents first.
 */
export function addStandalonePages(ws: Workspace, at = '2024-03-01T09:00:00.000Z'): string[] {
  const ids = new BlockIds('5a9e0000');
  const user: JsonObject = { object: 'user', id: ws.users.find((u) => u.type === 'person')?.id ?? ws.users[0]?.id ?? '' };
  const tree: { title: string; parent: number | null; emoji: string }[] = [
    { title: 'Handbook', parent: null, emoji: '📘' },
    { title: 'Onboarding', parent: 0, emoji: '👋' },
    { title: 'Engineering', parent: 0, emoji: '🛠️' },
    { title: 'On-call', parent: 2, emoji: '📟' },
  ];
  const pageIds = tree.map(() => ids.next());
  tree.forEach((node, i) => {
    const id = pageIds[i]!;
    ws.pages.push({
      id,
      data_source_id: '',
      parent: node.parent === null ? { type: 'workspace', workspace: true } : { type: 'page_id', page_id: pageIds[node.parent]! },
      created_time: at,
      last_edited_time: at,
      created_by: user,
      last_edited_by: user,
      in_trash: false,
      icon: { type: 'emoji', emoji: node.emoji },
      cover: null,
      properties: { title: { id: 'title', type: 'title', title: [{ type: 'text', text: { content: node.title, link: null }, annotations: { bold: false, italic: false, strikethrough: false, underline: false, code: false, color: 'default' }, plain_text: node.title, href: null }] } },
      shared: true,
    });
  });
  tree.forEach((node, i) => {
    const children = tree.flatMap((c, j) => (c.parent === i ? [{ type: 'child_page', id: pageIds[j]!, body: { title: c.title } }] : []));
    addBlocks(ws, pageIds[i]!, [textBlock('heading_1', node.title), textBlock('paragraph', `What the team knows about ${node.title.toLowerCase()}.`), textBlock('bulleted_list_item', 'Ask in #help'), ...children], { ids, at });
  });
  return pageIds;
}
