/**
 * Renders workspace objects as the 2025-09-03 API returns them, applying Notion's truncation rules to
 * page property values:
 * - relation: at most 25 ids, with sibling `has_more: true` when there were more;
 * - people: silently cut to 25;
 * - title / rich_text: at most 25 mentions. Items are kept up to and including the 25th mention and
 *   everything after it (text included) is dropped, so the text stays a prefix of the full value;
 * - rollup: computed over the first 25 related pages only.
 * The page property endpoint serves complete values (see property-items.ts).
 */

import { compactId, safeDecode } from './ids.js';
import type { WorkspaceLookup } from './lookup.js';
import { computeRollup, stripId, type TypedValue } from './rollup.js';
import type {
  EmuDatabase,
  EmuDataSource,
  EmuPage,
  EmuPropertyValue,
  EmuSchemaProperty,
  Json,
  JsonObject,
} from './workspace.js';

export const REFERENCE_LIMIT = 25;
const MAX_ROLLUP_DEPTH = 3;
const NOBODY: JsonObject = { object: 'user', id: '00000000-0000-4000-8000-000000000000' };

export function plainText(richText: readonly Json[]): string {
  return richText
    .map((item) => (item !== null && typeof item === 'object' && !Array.isArray(item) && typeof item.plain_text === 'string' ? item.plain_text : ''))
    .join('');
}

function isMention(item: Json): boolean {
  return item !== null && typeof item === 'object' && !Array.isArray(item) && item.type === 'mention';
}

/** Rich text with at most 25 mentions: everything after the 25th mention is dropped. */
export function truncateMentions(items: readonly Json[]): Json[] {
  let mentions = 0;
  for (let i = 0; i < items.length; i++) {
    if (isMention(items[i] ?? null)) {
      mentions++;
      if (mentions === REFERENCE_LIMIT) return items.slice(0, i + 1);
    }
  }
  return [...items];
}

/** True when a stored property id (URL-encoded, as Notion returns it) names the same property as `given`. */
export function samePropertyId(stored: string, given: string): boolean {
  return stored === given || safeDecode(stored) === safeDecode(given);
}

function asArray(value: Json | undefined): Json[] {
  return Array.isArray(value) ? value : [];
}

function asObject(value: Json | undefined): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

function slug(title: string): string {
  return title
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
}

export function notionUrl(id: string, title = ''): string {
  const hex = compactId(id) ?? id;
  const s = slug(title);
  return `https://www.notion.so/${s === '' ? '' : `${s}-`}${hex}`;
}

/** One related page's rolled-up value, with the id of the property it came from. */
export interface RollupInput {
  propertyId: string;
  value: TypedValue;
}

export class Renderer {
  constructor(private readonly lookup: WorkspaceLookup) {}

  schemaOf(page: EmuPage): Record<string, EmuSchemaProperty> {
    return this.lookup.dataSource(page.data_source_id)?.properties ?? {};
  }

  titleOf(page: EmuPage): string {
    for (const value of Object.values(page.properties)) {
      if (value.type === 'title') return plainText(asArray(value.title));
    }
    return '';
  }

  /** `{object:"page", ...}` with truncated property values; `keep` limits the properties shown. */
  page(page: EmuPage, keep?: (propertyId: string) => boolean): JsonObject {
    const ds = this.lookup.dataSource(page.data_source_id);
    const properties: JsonObject = {};
    for (const [name, value] of Object.entries(page.properties)) {
      if (keep !== undefined && !keep(value.id)) continue;
      properties[name] = this.propertyValue(page, name, value, true, 0);
    }
    return {
      object: 'page',
      id: page.id,
      created_time: page.created_time,
      last_edited_time: page.last_edited_time,
      created_by: page.created_by,
      last_edited_by: page.last_edited_by,
      cover: page.cover,
      icon: page.icon,
      parent:
        page.parent !== undefined && page.data_source_id === ''
          ? page.parent
          : { type: 'data_source_id', data_source_id: page.data_source_id, database_id: ds?.database_id ?? null },
      archived: page.in_trash,
      in_trash: page.in_trash,
      is_archived: page.in_trash,
      is_locked: false,
      properties,
      url: notionUrl(page.id, this.titleOf(page)),
      public_url: null,
    };
  }

  /** A page property value as page responses carry it (`truncated`) or complete. */
  propertyValue(page: EmuPage, name: string, value: EmuPropertyValue, truncated: boolean, depth: number): JsonObject {
    switch (value.type) {
      case 'relation': {
        const all = asArray(value.relation);
        const shown = truncated ? all.slice(0, REFERENCE_LIMIT) : all;
        return { id: value.id, type: 'relation', relation: shown, has_more: shown.length < all.length };
      }
      case 'people': {
        const all = asArray(value.people);
        return { id: value.id, type: 'people', people: truncated ? all.slice(0, REFERENCE_LIMIT) : all };
      }
      case 'title':
      case 'rich_text': {
        const all = asArray(value[value.type]);
        return { id: value.id, type: value.type, [value.type]: truncated ? truncateMentions(all) : all };
      }
      case 'rollup':
        return { id: value.id, type: 'rollup', rollup: this.rollup(page, name, value, truncated, depth) };
      default:
        return value;
    }
  }

