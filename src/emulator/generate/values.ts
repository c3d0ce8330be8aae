/** Small builders of the value shapes the live API returns: rich text items, users, mentions, instants, property ids. */
import type { EmuUser, JsonObject } from '../workspace.js';
import type { Rng } from './rng.js';
import { MINUTE } from './spec.js';

/** Notion's text and option colors. */
export const COLORS = ['default', 'gray', 'brown', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'red'] as const;

/** A rich text item's annotations: all false and `default` color unless `over` says otherwise. */
export function annotations(over?: Partial<Record<'bold' | 'italic' | 'strikethrough' | 'underline' | 'code', boolean>> & { color?: string }): JsonObject {
  return {
    bold: over?.bold ?? false,
    italic: over?.italic ?? false,
    strikethrough: over?.strikethrough ?? false,
    underline: over?.underline ?? false,
    code: over?.code ?? false,
    color: over?.color ?? 'default',
  };
}

/** A rich text item of type `text`, with an optional link. */
export function textItem(content: string, ann?: JsonObject, link?: string): JsonObject {
  return {
    type: 'text',
    text: { content, link: link ? { url: link } : null },
    annotations: ann ?? annotations(),
    plain_text: content,
    href: link ?? null,
  };
}

/** A full user object, copied (so no two values share an object). */
export function fullUser(u: EmuUser): JsonObject {
  const out: JsonObject = { object: 'user', id: u.id, name: u.name, avatar_url: u.avatar_url, type: u.type };
  if (u.type === 'person') {
    const person = u['person'] as { email?: string } | undefined;
    out['person'] = { email: person?.email ?? null };
  } else {
    out['bot'] = {};
  }
  return out;
}

/** A partial user `{object: "user", id}`, as Notion gives created_by on pages. */
export function partialUser(id: string): JsonObject {
  return { object: 'user', id };
}

/** A rich text user mention. */
export function userMention(u: EmuUser, ann?: JsonObject): JsonObject {
  return {
    type: 'mention',
    mention: { type: 'user', user: fullUser(u) },
    annotations: ann ?? annotations(),
    plain_text: `@${u.name ?? 'Unknown'}`,
    href: null,
  };
}

/** A rich text page mention (`Untitled` for an empty title). */
export function pageMention(id: string, title: string): JsonObject {
  return {
    type: 'mention',
    mention: { type: 'page', page: { id } },
    annotations: annotations(),
    plain_text: title === '' ? 'Untitled' : title,
    href: `https://www.notion.so/${id.replace(/-/g, '')}`,
  };
}

/** A rich text date mention. */
export function dateMention(date: { start: string; end: string | null; time_zone: string | null }): JsonObject {
  return {
    type: 'mention',
    mention: { type: 'date', date },
    annotations: annotations(),
    plain_text: date.end ? `${date.start} → ${date.end}` : date.start,
    href: null,
  };
}

/** A rich text equation item. */
export function equationItem(expression: string): JsonObject {
  return {
    type: 'equation',
    equation: { expression },
    annotations: annotations(),
    plain_text: expression,
    href: null,
  };
}

/** The UTC calendar date of `ms`: `YYYY-MM-DD`. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `2024-05-01T09:30:00.000+02:00`: the local wall time at `offsetMin` from UTC. */
export function isoWithOffset(ms: number, offsetMin: number): string {
  const local = new Date(ms + offsetMin * MINUTE).toISOString().slice(0, 23);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Database containers keep milliseconds and write `+00:00`. */
export function containerIso(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

/** Notion returns property ids URL-encoded; encodeURIComponent matches the recordings (`<nJT` → `%3CnJT`, `MNV~`). */
export function encodePropertyId(raw: string): string {
  return encodeURIComponent(raw);
}

// Printable ASCII without '/' and '%' (they make path routing ambiguous) and without space.
/** Characters of generated property ids. */
export const PROPERTY_ID_CHARS = (() => {
  let s = '';
  for (let c = 33; c <= 126; c++) {
    const ch = String.fromCharCode(c);
    if (ch !== '/' && ch !== '%') s += ch;
  }
  return s;
})();

/** Makes the distinct 4-character property ids of one schema. */
export class PropertyIds {
  private readonly used = new Set<string>(['title']);
  constructor(private readonly rng: Rng) {}
  /** Returns `[encoded, raw]`. */
  next(): [string, string] {
    for (;;) {
      let raw = '';
      for (let i = 0; i < 4; i++) raw += PROPERTY_ID_CHARS[this.rng.int(0, PROPERTY_ID_CHARS.length - 1)]!;
      if (!this.used.has(raw)) {
        this.used.add(raw);
        return [encodePropertyId(raw), raw];
      }
    }
  }
  reserve(raw: string): void {
    this.used.add(raw);
  }
}

/** A title's rich text: one text item. */
export function titleText(title: string): JsonObject[] {
  return [textItem(title)];
}
