/**
 * Page content for the emulator: builds Notion block objects (nested, of many types) and stores them in
 * a workspace's `blocks` map, keyed by parent id, as `GET /v1/blocks/{id}/children` serves them (100
 * per page, `has_children` set from the stored children, the parent's type and id on each block).
 */
import { minuteIso, type Json, type JsonObject, type Workspace } from './workspace.js';

/** A block to build: its type, its type-keyed payload and its children. */
export interface BlockSpec {
  type: string;
  body?: JsonObject;
  children?: BlockSpec[];
  /** Given for blocks other objects point to (a child page's id is its page id). */
  id?: string;
}

/** A rich text item of plain text (with optional annotations and link). */
export function text(content: string, annotations: Partial<Record<'bold' | 'italic' | 'code' | 'strikethrough' | 'underline', boolean>> = {}, href: string | null = null): JsonObject {
  return {
    type: 'text',
    text: { content, link: href === null ? null : { url: href } },
    annotations: { bold: false, italic: false, strikethrough: false, underline: false, code: false, color: 'default', ...annotations },
    plain_text: content,
    href,
  };
}

/** A block spec whose payload is `{rich_text: [text], color}` plus `extra`. */
export function textBlock(type: string, content: string, extra: JsonObject = {}, children?: BlockSpec[]): BlockSpec {
  return { type, body: { rich_text: [text(content)], color: 'default', ...extra }, children };
}

/** Makes block ids: `<prefix>-0000-4000-8000-<counter>`, stable for a prefix. */
export class BlockIds {
  #n = 0;
  constructor(private readonly prefix = 'b10c0000') {}
  next(): string {
    this.#n++;
    return `${this.prefix}-0000-4000-8000-${this.#n.toString(16).padStart(12, '0')}`;
  }
}

export interface AddBlocksOptions {
  ids?: BlockIds;
  /** Block times; default 2024-01-01T00:00Z. */
  at?: string;
  /** The author (a user id); default the workspace's first user. */
  userId?: string;
  /** The parent's type: `page_id` (default) or `block_id`. */
  parentType?: 'page_id' | 'block_id';
}

/**
 * Stores `specs` as the children of `parentId` (replacing what was there), and their children under
 * them, recursively. Returns the blocks made for `parentId`.
 */
export function addBlocks(ws: Workspace, parentId: string, specs: readonly BlockSpec[], options: AddBlocksOptions = {}): JsonObject[] {
  const ids = options.ids ?? new BlockIds();
  const at = minuteIso(Date.parse(options.at ?? '2024-01-01T00:00:00.000Z'));
  const user: JsonObject = { object: 'user', id: options.userId ?? ws.users[0]?.id ?? '00000000-0000-4000-8000-000000000000' };
  const parentType = options.parentType ?? 'page_id';
  const blocks = specs.map((spec): JsonObject => {
    const id = spec.id ?? ids.next();
    const hasChildren = (spec.children?.length ?? 0) > 0;
    const block: JsonObject = {
      object: 'block',
      id,
      parent: { type: parentType, [parentType]: parentId },
      created_time: at,
      last_edited_time: at,
      created_by: user,
      last_edited_by: user,
      has_children: hasChildren,
      archived: false,
      in_trash: false,
      type: spec.type,
      [spec.type]: (spec.body ?? {}) as Json,
    };
    if (hasChildren) {
      // A child page's content is stored under its page id; its parent there is the page.
      addBlocks(ws, id, spec.children!, { ...options, ids, parentType: spec.type === 'child_page' ? 'page_id' : 'block_id' });
    }
    return block;
  });
  ws.blocks[parentId] = blocks;
  return blocks;
}

/**
 * A document with one block of most types: headings, paragraphs, bulleted lists nested three deep, a
 * numbered list, to-dos, code, a table, a quote, a callout, a toggle, an equation, a divider, a child
 * page (with content of its own), a child database and a block type newer than any client knows.
 */
export function sampleDocument(childPageId: string, childPageTitle = 'Meeting notes'): BlockSpec[] {
  return [
    textBlock('heading_1', 'Project plan', { is_toggleable: false }),
    { type: 'paragraph', body: { rich_text: [text('This plan is '), text('important', { bold: true }), text(' for everyone.')], color: 'default' } },
    textBlock('heading_2', 'Tasks', { is_toggleable: false }),
    textBlock('bulleted_list_item', 'Design', {}, [textBlock('bulleted_list_item', 'Sketches', {}, [textBlock('bulleted_list_item', 'Wireframes', {}, [textBlock('paragraph', 'Three levels down')])])]),
    textBlock('bulleted_list_item', 'Build'),
    textBlock('numbered_list_item', 'First step'),
    textBlock('numbered_list_item', 'Second step'),
    textBlock('to_do', 'Write the spec', { checked: true }),
    textBlock('to_do', 'Ship it', { checked: false }),
    { type: 'code', body: { rich_text: [text('const answer = 42;')], language: 'typescript', caption: [] } },
    {
      type: 'table',
      body: { table_width: 2, has_column_header: true, has_row_header: false },
      children: [
        { type: 'table_row', body: { cells: [[text('Name')], [text('Owner')]] } },
        { type: 'table_row', body: { cells: [[text('API')], [text('Ada')]] } },
        { type: 'table_row', body: { cells: [[text('UI')], [text('Linus')]] } },
      ],
    },
    textBlock('quote', 'Simple is better.'),
    { type: 'callout', body: { rich_text: [text('Mind the rate limit')], icon: { type: 'emoji', emoji: '💡' }, color: 'gray_background' } },
    textBlock('toggle', 'Details', {}, [textBlock('paragraph', 'Hidden until opened')]),
    { type: 'equation', body: { expression: 'e=mc^2' } },
    { type: 'divider', body: {} },
    { type: 'child_page', id: childPageId, body: { title: childPageTitle }, children: [textBlock('paragraph', 'Notes of the child page')] },
    { type: 'child_database', body: { title: 'Inline tracker' } },
    { type: 'future_widget', body: { setting: 'kept as JSON' } },
  ];
}

/** `n` paragraphs `Line 1` … `Line n` (to show pagination past 100 children). */
export function manyParagraphs(n: number): BlockSpec[] {
  return Array.from({ length: n }, (_, i) => textBlock('paragraph', `Line ${i + 1}`));
}
