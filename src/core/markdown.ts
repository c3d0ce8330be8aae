/**
 * Markdown of a page's content with notion-to-md. notion-to-md reads children through a Notion
 * client's `blocks.children.list`; here it gets a client that answers from the blocks the run already
 * read (through its rate-limited NotionApi), so rendering costs no request and no retry policy is
 * bypassed. Child pages and child databases become links (their content is their own page's).
 */
import type { NotionToMarkdown as NotionToMarkdownClass } from 'notion-to-md';
import type { Json, JsonObject } from '../notion/types.js';

// Loaded on first use: runs without --content never load it (nor its node-fetch 2 dependency).
let library: Promise<typeof import('notion-to-md')> | undefined;

const CHILD_PAGE = 'notion_stream_child_page';
const CHILD_DATABASE = 'notion_stream_child_database';

function notionUrl(id: string): string {
  return `https://www.notion.so/${id.replace(/-/g, '')}`;
}

function escapeLinkText(text: string): string {
  return text.replace(/([[\]\\])/g, '\\$1');
}

/**
 * A copy notion-to-md can take: child pages and databases as link blocks without children, a block
 * whose payload is missing (a type this version cannot render) as `unsupported` (left out of the
 * markdown; its JSON is in notion_blocks).
 */
function prepare(block: JsonObject): JsonObject {
  const type = String(block.type);
  const body = block[type];
  if (type === 'child_page' || type === 'child_database') {
    const kind = type === 'child_page' ? CHILD_PAGE : CHILD_DATABASE;
    return { ...block, type: kind, has_children: false, [kind]: (body ?? {}) as Json };
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { ...block, type: 'unsupported', unsupported: {} };
  // A synced copy's children were read under its own id (Notion lists the original's there).
  if (type === 'synced_block') return { ...block, synced_block: { ...body, synced_from: null } };
  return { ...block, [type]: { ...body } }; // notion-to-md numbers list items in place
}

/**
 * Renders a page's blocks as markdown. `children` maps the page id and each block id to its children
 * (blocks missing there have none). Headings, lists, to-dos, code, tables, quotes,
 * callouts, toggles, equations and links are rendered by notion-to-md.
 */
export async function renderMarkdown(pageId: string, children: ReadonlyMap<string, readonly JsonObject[]>): Promise<string> {
  const client = {
    blocks: {
      children: {
        list: async (args: { block_id: string }) => ({ object: 'list', results: (children.get(args.block_id) ?? []).map(prepare), next_cursor: null, has_more: false }),
      },
    },
  };
  const { NotionToMarkdown } = await (library ??= import('notion-to-md'));
  const n2m = new NotionToMarkdown({ notionClient: client as unknown as ConstructorParameters<typeof NotionToMarkdownClass>[0]['notionClient'] });
  const link = (kind: string, fallback: string) => (block: unknown): string => {
    const b = block as JsonObject;
    const body = (b[kind] ?? {}) as JsonObject;
    const title = typeof body.title === 'string' && body.title !== '' ? body.title : fallback;
    return `[${escapeLinkText(title)}](${notionUrl(String(b.id))})`;
  };
  n2m.setCustomTransformer(CHILD_PAGE, link(CHILD_PAGE, 'Untitled page'));
  n2m.setCustomTransformer(CHILD_DATABASE, link(CHILD_DATABASE, 'Untitled database'));
  const blocks = await n2m.pageToMarkdown(pageId);
  return (n2m.toMarkdownString(blocks).parent ?? '').trim();
}
