/** The blocks and comments of generated 'all-types' pages. */
import { minuteIso, type EmuPage, type EmuUser, type JsonObject } from '../workspace.js';
import { richTextValue } from './page-values.js';
import type { Ctx, Plan } from './plan.js';
import type { Rng } from './rng.js';
import { partialUser, textItem, userMention } from './values.js';
import { NOUNS, SENTENCES, VERBS } from './words.js';

function block(
  parent: JsonObject,
  id: string,
  createdMs: number,
  editedMs: number,
  createdBy: string,
  editedBy: string,
  type: string,
  body: JsonObject,
  hasChildren = false,
): JsonObject {
  return {
    object: 'block',
    id,
    parent,
    created_time: minuteIso(createdMs),
    last_edited_time: minuteIso(editedMs),
    created_by: partialUser(createdBy),
    last_edited_by: partialUser(editedBy),
    has_children: hasChildren,
    archived: false,
    in_trash: false,
    type,
    [type]: body,
  };
}

/**
 * Gives a generated 'all-types' page its blocks (a heading, a paragraph, to-dos, bullets, some nested)
 * and, for a quarter of the pages, a discussion of one or two comments; stored in `ctx`.
 */
export function addContent(ctx: Ctx, plan: Plan, rng: Rng, page: EmuPage, createdMs: number, editedMs: number, creator: EmuUser, editor: EmuUser): void {
  const parent = { type: 'page_id', page_id: page.id };
  const between = (): number => createdMs + Math.floor(rng.next() * (editedMs - createdMs + 1));
  const blocks: JsonObject[] = [];
  const mk = (type: string, body: JsonObject, hasChildren = false): JsonObject => {
    const b = block(parent, rng.uuid(), createdMs, between(), creator.id, rng.chance(0.7) ? creator.id : editor.id, type, body, hasChildren);
    blocks.push(b);
    return b;
  };
  mk('heading_1', { rich_text: [textItem(rng.pick(['Overview', 'Context', 'Goals & scope', 'Next steps']))], is_toggleable: rng.chance(0.1), color: 'default' });
  mk('paragraph', { rich_text: richTextValue(ctx, rng, createdMs), color: 'default' });
  const todos = rng.int(0, 3);
  for (let j = 0; j < todos; j++) {
    mk('to_do', { rich_text: [textItem(`${rng.pick(VERBS)} the ${rng.pick(NOUNS)}`)], checked: rng.chance(0.5), color: 'default' });
  }
  const bullets = rng.int(1, 3);
  for (let j = 0; j < bullets; j++) {
    const nested = rng.chance(0.15);
    const b = mk('bulleted_list_item', { rich_text: [textItem(rng.pick(SENTENCES))], color: 'default' }, nested);
    if (nested) {
      const bid = String(b['id']);
      const kids: JsonObject[] = [];
      const n = rng.int(1, 2);
      for (let c = 0; c < n; c++) {
        kids.push(
          block({ type: 'block_id', block_id: bid }, rng.uuid(), createdMs, between(), creator.id, creator.id, 'bulleted_list_item', {
            rich_text: [textItem(rng.pick(SENTENCES))],
            color: 'default',
          }),
        );
      }
      ctx.blocks[bid] = kids;
    }
  }
  ctx.blocks[page.id] = blocks;

  if (rng.chance(0.25)) {
    const discussion = rng.uuid();
    const n = rng.int(1, 2);
    const comments: JsonObject[] = [];
    for (let j = 0; j < n; j++) {
      const at = minuteIso(between());
      const author = rng.pick(ctx.persons);
      comments.push({
        object: 'comment',
        id: rng.uuid(),
        parent: { type: 'page_id', page_id: page.id },
        discussion_id: discussion,
        created_time: at,
        last_edited_time: at,
        created_by: partialUser(author.id),
        rich_text: rng.chance(0.3)
          ? [userMention(rng.pick(ctx.persons)), textItem(' can you take a look?')]
          : [textItem(rng.pick(SENTENCES))],
      });
    }
    ctx.comments[page.id] = comments;
  }
}
