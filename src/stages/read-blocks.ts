/**
 * Reads a page's content: its blocks at every depth, through `GET /v1/blocks/{id}/children` (100
 * children per request, every page of them), descending into each block with `has_children`. Child
 * pages and child databases are referenced, not descended into: their content belongs to their own
 * page (read when that page is read). Every request goes through the run's NotionApi and its one rate
 * limiter.
 */
import type { NotionApi } from '../notion/api.js';
import { NotionStreamError } from '../errors.js';
import type { JsonObject } from '../notion/types.js';
import type { BlockPlace } from '../core/workspace-tables.js';
import { paginate } from './read-users.js';

/** Deeper than Notion nests in practice (about 30 levels); past it the run stops instead of looping. */
export const MAX_BLOCK_DEPTH = 64;

/** Block types whose children are another page's content: referenced, never read as this page's. */
const OTHER_PAGES = new Set(['child_page', 'child_database']);

/** A block and where it sits. */
export interface BlockNode {
  /** The block object as Notion returns it. */
  block: JsonObject;
  /** Its page, parent, depth and position. */
  place: BlockPlace;
}

/** A page's content tree: its blocks in document order, and the children of each block read. */
export interface PageBlocks {
  /** The page whose content this is. */
  pageId: string;
  /** Pre-order (document order): a block, then its children, then its next sibling. */
  blocks: BlockNode[];
  /** Children by parent id (the page id for the top level), as Notion listed them. */
  children: Map<string, JsonObject[]>;
  /** `blocks.children.list` requests this page cost. */
  requests: number;
}

/** True for a block that stands for another page (a child page or child database): its content and comments are that page's. */
export function isOtherPage(block: JsonObject): boolean {
  return OTHER_PAGES.has(String(block.type));
}

/** True when a block's children are read as part of its page. */
export function descendsInto(block: JsonObject): boolean {
  return block.has_children === true && !OTHER_PAGES.has(String(block.type));
}

/** Reads a page's whole block tree. Throws `not_shared` (a page not shared), `notion_error`, `aborted`. */
export async function readPageBlocks(api: NotionApi, pageId: string, signal?: AbortSignal): Promise<PageBlocks> {
  const result: PageBlocks = { pageId, blocks: [], children: new Map(), requests: 0 };
  const list = async (parentId: string): Promise<JsonObject[]> => {
    const kids: JsonObject[] = [];
    for await (const block of paginate((cursor) => {
      result.requests++;
      return api.listBlockChildren(parentId, cursor);
    }, signal)) kids.push(block);
    result.children.set(parentId, kids);
    return kids;
  };
  const walk = async (parentId: string, depth: number): Promise<void> => {
    if (depth > MAX_BLOCK_DEPTH) {
      throw new NotionStreamError('notion_error', `Page ${pageId} nests blocks deeper than ${MAX_BLOCK_DEPTH} levels (under block ${parentId}); Notion does not, so the content read is inconsistent. Run again.`, true);
    }
    const kids = await list(parentId);
    for (let position = 0; position < kids.length; position++) {
      const block = kids[position]!;
      result.blocks.push({ block, place: { pageId, parentId, depth, position } });
      if (descendsInto(block)) await walk(String(block.id), depth + 1);
    }
  };
  await walk(pageId, 0);
  return result;
}
