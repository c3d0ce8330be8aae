/** One generated page of a plan: times, creators, the values of every property, its relation, content. */
import { minuteIso, type EmuPage, type EmuPropertyValue, type EmuSchemaProperty, type EmuUser, type Json } from '../workspace.js';
import { formulaValues } from './formulas.js';
import { addContent } from './page-content.js';
import { dateValue, filesValue, peopleValue, phoneValue, placeValue, richTextValue, verificationValue } from './page-values.js';
import type { Ctx, Plan } from './plan.js';
import type { Rng } from './rng.js';
import { ALL_TYPES_PROPERTIES, SIMPLE_PROPERTIES } from './schemas.js';
import { DAY, MINUTE } from './spec.js';
import { annotations, fullUser, isoDate, partialUser, textItem, titleText } from './values.js';
import { ADJECTIVES, EMOJI, SENTENCES } from './words.js';

function pageTimes(plan: Plan, rng: Rng, i: number): [number, number] {
  const created = plan.baseMs + Math.floor(i / plan.ppm) * MINUTE;
  const r = rng.next();
  const edited = r < 0.4 ? created : r < 0.8 ? created + rng.int(1, 1440) * MINUTE : created + rng.int(1, 90) * DAY + rng.int(0, 1439) * MINUTE;
  return [created, plan.spec.edited === 'created' ? created : edited];
}

function pickCreator(ctx: Ctx, rng: Rng): EmuUser {
  if (ctx.bots.length > 0 && rng.chance(0.1)) return rng.pick(ctx.bots);
  return rng.pick(ctx.persons);
}

function basePage(plan: Plan, rng: Rng, i: number, createdMs: number, editedMs: number, creator: EmuUser, editor: EmuUser): EmuPage {
  return {
    id: plan.pageIds[i]!,
    data_source_id: plan.ds.id,
    created_time: minuteIso(createdMs),
    last_edited_time: minuteIso(editedMs),
    created_by: partialUser(creator.id),
    last_edited_by: partialUser(editor.id),
    in_trash: false,
    icon: plan.kind === 'all-types' && rng.chance(0.3) ? { type: 'emoji', emoji: rng.pick(EMOJI) } : null,
    cover:
      plan.kind === 'all-types' && rng.chance(0.1)
        ? { type: 'external', external: { url: `https://images.unsplash.com/photo-${rng.int(1_500_000_000, 1_700_000_000)}` } }
        : null,
    properties: {},
    shared: plan.shared,
  };
}

/** Page `i` of a 'simple' data source: six plain properties (the title alone with `titleOnly`). */
export function simplePage(ctx: Ctx, plan: Plan, rng: Rng, i: number): EmuPage {
  const [createdMs, editedMs] = pageTimes(plan, rng, i);
  const creator = pickCreator(ctx, rng);
  const editor = editedMs === createdMs ? creator : pickCreator(ctx, rng);
  const page = basePage(plan, rng, i, createdMs, editedMs, creator, editor);
  const S = SIMPLE_PROPERTIES;
  const props = plan.ds.properties;
  // A title-only schema lacks the other properties: their values are drawn (same values as with them) and dropped.
  const id = (name: string): string => props[name]?.id ?? '';
  const opt = rng.chance(0.1) ? null : rng.pick(plan.schema.selectOptions);
  const values: Record<string, EmuPropertyValue> = {
    [S.title]: { id: 'title', type: 'title', title: titleText(plan.titles[i]!) },
    [S.number]: { id: id(S.number), type: 'number', number: rng.chance(0.1) ? null : rng.int(0, 1000) },
    [S.select]: { id: id(S.select), type: 'select', select: opt ? { id: opt.id, name: opt.name, color: opt.color } : null },
    [S.date]: {
      id: id(S.date),
      type: 'date',
      date: rng.chance(0.2) ? null : { start: isoDate(createdMs + rng.int(-10, 60) * DAY), end: null, time_zone: null },
    },
    [S.checkbox]: { id: id(S.checkbox), type: 'checkbox', checkbox: rng.chance(0.5) },
    [S.text]: { id: id(S.text), type: 'rich_text', rich_text: rng.chance(0.3) ? [] : [textItem(rng.pick(SENTENCES))] },
  };
  page.properties = orderLike(props, values);
  return page;
}

function orderLike(schema: Record<string, EmuSchemaProperty>, values: Record<string, EmuPropertyValue>): Record<string, EmuPropertyValue> {
  const out: Record<string, EmuPropertyValue> = {};
  for (const name of Object.keys(schema)) {
    const v = values[name];
    if (v === undefined) throw new Error(`internal: no value for property "${name}"`);
    out[name] = v;
  }
  return out;
}