  /** The rollup's function name, or undefined when the schema has no usable rollup config. */
  rollupFunction(page: EmuPage, name: string): string | undefined {
    const config = asObject(this.schemaOf(page)[name]?.rollup);
    return typeof config?.function === 'string' ? config.function : undefined;
  }

  /** The related values a rollup is computed from: the first 25 related pages, or all of them. */
  rollupInputs(page: EmuPage, name: string, truncated: boolean, depth = 0): RollupInput[] {
    const config = asObject(this.schemaOf(page)[name]?.rollup);
    if (config === undefined || depth > MAX_ROLLUP_DEPTH) return [];
    const relation = findProperty(page.properties, config.relation_property_name, config.relation_property_id);
    if (relation === undefined) return [];
    const ids = asArray(relation[1].relation);
    const used = truncated ? ids.slice(0, REFERENCE_LIMIT) : ids;
    const inputs: RollupInput[] = [];
    for (const ref of used) {
      const id = asObject(ref)?.id;
      if (typeof id !== 'string') continue;
      const related = this.lookup.page(id);
      if (related === undefined || related.in_trash) continue;
      const target = findProperty(related.properties, config.rollup_property_name, config.rollup_property_id);
      if (target === undefined) continue;
      const [targetName, targetValue] = target;
      const rendered = this.propertyValue(related, targetName, targetValue, true, depth + 1);
      inputs.push({ propertyId: targetValue.id, value: stripId(rendered) });
    }
    return inputs;
  }

  rollup(page: EmuPage, name: string, stored: EmuPropertyValue, truncated: boolean, depth: number): JsonObject {
    const fn = this.rollupFunction(page, name);
    if (fn === undefined) {
      // No config to compute from: serve what is stored.
      return asObject(stored.rollup) ?? { type: 'unsupported', unsupported: {}, function: 'show_original' };
    }
    return computeRollup(
      fn,
      this.rollupInputs(page, name, truncated, depth).map((i) => i.value),
    );
  }

  dataSource(ds: EmuDataSource): JsonObject {
    const db = this.lookup.database(ds.database_id);
    const properties: JsonObject = {};
    for (const [name, prop] of Object.entries(ds.properties)) properties[name] = schemaProperty(prop);
    const creator = this.defaultUser();
    return {
      object: 'data_source',
      id: ds.id,
      cover: ds.cover,
      icon: ds.icon,
      created_time: ds.created_time,
      created_by: creator,
      last_edited_by: creator,
      last_edited_time: ds.last_edited_time,
      title: ds.title,
      description: ds.description,
      is_inline: db?.is_inline ?? false,
      properties,
      parent: { type: 'database_id', database_id: ds.database_id },
      database_parent: db?.parent ?? { type: 'workspace', workspace: true },
      url: notionUrl(ds.database_id),
      public_url: null,
      archived: ds.in_trash,
      in_trash: ds.in_trash,
    };
  }

  database(db: EmuDatabase): JsonObject {
    return {
      object: 'database',
      id: db.id,
      title: db.title,
      description: db.description,
      parent: db.parent,
      is_inline: db.is_inline,
      in_trash: db.in_trash,
      is_locked: false,
      created_time: db.created_time,
      last_edited_time: db.last_edited_time,
      data_sources: db.data_source_ids.map((id) => {
        const ds = this.lookup.dataSource(id);
        return { id, name: ds === undefined ? '' : plainText(ds.title) };
      }),
      icon: db.icon,
      cover: db.cover,
      url: notionUrl(db.id),
      public_url: null,
      archived: db.in_trash,
    };
  }

  private defaultUser(): JsonObject {
    const first = this.lookup.workspace.users.find((u) => u.type === 'person') ?? this.lookup.workspace.users[0];
    return first === undefined ? NOBODY : { object: 'user', id: first.id };
  }
}

/** `{id, name, description, type, <type>: config}` as the data source endpoint returns a schema entry. */
function schemaProperty(prop: EmuSchemaProperty): JsonObject {
  const { id, name, type, description, ...rest } = prop;
  return { id, name, description: description ?? null, type, ...rest };
}

/** Finds a property by name, else by id (rollup configs hold raw, not URL-encoded, ids). */
function findProperty(
  properties: Record<string, EmuPropertyValue>,
  name: Json | undefined,
  id: Json | undefined,
): [string, EmuPropertyValue] | undefined {
  if (typeof name === 'string') {
    const byName = properties[name];
    if (byName !== undefined) return [name, byName];
  }
  if (typeof id === 'string') {
    for (const [n, v] of Object.entries(properties)) if (samePropertyId(v.id, id)) return [n, v];
  }
  return undefined;
}