/** Page `i` of an 'all-types' data source: every property type, its relation, formulas, and content. */
export function allTypesPage(ctx: Ctx, plan: Plan, rng: Rng, i: number): EmuPage {
  const P = ALL_TYPES_PROPERTIES;
  const [createdMs, editedMs] = pageTimes(plan, rng, i);
  const creator = pickCreator(ctx, rng);
  const editor = editedMs === createdMs ? creator : pickCreator(ctx, rng);
  const page = basePage(plan, rng, i, createdMs, editedMs, creator, editor);
  const schema = plan.ds.properties;
  const id = (name: string): string => schema[name]!.id;
  const s = plan.schema;
  const v: Record<string, EmuPropertyValue> = {};
  const set = (name: string, type: string, value: Json): void => {
    v[name] = { id: id(name), type, [type]: value };
  };

  const title = plan.titles[i]!;
  set(P.title, 'title', title === '' ? [] : rng.chance(0.1) ? [textItem(title.split(' ')[0]! + ' ', annotations({ bold: true })), textItem(title.split(' ').slice(1).join(' '))] : titleText(title));
  set(P.summary, 'rich_text', richTextValue(ctx, rng, createdMs));
  const estimate = rng.chance(0.15) ? null : rng.int(1, 80) / 2;
  set(P.estimate, 'number', estimate);
  set(P.budget, 'number', rng.chance(0.2) ? null : rng.int(5, 1200) * 100);
  set(P.completion, 'number', rng.chance(0.1) ? null : rng.int(0, 100) / 100);
  const pr = rng.chance(0.15) ? null : rng.pick(s.selectOptions);
  set(P.priority, 'select', pr ? { id: pr.id, name: pr.name, color: pr.color } : null);
  const st = rng.pick(s.statusOptions);
  set(P.status, 'status', { id: st.id, name: st.name, color: st.color });
  set(P.tags, 'multi_select', rng.sample(s.tagOptions, rng.chance(0.3) ? 0 : rng.int(1, 3)).map((o) => ({ id: o.id, name: o.name, color: o.color })));
  set(P.due, 'date', dateValue(rng, createdMs));
  set(P.owners, 'people', peopleValue(ctx, rng));
  set(P.attachments, 'files', filesValue(rng, editedMs));
  set(P.approved, 'checkbox', rng.chance(0.4));
  set(P.website, 'url', rng.chance(0.4) ? null : `https://example.com/${rng.pick(ADJECTIVES)}/${rng.hex(6)}?ref=notion&lang=en`);
  const contact = rng.pick(ctx.persons);
  set(P.email, 'email', rng.chance(0.4) ? null : String((contact['person'] as { email: string }).email));
  set(P.phone, 'phone_number', rng.chance(0.5) ? null : phoneValue(rng));
  set(P.created, 'created_time', minuteIso(createdMs));
  set(P.edited, 'last_edited_time', minuteIso(editedMs));
  set(P.createdBy, 'created_by', fullUser(creator));
  set(P.editedBy, 'last_edited_by', fullUser(editor));
  set(P.uid, 'unique_id', { prefix: s.prefix, number: i + 1 });
  set(P.verification, 'verification', verificationValue(ctx, rng, createdMs));
  set(P.button, 'button', {});
  set(P.place, 'place', placeValue(rng));

  const target = plan.target;
  if (target && s.relationProp) {
    const n = rng.chance(0.3) ? 0 : rng.int(1, 5);
    v[s.relationProp] = {
      id: id(s.relationProp),
      type: 'relation',
      relation: pickRelated(rng, target.pageIds, n, target === plan ? i : -1).map((pid) => ({ id: pid })),
      has_more: false,
    };
    set(P.rollupSum, 'rollup', { type: 'array', array: [], function: 'sum' });
    set(P.rollupShow, 'rollup', { type: 'array', array: [], function: 'show_original' });
  }
  const f = formulaValues(v);
  for (const [name, value] of Object.entries(f)) set(name, 'formula', value);

  page.properties = orderLike(schema, v);
  if (plan.content) addContent(ctx, plan, rng, page, createdMs, editedMs, creator, editor);
  return page;
}

/** `n` distinct ids from `ids` (never the one at `skip`), picked without scanning the whole list. */
function pickRelated(rng: Rng, ids: readonly string[], n: number, skip: number): string[] {
  const available = ids.length - (skip >= 0 && skip < ids.length ? 1 : 0);
  const want = Math.min(n, available);
  if (want <= 0) return [];
  if (want * 3 > available) {
    return rng.sample(ids.filter((_, j) => j !== skip), want);
  }
  const chosen = new Set<number>();
  const out: string[] = [];
  while (out.length < want) {
    const j = rng.int(0, ids.length - 1);
    if (j === skip || chosen.has(j)) continue;
    chosen.add(j);
    out.push(ids[j]!);
  }
  return out;
}
